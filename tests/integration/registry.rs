//! Issue 16: Terraform installs our signed release from a provider registry exactly as from the
//! public one. A registry on 127.0.0.1 (`support::registry`, HTTPS with a test CA) serves the
//! release `scripts/release.sh` signed with a throwaway key, and its signing key; `terraform init`
//! verifies the signature of SHA256SUMS and the zip against it, and records the checksums in the
//! lock file. Tampered checksums, or checksums signed by another key, fail init with Terraform's
//! own verification error. On the full lane: Terraform and OpenTofu (`tofu init`), whose registry
//! serves signing keys in the same shape.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::release::{Signed, signed, sums_name, zip_name};
use crate::support::gpg::Key;
use crate::support::registry::{Provider, Registry, SigningKey};
use crate::support::{Run, Workspace};

/// The registry's hostname, as configurations name it in `source`; the CLI configuration maps
/// it to the test server.
const HOST: &str = "registry.example.test";
const SOURCE: &str = "registry.example.test/infisical/infisical";
const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Serves the release in `dir`, with `key` as its signing key.
fn serve(dir: &Path, key: &Key) -> Registry {
    Registry::serve(Provider {
        namespace: "infisical".into(),
        type_name: "infisical".into(),
        dir: dir.to_path_buf(),
        keys: vec![SigningKey {
            key_id: key.id.clone(),
            ascii_armor: key.armor.clone(),
        }],
    })
}

/// Copies what the registry serves of the signed release (zip, manifest, checksums, signature)
/// into `to`.
fn copy_release(signed: &Signed, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for name in [
        zip_name(),
        format!("terraform-provider-infisical_{VERSION}_manifest.json"),
        sums_name(),
        format!("{}.sig", sums_name()),
    ] {
        std::fs::copy(signed.dist.join(&name), to.join(&name)).unwrap();
    }
}

/// `terraform init` with Terraform `tf` in a configuration that requires the provider from the
/// registry.
fn init(tf: &crate::support::Terraform, registry: &Registry) -> (Workspace, Run) {
    let mut ws = Workspace::with(tf);
    ws.cli_config(&registry.cli_config(HOST));
    ws.env("SSL_CERT_FILE", registry.ca_file().to_str().unwrap());
    ws.config(&format!(
        r#"
terraform {{
  required_providers {{
    infisical = {{
      source  = "{SOURCE}"
      version = "{VERSION}"
    }}
  }}
}}

provider "infisical" {{}}
"#
    ));
    let run = ws.run(&["init", "-no-color"]);
    (ws, run)
}

/// The provider executable `init` installed in the workspace, if any.
fn installed(ws: &Workspace) -> std::path::PathBuf {
    let target = zip_name()
        .trim_start_matches(&format!("terraform-provider-infisical_{VERSION}_"))
        .trim_end_matches(".zip")
        .to_owned();
    ws.path()
        .join(".terraform/providers")
        .join(SOURCE)
        .join(VERSION)
        .join(target)
        .join(format!("terraform-provider-infisical_v{VERSION}"))
}

/// `terraform init` from a registry serving `dir` with `key` fails on every Terraform with the
/// installer's error `why`, and installs nothing.
fn refused_by_every_terraform(dir: &Path, key: &Key, why: &str) {
    let registry = serve(dir, key);
    let tf = crate::support::terraform();
    let (ws, run) = init(tf, &registry);
    let run = run.failure();
    let output = run.folded_output();
    // Terraform says "…v0.1.0: {why}"; OpenTofu puts "the provider is not signed with a valid
    // signing key; please contact the provider author ({why}…)" between the two.
    let failed = format!("Failed to install provider Error while installing {SOURCE} v{VERSION}: ");
    assert!(
        output.contains(&failed)
            && output
                .split_once(&failed)
                .is_some_and(|(_, rest)| rest.contains(why)),
        "Terraform {}: {}",
        tf.version,
        run.output()
    );
    assert!(
        !installed(&ws).exists(),
        "Terraform {} installed it",
        tf.version
    );
}

fn terraform_init_installs_a_signed_release_and_locks_its_checksums() {
    let signed = signed();
    let registry = serve(&signed.dist, &signed.key);
    let zip_hash = hex::encode(Sha256::digest(
        std::fs::read(signed.dist.join(zip_name())).unwrap(),
    ));
    let tf = crate::support::terraform();
    let (ws, run) = init(tf, &registry);
    let run = run.success();
    // The CLI names the key that signed the checksums it verified: Terraform calls a key
    // without a partner's trust signature "self-signed", OpenTofu calls any verified key "signed".
    let verdict = match tf.kind {
        crate::support::matrix::Kind::Terraform => "self-signed",
        crate::support::matrix::Kind::OpenTofu => "signed",
    };
    assert!(
        run.folded_output().contains(&format!(
            "Installed {SOURCE} v{VERSION} ({verdict}, key ID {})",
            signed.key.id
        )),
        "Terraform {}: {}",
        tf.version,
        run.output()
    );
    assert!(
        installed(&ws).is_file(),
        "{} is missing",
        installed(&ws).display()
    );
    // The lock file holds the zip's hash from the signed SHA256SUMS (zh:) and the hash of
    // the installed package (h1:).
    let lock = std::fs::read_to_string(ws.path().join(".terraform.lock.hcl")).unwrap();
    assert!(lock.contains(&format!("provider \"{SOURCE}\"")), "{lock}");
    assert!(lock.contains(&format!("\"zh:{zip_hash}\"")), "{lock}");
    assert!(lock.contains("\"h1:"), "{lock}");
    // The installed provider runs.
    ws.run(&["validate"]).success();
    let requests = registry.requests();
    for path in [
        format!("/v1/providers/infisical/infisical/{VERSION}/download/"),
        format!("/files/{}.sig", sums_name()),
        format!("/files/{}", sums_name()),
        format!("/files/{}", zip_name()),
    ] {
        assert!(
            requests.iter().any(|r| r.starts_with(&path)),
            "Terraform never asked for {path}: {requests:#?}"
        );
    }
}

/// A swapped zip whose hash replaces the real one in SHA256SUMS — what an attacker controlling
/// the downloads could serve — no longer matches the signature.
fn terraform_init_refuses_tampered_checksums() {
    let signed = signed();
    let dir = tempfile::tempdir().unwrap();
    copy_release(signed, dir.path());
    let zip = dir.path().join(zip_name());
    let mut bytes = std::fs::read(&zip).unwrap();
    bytes.extend_from_slice(b"tampered");
    std::fs::write(&zip, &bytes).unwrap();
    let sums_path = dir.path().join(sums_name());
    let sums = std::fs::read_to_string(&sums_path).unwrap();
    let tampered: String = sums
        .lines()
        .map(|l| match l.split_once("  ") {
            Some((_, name)) if name == zip_name() => {
                format!("{}  {name}\n", hex::encode(Sha256::digest(&bytes)))
            }
            _ => format!("{l}\n"),
        })
        .collect();
    assert_ne!(tampered, sums);
    std::fs::write(&sums_path, tampered).unwrap();

    refused_by_every_terraform(
        dir.path(),
        &signed.key,
        "error checking signature: openpgp: invalid signature",
    );
}

/// The real checksums, signed by a key the registry does not list.
fn terraform_init_refuses_checksums_signed_by_another_key() {
    let signed = signed();
    let dir = tempfile::tempdir().unwrap();
    copy_release(signed, dir.path());
    std::fs::copy(
        &signed.foreign_signature,
        dir.path().join(format!("{}.sig", sums_name())),
    )
    .unwrap();

    refused_by_every_terraform(
        dir.path(),
        &signed.key,
        "authentication signature from unknown issuer",
    );
    // The other key is a real key: served as the signing key, the same files install.
    let registry = serve(dir.path(), &signed.other);
    let (_, run) = init(crate::support::terraform(), &registry);
    run.success();
}

crate::cases! {
    full: [
        terraform_init_installs_a_signed_release_and_locks_its_checksums,
        terraform_init_refuses_tampered_checksums,
        terraform_init_refuses_checksums_signed_by_another_key,
    ],
}
