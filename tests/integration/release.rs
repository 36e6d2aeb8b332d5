//! Installable releases: `scripts/release.sh` packages the provider as the Terraform registry and
//! `terraform providers mirror` do, signs the checksums (or refuses to, without a key), and a
//! plain `terraform init` — no dev_overrides — installs it from a filesystem mirror and applies
//! with it against the emulator; the README's demo installs it the same way. The release workflow
//! that runs the script on every platform passes actionlint. (`registry.rs` installs the signed
//! release from a registry.)
//!
//! To stay fast, the tests package the debug binary Cargo built for them (`--binary`) instead of
//! a release build; everything else is the script's own logic.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use sha2::{Digest, Sha256};

use crate::support::gpg::{GpgHome, Key};
use crate::support::infisical::Infisical;
use crate::support::{Workspace, actionlint, provider_binary};

const NAME: &str = "terraform-provider-infisical";
const EMULATOR: &str = "infisical-emulator";
const VERSION: &str = env!("CARGO_PKG_VERSION");
const ADDRESS: &str = "registry.terraform.io/infisical/infisical";

/// This machine's target as Terraform names it, e.g. `linux_amd64`.
fn host_target() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    format!("{}_{arch}", std::env::consts::OS)
}

/// Runs `scripts/release.sh` on the test binary with `args`, panicking with its output on failure.
fn release(args: &[&str]) -> String {
    let (out, text) = run_release(args, &[]);
    assert!(out.status.success(), "release.sh failed:\n{text}");
    text
}

/// The emulator binary Cargo built beside the provider.
fn emulator_binary() -> PathBuf {
    let binary = provider_binary();
    // Built beside the provider by `cargo test --workspace` (the emulator crate has tests too).
    let emulator = binary.with_file_name(EMULATOR);
    assert!(
        emulator.exists(),
        "{} is missing: run the tests with `cargo test --workspace`, which builds it",
        emulator.display()
    );
    emulator
}

/// Runs `scripts/release.sh` on the test binaries with `args` and the environment variables
/// `env` (and no `GPG_FINGERPRINT` but one given there): its result and its output.
fn run_release(args: &[&str], env: &[(&str, &OsStr)]) -> (Output, String) {
    let binaries = [
        "--binary",
        provider_binary().to_str().unwrap(),
        "--emulator-binary",
        emulator_binary().to_str().unwrap(),
    ]
    .map(str::to_owned);
    let mut all: Vec<&str> = binaries.iter().map(String::as_str).collect();
    all.extend_from_slice(args);
    run_script(&all, env)
}

/// Runs `scripts/release.sh` at `VERSION` with `args` and `env` (and no `GPG_FINGERPRINT` but
/// one given there): its result and its output.
fn run_script(args: &[&str], env: &[(&str, &OsStr)]) -> (Output, String) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/release.sh");
    let out = Command::new("bash")
        .arg(script)
        .args(["--version", VERSION])
        .args(args)
        .env_remove("GPG_FINGERPRINT")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out, text)
}

/// One packaging of the test binary, shared by the tests (zipping a debug build takes a while):
/// `dist/` holds the archives, `mirror/` the packed filesystem mirror of them. Unsigned, as a
/// mirror for oneself may be.
fn packaged() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("release");
        let _ = std::fs::remove_dir_all(&dir);
        release(&[
            "--unsigned",
            "--out",
            dir.join("dist").to_str().unwrap(),
            "--mirror",
            dir.join("mirror").to_str().unwrap(),
        ]);
        dir
    })
}

/// A release signed with a throwaway key, shared by the tests (`registry.rs` serves it). The
/// GnuPG home that held the keys is gone once it is made: what is left is public.
pub(crate) struct Signed {
    /// What `release.sh` wrote with `GPG_FINGERPRINT` set: archives, checksums, signatures and
    /// the public key.
    pub dist: PathBuf,
    /// What `release.sh --assemble` wrote over the zips of two targets, as the release workflow's
    /// last job does.
    pub assembled: PathBuf,
    /// The key that signed both.
    pub key: Key,
    /// Another key, that signed nothing of ours.
    pub other: Key,
    /// The provider's SHA256SUMS of `dist`, signed by `other` instead.
    pub foreign_signature: PathBuf,
}

/// The provider's checksums file of a release.
pub(crate) fn sums_name() -> String {
    format!("{NAME}_{VERSION}_SHA256SUMS")
}

/// The zip of this machine's target.
pub(crate) fn zip_name() -> String {
    format!("{NAME}_{VERSION}_{}.zip", host_target())
}

/// The exported public key of a signed release.
fn public_key_name() -> String {
    format!("{NAME}_{VERSION}_signing-key.asc")
}

/// The signed release, made on first use.
pub(crate) fn signed() -> &'static Signed {
    static SIGNED: OnceLock<Signed> = OnceLock::new();
    SIGNED.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("signed");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let home = GpgHome::new();
        let key = home.generate_key("Release Test", "release@example.test");
        let other = home.generate_key("Someone Else", "someone-else@example.test");
        let env = [
            ("GNUPGHOME", home.path().as_os_str()),
            ("GPG_FINGERPRINT", OsStr::new(&key.fingerprint)),
        ];

        let dist = dir.join("dist");
        let (out, text) = run_release(&["--out", dist.to_str().unwrap()], &env);
        assert!(out.status.success(), "release.sh failed:\n{text}");

        // The workflow's runners each leave their target's zips; one zip under a second target's
        // name stands in for another runner's.
        let assembled = dir.join("assembled");
        std::fs::create_dir(&assembled).unwrap();
        let other_target = ["darwin_arm64", "linux_arm64"]
            .into_iter()
            .find(|t| *t != host_target())
            .unwrap();
        for (from, to) in [
            (zip_name(), zip_name()),
            (zip_name(), format!("{NAME}_{VERSION}_{other_target}.zip")),
            (
                format!("{EMULATOR}_{VERSION}_{}.zip", host_target()),
                format!("{EMULATOR}_{VERSION}_{}.zip", host_target()),
            ),
        ] {
            std::fs::copy(dist.join(from), assembled.join(to)).unwrap();
        }
        let (out, text) = run_script(&["--assemble", "--out", assembled.to_str().unwrap()], &env);
        assert!(
            out.status.success(),
            "release.sh --assemble failed:\n{text}"
        );

        let foreign_signature = dir.join("foreign.sig");
        home.detach_sign(&other, &dist.join(sums_name()), &foreign_signature);
        Signed {
            dist,
            assembled,
            key,
            other,
            foreign_signature,
        }
    })
}

/// The members of a zip as `(name, unix mode)`, read by Python's zipfile.
fn zip_members(zip: &Path) -> Vec<(String, u32)> {
    let out = Command::new("python3")
        .args([
            "-c",
            "import sys, zipfile\n\
             for i in zipfile.ZipFile(sys.argv[1]).infolist(): print(i.filename, i.external_attr >> 16)",
        ])
        .arg(zip)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let (name, mode) = l.rsplit_once(' ').unwrap();
            (name.to_owned(), mode.parse().unwrap())
        })
        .collect()
}

/// A CLI configuration that installs `addresses` from the filesystem mirror `mirror` only.
fn mirror_cli_config(mirror: &Path, addresses: &[&str]) -> String {
    let include = addresses
        .iter()
        .map(|a| format!("\"{a}\""))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "provider_installation {{\n  filesystem_mirror {{\n    path    = \"{}\"\n    \
         include = [{include}]\n  }}\n}}\n",
        mirror.display()
    )
}

/// A configuration with one PAT connection, requiring the provider from `source` at `VERSION`.
fn config(source: &str, name: &str, pat: &str) -> String {
    format!(
        r#"
terraform {{
  required_providers {{
    infisical = {{
      source  = "{source}"
      version = "{VERSION}"
    }}
  }}
}}

provider "infisical" {{}}

resource "infisical_app_connection_github" "gh" {{
  name   = "{name}"
  method = "pat"
  credentials = {{
    personal_access_token = "{pat}"
  }}
}}
"#
    )
}

fn release_archives_have_the_registry_layout() {
    let out = packaged().join("dist");
    let target = host_target();
    let zip = format!("{NAME}_{VERSION}_{target}.zip");
    let manifest = format!("{NAME}_{VERSION}_manifest.json");
    let sums = format!("{NAME}_{VERSION}_SHA256SUMS");
    let emulator_zip = format!("{EMULATOR}_{VERSION}_{target}.zip");
    let emulator_sums = format!("{EMULATOR}_{VERSION}_SHA256SUMS");
    let mut files: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let mut expected = vec![
        zip.clone(),
        manifest.clone(),
        sums.clone(),
        emulator_zip.clone(),
        emulator_sums.clone(),
    ];
    expected.sort();
    assert_eq!(files, expected);

    assert_eq!(
        zip_members(&out.join(&zip)),
        [(format!("{NAME}_v{VERSION}"), 0o100_755)],
        "the zip holds exactly the executable terraform-provider-infisical_v<version>"
    );

    let manifest_json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join(&manifest)).unwrap()).unwrap();
    assert_eq!(
        manifest_json,
        serde_json::json!({ "version": 1, "metadata": { "protocol_versions": ["6.0"] } })
    );

    // The registry's sums list the provider's files only; the emulator's are apart.
    for (sums, listed) in [
        (&sums, vec![&manifest, &zip]),
        (&emulator_sums, vec![&emulator_zip]),
    ] {
        let text = std::fs::read_to_string(out.join(sums)).unwrap();
        let mut lines: Vec<&str> = text.lines().collect();
        lines.sort_unstable();
        let mut computed: Vec<String> = listed
            .iter()
            .map(|f| {
                let hash = hex::encode(Sha256::digest(std::fs::read(out.join(f)).unwrap()));
                format!("{hash}  {f}")
            })
            .collect();
        computed.sort();
        assert_eq!(lines, computed, "{sums}");
    }

    // The emulator's zip holds the executable, which runs.
    assert_eq!(
        zip_members(&out.join(&emulator_zip)),
        [(EMULATOR.to_owned(), 0o100_755)]
    );
    let unpacked = packaged().join("emulator");
    let status = Command::new("python3")
        .args([
            "-c",
            "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])",
        ])
        .arg(out.join(&emulator_zip))
        .arg(&unpacked)
        .status()
        .unwrap();
    assert!(status.success());
    let binary = unpacked.join(EMULATOR);
    std::fs::set_permissions(&binary, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let help = Command::new(&binary).arg("--help").output().unwrap();
    // Its stdout is for the URL alone: the usage goes to stderr.
    assert!(help.status.success(), "{help:?}");
    assert!(
        String::from_utf8_lossy(&help.stderr).contains("--client-id"),
        "{help:?}"
    );
}

fn terraform_init_installs_the_provider_from_a_filesystem_mirror() {
    let tf = crate::support::terraform();
    // `source = "infisical/infisical"` names the CLI's own registry: registry.terraform.io for
    // Terraform, registry.opentofu.org for OpenTofu. The mirror holds the same zip under both.
    let address = format!("{}/infisical/infisical", tf.kind.registry_host());
    let target = host_target();
    let zip = format!("{NAME}_{VERSION}_{target}.zip");
    let packed = packaged().join("mirror");
    assert!(
        packed.join(ADDRESS).join(&zip).is_file(),
        "the packed layout is HOSTNAME/NAMESPACE/TYPE/terraform-provider-TYPE_VERSION_TARGET.zip"
    );
    let dir = tempfile::tempdir().unwrap();
    let mirror = dir.path().join("mirror");
    std::fs::create_dir_all(mirror.join(&address)).unwrap();
    std::fs::copy(
        packed.join(ADDRESS).join(&zip),
        mirror.join(&address).join(&zip),
    )
    .unwrap();

    let emu = Infisical::start();
    let mut ws = Workspace::with(tf);
    ws.cli_config(&mirror_cli_config(&mirror, &[&address]));
    emu.configure(&mut ws);
    let pat = format!("ghp_mirror_{}", std::process::id());
    emu.admin.add_pat(pat.clone());
    ws.config(&config("infisical/infisical", "mirror", &pat));

    let init = ws.run(&["init", "-no-color"]).success();
    assert!(
        init.stdout
            .contains(&format!("Installed infisical/infisical v{VERSION}")),
        "{}: {}",
        tf.label(),
        init.output()
    );
    let installed = ws
        .path()
        .join(".terraform/providers")
        .join(&address)
        .join(VERSION)
        .join(&target)
        .join(format!("{NAME}_v{VERSION}"));
    assert!(installed.is_file(), "{} is missing", installed.display());
    let lock = std::fs::read_to_string(ws.path().join(".terraform.lock.hcl")).unwrap();
    assert!(
        lock.contains(&format!("version     = \"{VERSION}\"")),
        "{lock}"
    );

    let apply = ws.run(&["apply", "-auto-approve"]).success();
    assert!(
        !apply.output().contains("development overrides"),
        "{}",
        apply.output()
    );
    assert!(apply.stdout.contains("1 added"), "{}", apply.output());
    let plan = ws.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(
        plan.code,
        0,
        "the second plan is not empty:\n{}",
        plan.output()
    );
    ws.run(&["destroy", "-auto-approve"]).success();
    let calls = emu.connection_calls();
    assert_eq!(
        calls.iter().filter(|c| c.starts_with("POST")).count(),
        1,
        "{calls:#?}"
    );
}

/// The README's migration for a provider installed under an address of its own: after
/// `terraform state replace-provider` and a new `source`, the state plans no changes.
fn replace_provider_moves_state_to_another_address() {
    let dir = tempfile::tempdir().unwrap();
    let mirror = dir.path().join("mirror");
    let other = "registry.example.com/acme/infisical";
    // The address `infisical/infisical` means for this CLI (see the mirror test).
    let address = format!(
        "{}/infisical/infisical",
        crate::support::terraform().kind.registry_host()
    );
    // The provider at its usual address (packed, as packaged above) and at another (unpacked).
    let zip = format!("{NAME}_{VERSION}_{}.zip", host_target());
    std::fs::create_dir_all(mirror.join(&address)).unwrap();
    std::fs::copy(
        packaged().join("mirror").join(ADDRESS).join(&zip),
        mirror.join(&address).join(&zip),
    )
    .unwrap();
    release(&[
        "--unsigned",
        "--out",
        dir.path().join("dist").to_str().unwrap(),
        "--mirror",
        mirror.to_str().unwrap(),
        "--layout",
        "unpacked",
        "--address",
        other,
    ]);
    let unpacked: PathBuf = mirror
        .join(other)
        .join(VERSION)
        .join(host_target())
        .join(format!("{NAME}_v{VERSION}"));
    assert!(unpacked.is_file(), "{} is missing", unpacked.display());

    let emu = Infisical::start();
    let mut ws = Workspace::new();
    ws.cli_config(&mirror_cli_config(&mirror, &[&address, other]));
    emu.configure(&mut ws);
    let pat = format!("ghp_moved_{}", std::process::id());
    emu.admin.add_pat(pat.clone());

    ws.config(&config("infisical/infisical", "moved", &pat));
    ws.run(&["init", "-no-color"]).success();
    ws.run(&["apply", "-auto-approve"]).success();

    ws.run(&[
        "state",
        "replace-provider",
        "-auto-approve",
        &address,
        other,
    ])
    .success();
    ws.config(&config(other, "moved", &pat));
    let init = ws.run(&["init", "-no-color"]).success();
    assert!(
        init.stdout
            .contains(&format!("Installed {other} v{VERSION}")),
        "{}",
        init.output()
    );
    let plan = ws.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(
        plan.code,
        0,
        "the moved state is not in sync:\n{}",
        plan.output()
    );
    let state = ws.run(&["show", "-json"]).success();
    assert!(
        state
            .stdout
            .contains(&format!("\"provider_name\":\"{other}\"")),
        "{}",
        state.stdout
    );
    ws.run(&["destroy", "-auto-approve"]).success();
    assert!(
        emu.connection_calls()
            .iter()
            .any(|c| c.starts_with("DELETE"))
    );
}

/// Issue 16: a release is signed unless `--unsigned` says otherwise, and without a key the script
/// refuses before packaging anything, saying how to give one.
fn release_without_a_key_is_refused_saying_how_to_give_one() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dist");
    let (run, text) = run_release(&["--out", out.to_str().unwrap()], &[]);
    assert!(
        !run.status.success(),
        "release.sh signed nothing, yet succeeded:\n{text}"
    );
    for words in ["set GPG_FINGERPRINT", "--unsigned"] {
        assert!(
            text.contains(words),
            "the refusal does not say {words:?}:\n{text}"
        );
    }
    assert!(!out.exists(), "release.sh wrote archives before refusing");

    // A key gpg does not hold is refused too, by name.
    let home = GpgHome::new();
    let missing = "0123456789ABCDEF0123456789ABCDEF01234567";
    let (run, text) = run_release(
        &["--out", out.to_str().unwrap()],
        &[
            ("GNUPGHOME", home.path().as_os_str()),
            ("GPG_FINGERPRINT", OsStr::new(missing)),
        ],
    );
    assert!(!run.status.success(), "{text}");
    assert!(
        text.contains(&format!(
            "GPG_FINGERPRINT is {missing}, and gpg has no secret key for it"
        )),
        "{text}"
    );
    assert!(!out.exists(), "release.sh wrote archives before refusing");
}

/// Imports a release's published public key into a fresh GnuPG home, as a user would, and checks
/// it is `key`.
fn import_public_key(dir: &Path, key: &Key) -> GpgHome {
    let home = GpgHome::new();
    home.gpg(&["--import", dir.join(public_key_name()).to_str().unwrap()]);
    let listing = home.gpg(&["--with-colons", "--list-keys"]);
    let listing = String::from_utf8(listing.stdout).unwrap();
    assert!(
        listing.contains(&format!("fpr:::::::::{}:", key.fingerprint)),
        "the published key is not the signing key:\n{listing}"
    );
    assert!(
        !listing.lines().any(|l| l.starts_with("sec")),
        "a secret key was published"
    );
    home
}

/// Issue 16: with `GPG_FINGERPRINT`, a release holds detached binary signatures of both
/// checksums files and the public key beside them, and `gpg --verify` accepts them.
fn signed_release_verifies_with_its_published_public_key() {
    let signed = signed();
    let dist = &signed.dist;
    let emulator_sums = format!("{EMULATOR}_{VERSION}_SHA256SUMS");
    let mut files: Vec<String> = std::fs::read_dir(dist)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let mut expected = vec![
        zip_name(),
        format!("{NAME}_{VERSION}_manifest.json"),
        sums_name(),
        format!("{}.sig", sums_name()),
        public_key_name(),
        format!("{EMULATOR}_{VERSION}_{}.zip", host_target()),
        emulator_sums.clone(),
        format!("{emulator_sums}.sig"),
    ];
    expected.sort();
    assert_eq!(files, expected);

    let home = import_public_key(dist, &signed.key);
    for sums in [sums_name(), emulator_sums] {
        let signature = dist.join(format!("{sums}.sig"));
        // Binary, as the registry serves it: an OpenPGP packet, not "-----BEGIN PGP".
        let bytes = std::fs::read(&signature).unwrap();
        assert!(
            bytes[0] & 0x80 != 0,
            "{sums}.sig is not a binary OpenPGP signature"
        );
        let verify = home.verify(&signature, &dist.join(&sums));
        let said = String::from_utf8_lossy(&verify.stderr).into_owned();
        assert!(verify.status.success(), "gpg --verify {sums}.sig:\n{said}");
        assert!(
            said.contains("Good signature from \"Release Test"),
            "{said}"
        );

        // And it is about these very checksums.
        let tampered = home.path().join("tampered");
        let mut text = std::fs::read_to_string(dist.join(&sums)).unwrap();
        text.push_str(&format!("{}  extra.zip\n", "0".repeat(64)));
        std::fs::write(&tampered, text).unwrap();
        let verify = home.verify(&signature, &tampered);
        assert!(!verify.status.success(), "a tampered {sums} verifies");
        assert!(
            String::from_utf8_lossy(&verify.stderr).contains("BAD signature"),
            "{verify:?}"
        );
    }
}

/// The release workflow's last step: `--assemble` writes the manifest, the checksums of every
/// target's zip the runners left, and their signature, building nothing.
fn assembled_release_signs_the_zips_of_every_target() {
    let signed = signed();
    let dir = &signed.assembled;
    let sums = std::fs::read_to_string(dir.join(sums_name())).unwrap();
    let mut listed: Vec<&str> = sums
        .lines()
        .map(|l| l.split_once("  ").unwrap().1)
        .collect();
    listed.sort_unstable();
    let mut zips: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(NAME) && n.ends_with(".zip"))
        .collect();
    zips.push(format!("{NAME}_{VERSION}_manifest.json"));
    zips.sort();
    assert_eq!(listed, zips);
    assert_eq!(listed.len(), 3, "two targets and the manifest: {listed:?}");

    let home = import_public_key(dir, &signed.key);
    let verify = home.verify(
        &dir.join(format!("{}.sig", sums_name())),
        &dir.join(sums_name()),
    );
    assert!(verify.status.success(), "{verify:?}");
}

/// Issue 16: the workflow that builds every platform's zips with `release.sh`, signs and
/// publishes them cannot run here; actionlint checks it, and every target the registry expects
/// is in its matrix.
/// The workflow `.github/workflows/<name>`, checked by actionlint.
fn linted_workflow(name: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let workflow = root.join(".github/workflows").join(name);
    let out = Command::new(actionlint::actionlint())
        .arg("-no-color")
        .arg(&workflow)
        .current_dir(root)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "actionlint finds problems in {name}:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(&workflow).unwrap()
}

fn release_workflow_passes_actionlint_and_builds_every_platform() {
    let text = linted_workflow("release.yml");
    for target in [
        "linux_amd64",
        "linux_arm64",
        "darwin_amd64",
        "darwin_arm64",
        "windows_amd64",
    ] {
        assert!(
            text.contains(&format!("target: {target}")),
            "the matrix has no {target}"
        );
    }
    for step in [
        "scripts/release.sh --targets",
        "scripts/release.sh --assemble",
        "GPG_FINGERPRINT:",
    ] {
        assert!(text.contains(step), "release.yml has no {step:?}");
    }
}

/// Issue 22: contributors' pushes and pull requests run `.ci/run` — with Go for the OpenTofu
/// lane and the matrix cached between runs — in a workflow actionlint accepts.
fn ci_workflow_passes_actionlint_and_runs_ci_with_go_and_the_cached_matrix() {
    let text = linted_workflow("ci.yml");
    for needed in [
        "push:",
        "pull_request:",
        "actions/setup-go@",
        "~/.cache/terraform-provider-infisical",
        "run: bash .ci/run",
        // Issue 25: HashiCorp's released Terraform, verified, and the declared Rust built.
        "TFPI_TERRAFORM_SOURCE: releases",
        "dtolnay/rust-toolchain@",
        "toolchain: ${{ steps.declared.outputs.version }}",
        "run: cargo build --workspace --locked",
    ] {
        assert!(text.contains(needed), "ci.yml has no {needed:?}");
    }
}

/// Issue 16: the README's first command installs the provider as users do — from a filesystem
/// mirror, with a lock file — so Terraform shows no development-overrides warning, and it still
/// creates, re-plans with no changes and destroys.
fn demo_installs_the_provider_as_users_do_without_overrides() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/demo.sh");
    let tf = crate::support::terraform();
    let out = Command::new("bash")
        .arg(&script)
        .args(["--binary", provider_binary().to_str().unwrap()])
        .args(["--emulator-binary", emulator_binary().to_str().unwrap()])
        .args(["--terraform", tf.path.to_str().unwrap()])
        .env_remove("TF_LOG")
        .env_remove("TF_LOG_PATH")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "the demo failed with Terraform {}:\n{text}",
        tf.version
    );
    for absent in [
        "Provider development overrides are in effect",
        "Incomplete lock file information",
    ] {
        assert!(
            !text.contains(absent),
            "Terraform {} warns {absent:?} in the demo:\n{text}",
            tf.version
        );
    }
    // Issue 28: the GitHub Actions path — a workflow's OIDC token read the secrets, another
    // repository's was refused, and the demo finished.
    let plain = text.replace("\u{1b}[0m", "").replace("\u{1b}[1m", "");
    for needed in [
        "a workflow of demo-org/demo-repo logs in with its OIDC token and reads the secrets",
        "\"DATABASE_URL\",",
        "Access denied",
        "GitHub Actions read the secrets with no stored secret",
    ] {
        assert!(
            plain.contains(needed),
            "the demo with Terraform {} lacks {needed:?}:\n{text}",
            tf.version
        );
    }
    // Issue 21: the sync wrote the two secrets to the emulated GitHub, and destroy removed them.
    let line_after = |heading: &str| {
        text.split_once(heading)
            .and_then(|(_, rest)| rest.split_once('\n'))
            .and_then(|(_, rest)| rest.lines().next())
            .map(str::to_owned)
    };
    assert_eq!(
        line_after("what GitHub holds now in demo-org/demo-repo (names only)").as_deref(),
        Some("APP_DATABASE_URL APP_STRIPE_KEY"),
        "{text}"
    );
    assert_eq!(
        line_after("what GitHub holds after destroy (remove_secrets_on_destroy = true)").as_deref(),
        Some("(none)"),
        "{text}"
    );
    for present in [
        format!("Installed infisical/infisical v{VERSION}"),
        "done: created, re-planned with no changes, destroyed".to_owned(),
    ] {
        assert!(
            text.contains(&present),
            "Terraform {}: no {present:?} in:\n{text}",
            tf.version
        );
    }
}

crate::cases! {
    full: [
        terraform_init_installs_the_provider_from_a_filesystem_mirror,
        replace_provider_moves_state_to_another_address,
        demo_installs_the_provider_as_users_do_without_overrides,
    ],
    once: [
        release_archives_have_the_registry_layout,
        release_without_a_key_is_refused_saying_how_to_give_one,
        signed_release_verifies_with_its_published_public_key,
        assembled_release_signs_the_zips_of_every_target,
        release_workflow_passes_actionlint_and_builds_every_platform,
        ci_workflow_passes_actionlint_and_runs_ci_with_go_and_the_cached_matrix,
    ],
}
