#!/usr/bin/env bash
# Builds release archives of the provider in the layout the Terraform registry and
# `terraform providers mirror` use, and optionally installs them into a filesystem mirror:
#
#   terraform-provider-infisical_<version>_<os>_<arch>.zip   holds terraform-provider-infisical_v<version>
#   terraform-provider-infisical_<version>_manifest.json     a copy of terraform-registry-manifest.json
#   terraform-provider-infisical_<version>_SHA256SUMS        sha256 of the zips and the manifest
#   terraform-provider-infisical_<version>_SHA256SUMS.sig    its detached (binary) GPG signature
#   terraform-provider-infisical_<version>_signing-key.asc   the signing key's public half (armoured)
#
# and, beside them, the Infisical emulator for users' offline tests (`terraform test` against it,
# see the README), which the registry ignores:
#
#   infisical-emulator_<version>_<os>_<arch>.zip             holds infisical-emulator
#   infisical-emulator_<version>_SHA256SUMS                  sha256 of its zips
#   infisical-emulator_<version>_SHA256SUMS.sig              its signature, with the same key
#
# A release is signed unless --unsigned says otherwise: the Terraform registry (public or private)
# serves the signature and the public key, and `terraform init` refuses a package whose checksums
# are not signed by that key. GPG_FINGERPRINT names the key (as in HashiCorp's provider release
# workflow); gpg must find its secret half (in GNUPGHOME) and be able to use it without a prompt.
# Archives only installed into one's own filesystem mirror (--mirror) need no signature: Terraform
# checks none there, so they may be made --unsigned.
#
# Needs cargo and python3 (zips are written by Python's zipfile), and GnuPG (`gpg`) to sign.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
name="terraform-provider-infisical"

usage() {
  cat <<USAGE
usage: scripts/release.sh [options]

  --targets LIST     comma-separated os_arch targets, e.g. linux_amd64,darwin_arm64
                     (default: this machine's). A target whose Rust standard library is not
                     installed (rustup target add <triple>) is skipped with a warning.
  --version V        the version to package (default: Cargo.toml's, currently $(cargo_version))
  --binary PATH      package this already built binary instead of building (one target only;
                     the tests use it to package the debug build)
  --emulator-binary PATH
                     likewise for the emulator; with --binary and without this, the emulator
                     is not packaged
  --out DIR          where the archives go (default: dist/)
  --mirror DIR       also install the archives into the filesystem mirror DIR
  --layout L         the mirror layout: packed (the zip, as \`terraform providers mirror\` does;
                     the default) or unpacked (the extracted binary)
  --address ADDR     the provider address in the mirror (default:
                     registry.terraform.io/infisical/infisical, the address configurations use
                     with source = "infisical/infisical")
  --unsigned         do not sign the checksums: for archives only installed into your own
                     filesystem mirror, where Terraform checks no signature
  --assemble         build nothing: write the manifest, the checksums and their signature for
                     the zips of this version already in --out (built there by release.sh runs
                     for other targets, as the release workflow does on each platform's runner)
  -h, --help         this text

Signing: every release is signed unless --unsigned is given. GPG_FINGERPRINT names the GPG key
(its fingerprint, or any key id gpg accepts); gpg must hold its secret key and use it without
prompting (a key without passphrase, or a gpg-agent that has the passphrase).

Targets: linux_amd64 linux_arm64 darwin_amd64 darwin_arm64 windows_amd64 freebsd_amd64
USAGE
}

cargo_version() {
  cargo metadata --no-deps --format-version 1 --manifest-path "$root/Cargo.toml" |
    python3 -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"]=="terraform-provider-infisical"))'
}

# The Rust target triple of an os_arch target.
triple_of() {
  case "$1" in
    linux_amd64) echo x86_64-unknown-linux-gnu ;;
    linux_arm64) echo aarch64-unknown-linux-gnu ;;
    darwin_amd64) echo x86_64-apple-darwin ;;
    darwin_arm64) echo aarch64-apple-darwin ;;
    windows_amd64) echo x86_64-pc-windows-msvc ;;
    freebsd_amd64) echo x86_64-unknown-freebsd ;;
    *) return 1 ;;
  esac
}

# The os_arch target of this machine.
host_target() {
  local host t
  host="$(rustc -vV | sed -n 's/^host: //p')"
  for t in linux_amd64 linux_arm64 darwin_amd64 darwin_arm64 windows_amd64 freebsd_amd64; do
    if [ "$(triple_of "$t")" = "$host" ]; then
      echo "$t"
      return
    fi
  done
  echo "unsupported host $host" >&2
  return 1
}

fail() { echo "release.sh: $*" >&2; exit 1; }
# Windows runners (Git Bash) may call Python `python` only.
if ! command -v python3 >/dev/null 2>&1 && command -v python >/dev/null 2>&1; then
  python3() { python "$@"; }
fi

targets="" version="" binary="" emulator_binary="" out="$root/dist" mirror="" layout="packed"
sign=yes assemble=""
address="registry.terraform.io/infisical/infisical"
while [ $# -gt 0 ]; do
  case "$1" in
    --targets) targets="$2"; shift 2 ;;
    --version) version="$2"; shift 2 ;;
    --binary) binary="$2"; shift 2 ;;
    --emulator-binary) emulator_binary="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --mirror) mirror="$2"; shift 2 ;;
    --layout) layout="$2"; shift 2 ;;
    --address) address="$2"; shift 2 ;;
    --unsigned) sign=""; shift ;;
    --assemble) assemble=yes; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "release.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done

if [ -n "$assemble" ]; then
  [ -z "$binary$emulator_binary$targets" ] || fail "--assemble builds nothing: it takes no --binary, --emulator-binary or --targets"
fi
[ -n "$version" ] || version="$(cargo_version)"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] || fail "version $version is not semver (x.y.z)"
host="$(host_target)"
[ -n "$targets" ] || targets="$host"
case "$layout" in packed | unpacked) ;; *) fail "--layout is packed or unpacked, not $layout" ;; esac
[[ "$address" =~ ^[a-z0-9.-]+/[a-z0-9_-]+/infisical$ ]] ||
  fail "--address is HOSTNAME/NAMESPACE/infisical (the type must stay infisical), not $address"
IFS=',' read -r -a wanted <<<"$targets"
if [ -n "$binary" ]; then
  [ "${#wanted[@]}" -eq 1 ] || fail "--binary packages one target, not ${#wanted[@]}"
  [ -x "$binary" ] || fail "$binary is not an executable"
fi
if [ -n "$emulator_binary" ]; then
  [ -n "$binary" ] || fail "--emulator-binary goes with --binary"
  [ -x "$emulator_binary" ] || fail "$emulator_binary is not an executable"
fi
emulator="infisical-emulator"

# Signing is settled before building, so that a long build does not end in a refusal.
key=""
if [ -z "$sign" ]; then
  [ -z "${GPG_FINGERPRINT:-}" ] || echo "note: --unsigned: not signing, although GPG_FINGERPRINT is set" >&2
else
  [ -n "${GPG_FINGERPRINT:-}" ] || fail "a release is signed, and no key was given: set GPG_FINGERPRINT to the fingerprint of \
the GPG key to sign SHA256SUMS with (\`gpg --list-secret-keys --keyid-format long\` lists yours), or pass \
--unsigned for archives you only install into your own filesystem mirror"
  command -v gpg >/dev/null 2>&1 || fail "signing needs GnuPG, and there is no gpg here: install it (Debian/Ubuntu: apt-get install gnupg; macOS: brew install gnupg), or pass --unsigned"
  key="${GPG_FINGERPRINT// /}"
  gpg --batch --list-secret-keys -- "$key" >/dev/null 2>&1 ||
    fail "GPG_FINGERPRINT is $key, and gpg has no secret key for it (in ${GNUPGHOME:-~/.gnupg}): import the key, or name one that \`gpg --list-secret-keys\` lists"
fi

# write_zip ARCHIVE FILE NAME: a zip of FILE as its one member NAME, executable, with a fixed
# timestamp (the same binary gives the same zip). Written by Python's zipfile.
write_zip() {
  python3 - "$1" "$2" "$3" <<'PY'
import os, sys, zipfile
archive, member, name = sys.argv[1:4]
info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
info.create_system = 3  # Unix, so that the mode below is read
info.external_attr = 0o100755 << 16
info.compress_type = zipfile.ZIP_DEFLATED
with open(member, "rb") as f, zipfile.ZipFile(archive + ".tmp", "w") as z:
    z.writestr(info, f.read())
os.replace(archive + ".tmp", archive)
PY
}

# write_sums FILE...: `sha256  name` lines of the files (in the current directory), sorted.
write_sums() {
  python3 - "$@" <<'PY'
import hashlib, sys
for name in sorted(sys.argv[1:]):
    with open(name, "rb") as f:
        print(f"{hashlib.sha256(f.read()).hexdigest()}  {name}")
PY
}

mkdir -p "$out"
out="$(cd "$out" && pwd)"

built=() skipped=() emulators=()
if [ -n "$assemble" ]; then
  # The zips of this version that release.sh runs for each target left in $out.
  wanted=()
  for zip in "$out/${name}_${version}_"*.zip; do
    [ -e "$zip" ] || continue
    zip="${zip##*/}"
    target="${zip#"${name}_${version}_"}"
    target="${target%.zip}"
    triple_of "$target" >/dev/null || fail "$zip: unknown target $target"
    built+=("$target")
    [ ! -e "$out/${emulator}_${version}_${target}.zip" ] || emulators+=("${emulator}_${version}_${target}.zip")
  done
  [ "${#built[@]}" -gt 0 ] || fail "--assemble: no ${name}_${version}_<os>_<arch>.zip in $out"
  echo "==> assembling ${built[*]}" >&2
fi
for target in ${wanted[@]+"${wanted[@]}"}; do
  triple="$(triple_of "$target")" || fail "unknown target $target (see --help)"
  exe=""
  [[ "$target" == windows_* ]] && exe=".exe"
  source_emulator=""
  if [ -n "$binary" ]; then
    source_binary="$binary"
    source_emulator="$emulator_binary"
  elif [ "$target" = "$host" ]; then
    echo "==> building $target (cargo build --release)" >&2
    cargo build --release --locked --quiet --manifest-path "$root/Cargo.toml" \
      -p terraform-provider-infisical --bin "$name" -p "$emulator" --bin "$emulator"
    source_binary="$root/target/release/$name$exe"
    source_emulator="$root/target/release/$emulator$exe"
  elif command -v rustup >/dev/null 2>&1 && rustup target list --installed 2>/dev/null | grep -x "$triple" >/dev/null; then
    echo "==> building $target (cargo build --release --target $triple)" >&2
    cargo build --release --locked --quiet --manifest-path "$root/Cargo.toml" \
      -p terraform-provider-infisical --bin "$name" -p "$emulator" --bin "$emulator" --target "$triple"
    source_binary="$root/target/$triple/release/$name$exe"
    source_emulator="$root/target/$triple/release/$emulator$exe"
  else
    echo "warning: skipping $target: the Rust target $triple is not installed here (rustup target add $triple; it may need a linker for $target too)" >&2
    skipped+=("$target")
    continue
  fi

  zip="${name}_${version}_${target}.zip"
  write_zip "$out/$zip" "$source_binary" "${name}_v${version}${exe}"
  echo "==> $out/$zip" >&2
  if [ -n "$source_emulator" ]; then
    emulator_zip="${emulator}_${version}_${target}.zip"
    write_zip "$out/$emulator_zip" "$source_emulator" "${emulator}${exe}"
    echo "==> $out/$emulator_zip" >&2
    emulators+=("$emulator_zip")
  fi
  built+=("$target")
done
[ "${#built[@]}" -gt 0 ] || fail "nothing was built (skipped: ${skipped[*]})"

manifest="${name}_${version}_manifest.json"
cp "$root/terraform-registry-manifest.json" "$out/$manifest"
sums="${name}_${version}_SHA256SUMS"
emulator_sums="${emulator}_${version}_SHA256SUMS"
public_key="${name}_${version}_signing-key.asc"
# A signature of earlier checksums would not match the new ones.
rm -f "$out/$sums.sig" "$out/$emulator_sums.sig" "$out/$public_key"
(
  cd "$out"
  files=("$manifest")
  for target in "${built[@]}"; do files+=("${name}_${version}_${target}.zip"); done
  write_sums "${files[@]}" >"$sums"
  if [ "${#emulators[@]}" -gt 0 ]; then
    write_sums "${emulators[@]}" >"$emulator_sums"
  fi
)
echo "==> $out/$sums" >&2
[ "${#emulators[@]}" -eq 0 ] || echo "==> $out/$emulator_sums" >&2

# sign SUMS: a detached binary signature SUMS.sig (what the registry protocol serves as
# shasums_signature_url), checked at once against the key.
sign() {
  gpg --batch --yes --local-user "$key" --detach-sign --output "$out/$1.sig" "$out/$1" ||
    fail "gpg could not sign $1 with $key (a key with a passphrase needs a gpg-agent that has it)"
  gpg --batch --verify "$out/$1.sig" "$out/$1" 2>/dev/null || fail "the signature of $1 does not verify"
  echo "==> $out/$1.sig" >&2
}
if [ -n "$sign" ]; then
  sign "$sums"
  [ "${#emulators[@]}" -eq 0 ] || sign "$emulator_sums"
  gpg --batch --armor --export -- "$key" >"$out/$public_key"
  [ -s "$out/$public_key" ] || fail "gpg exported no public key for $key"
  echo "==> $out/$public_key (signed by $(gpg --batch --with-colons --list-keys -- "$key" | awk -F: '$1 == "pub" { print $5; exit }'))" >&2
else
  echo "==> not signed (--unsigned)" >&2
fi

if [ -n "$mirror" ]; then
  mkdir -p "$mirror"
  mirror="$(cd "$mirror" && pwd)"
  for target in "${built[@]}"; do
    zip="${name}_${version}_${target}.zip"
    if [ "$layout" = packed ]; then
      # HOSTNAME/NAMESPACE/TYPE/terraform-provider-TYPE_VERSION_TARGET.zip
      dir="$mirror/$address"
      mkdir -p "$dir"
      rm -rf "${dir:?}/$version/$target"
      cp "$out/$zip" "$dir/$zip"
      echo "==> installed $dir/$zip" >&2
    else
      # HOSTNAME/NAMESPACE/TYPE/VERSION/TARGET/, holding the zip's contents
      dir="$mirror/$address/$version/$target"
      rm -rf "$dir" "$mirror/$address/$zip"
      mkdir -p "$dir"
      python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$out/$zip" "$dir"
      chmod 0755 "$dir"/*
      echo "==> installed $dir/" >&2
    fi
  done
  cat >&2 <<CONFIG

To install from this mirror, put this in your CLI configuration (~/.terraformrc, or the file
TF_CLI_CONFIG_FILE names):

provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["$address"]
  }
  direct {
    exclude = ["$address"]
  }
}
CONFIG
fi

[ "${#skipped[@]}" -eq 0 ] || echo "warning: not built here: ${skipped[*]}" >&2
