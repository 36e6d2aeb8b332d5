//! GnuPG for the release tests: makes sure `gpg` is there (installing it as root on Debian and
//! Ubuntu, as CI runs), and keeps throwaway signing keys in a temporary home that is removed,
//! with the agent gpg started for it, when dropped. No key ever leaves that home but the public one.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

/// What to do when `gpg` is missing and cannot be installed here.
const INSTALL_HINT: &str = "the release tests need GnuPG (`gpg`) to sign and verify checksums: \
     install it (Debian/Ubuntu: apt-get install gnupg; Fedora: dnf install gnupg2; \
     macOS: brew install gnupg) and run the tests again";

/// Makes sure `gpg` runs, installing the `gnupg` package with apt-get when it is missing and
/// the tests run as root (a fresh CI machine); otherwise panics saying what to install.
pub fn ensure_installed() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        if runs("gpg") {
            return;
        }
        let root = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
        assert!(
            root && runs("apt-get"),
            "gpg is not installed, and only root on Debian/Ubuntu can install it here: {INSTALL_HINT}"
        );
        eprintln!("gpg is missing: installing gnupg with apt-get");
        let install = || {
            Command::new("apt-get")
                .args(["install", "-y", "-q", "--no-install-recommends", "gnupg"])
                .env("DEBIAN_FRONTEND", "noninteractive")
                .stdout(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        };
        // A fresh machine may have no package lists yet.
        let installed = install()
            || (Command::new("apt-get")
                .args(["update", "-q"])
                .stdout(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
                && install());
        assert!(
            installed && runs("gpg"),
            "apt-get could not install gnupg: {INSTALL_HINT}"
        );
    });
}

/// Whether `program --version` runs.
fn runs(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A signing key: what a registry serves about it.
#[derive(Debug, Clone)]
pub struct Key {
    /// The full fingerprint, as `GPG_FINGERPRINT` takes it.
    pub fingerprint: String,
    /// The long (16 hex digits) key id, as Terraform prints it.
    pub id: String,
    /// The public key in ASCII armour.
    pub armor: String,
}

/// A temporary GnuPG home (`GNUPGHOME`) for throwaway keys.
pub struct GpgHome {
    dir: tempfile::TempDir,
}

impl GpgHome {
    /// An empty home, with `gpg` installed first if need be. Its path is short (under the
    /// system's temp dir): gpg-agent's socket lives there, and socket paths are limited.
    pub fn new() -> Self {
        ensure_installed();
        // tempfile makes the directory 0700, as gpg wants its home.
        let dir = tempfile::Builder::new()
            .prefix("gnupg")
            .tempdir()
            .expect("temp GNUPGHOME");
        Self { dir }
    }

    /// The home directory, for `GNUPGHOME`.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs gpg in this home with `args`, panicking with its stderr unless it succeeds.
    pub fn gpg(&self, args: &[&str]) -> Output {
        let out = self.command().args(args).output().expect("run gpg");
        assert!(
            out.status.success(),
            "gpg {} failed:\n{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    fn command(&self) -> Command {
        let mut command = Command::new("gpg");
        command.env("GNUPGHOME", self.path()).arg("--batch");
        command
    }

    /// Generates an RSA signing key (the Terraform Registry takes RSA and DSA keys) without a
    /// passphrase, for `name <email>`.
    pub fn generate_key(&self, name: &str, email: &str) -> Key {
        let uid = format!("{name} <{email}>");
        self.gpg(&[
            "--quiet",
            "--passphrase",
            "",
            "--quick-generate-key",
            &uid,
            "rsa3072",
            "sign",
            "never",
        ]);
        let listing = self.gpg(&["--with-colons", "--list-secret-keys", "--", email]);
        let listing = String::from_utf8(listing.stdout).expect("gpg lists UTF-8");
        let field = |record: &str, index: usize| {
            listing
                .lines()
                .map(|l| l.split(':').collect::<Vec<_>>())
                .find(|f| f[0] == record)
                .map(|f| f[index].to_owned())
                .unwrap_or_else(|| panic!("no {record} record in:\n{listing}"))
        };
        let fingerprint = field("fpr", 9);
        let id = field("sec", 4);
        let armor = self
            .gpg(&["--armor", "--export", "--", &fingerprint])
            .stdout;
        Key {
            fingerprint,
            id,
            armor: String::from_utf8(armor).expect("armour is ASCII"),
        }
    }

    /// Signs `file` with `key`: a detached binary signature written to `signature`.
    pub fn detach_sign(&self, key: &Key, file: &Path, signature: &Path) {
        self.gpg(&[
            "--yes",
            "--local-user",
            &key.fingerprint,
            "--output",
            &signature.display().to_string(),
            "--detach-sign",
            &file.display().to_string(),
        ]);
    }

    /// `gpg --verify signature file` in this home: its result, success or not.
    pub fn verify(&self, signature: &Path, file: &Path) -> Output {
        self.command()
            .arg("--verify")
            .args([signature, file].map(PathBuf::from))
            .output()
            .expect("run gpg --verify")
    }
}

impl Drop for GpgHome {
    fn drop(&mut self) {
        // The agent gpg started for this home, and only that one.
        let _ = Command::new("gpgconf")
            .args(["--kill", "all"])
            .env("GNUPGHOME", self.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}
