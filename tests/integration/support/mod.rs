//! The test harness: finds a real Terraform, runs it against the provider binary Cargo built
//! (through `dev_overrides` in a private CLI config), and launches the provider by hand for
//! protocol-level tests.

pub mod actionlint;
pub mod gpg;
pub mod hcl;
pub mod infisical;
pub mod lanes;
pub mod matrix;
pub mod official;
pub mod plugin;
pub mod proxy;
pub mod registry;
pub mod secrets;
pub mod tls;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The provider binary Cargo built for this test run.
pub fn provider_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_terraform-provider-infisical"))
}

pub use lanes::current as terraform;
pub use matrix::{Capability, Terraform};

/// The configuration line a CLI quotes for an error the provider reported at an attribute inside
/// an object attribute (say `credentials.code`): Terraform quotes that attribute's own `line`;
/// OpenTofu resolves attribute paths through nested blocks only (its
/// `internal/tfdiags/contextual.go`), so it quotes the first line of the enclosing `block`.
pub fn nested_error_line<'a>(line: &'a str, block: &'a str) -> &'a str {
    match terraform().kind {
        matrix::Kind::Terraform => line,
        matrix::Kind::OpenTofu => block,
    }
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
    /// The CLI's command (not the whole binary: probes run on borrowed ones).
    command: PathBuf,
    env: Vec<(String, String)>,
}

impl Workspace {
    /// A workspace using the binary the running case was started for.
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
                 \"{}/infisical/infisical\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
                terraform.kind.registry_host(),
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
            command: terraform.path.clone(),
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
        let mut command = Command::new(&self.command);
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

    /// Runs a Terraform command and interrupts it as Ctrl-C does (SIGINT) once `ready` says so
    /// (asked every 20 ms, for at most a minute): what it printed, and how long it took to exit
    /// after the interrupt (waited for up to three minutes, longer than any of the provider's
    /// own time limits, so that a test can tell "promptly" from "when a wait ran out").
    #[track_caller]
    pub fn run_interrupted(&self, args: &[&str], ready: impl Fn() -> bool) -> (Run, Duration) {
        let out = self.dir.path().join("interrupted.stdout");
        let err = self.dir.path().join("interrupted.stderr");
        let mut child = self
            .command(args)
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&out).expect("stdout file"))
            .stderr(std::fs::File::create(&err).expect("stderr file"))
            .spawn()
            .expect("start terraform");
        let started = Instant::now();
        while !ready() {
            if started.elapsed() > Duration::from_secs(60)
                || child.try_wait().ok().flatten().is_some()
            {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "terraform {} was never ready to interrupt:\n{}\n{}",
                    args.join(" "),
                    std::fs::read_to_string(&out).unwrap_or_default(),
                    std::fs::read_to_string(&err).unwrap_or_default()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let interrupted = Instant::now();
        let sent = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(sent.success(), "could not interrupt terraform");
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait for terraform") {
                break status;
            }
            if interrupted.elapsed() > Duration::from_secs(180) {
                let _ = child.kill();
                break child.wait().expect("wait for terraform");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let took = interrupted.elapsed();
        let run = Run {
            code: status.code().unwrap_or(-1),
            stdout: std::fs::read_to_string(&out).unwrap_or_default(),
            stderr: std::fs::read_to_string(&err).unwrap_or_default(),
        };
        secrets::assert_absent(
            &run.output(),
            &format!("the output of the interrupted terraform {}", args.join(" ")),
        );
        (run, took)
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

/// A suffix no other call in this test run returns (process id and a counter), for names and
/// tokens that must not collide between tests sharing an emulator or a cache.
pub fn rand_suffix() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "{}x{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}
