#!/usr/bin/env bash
# Builds release archives of the provider in the layout the Terraform registry and
# `terraform providers mirror` use, and optionally installs them into a filesystem mirror:
#
#   terraform-provider-infisical_<version>_<os>_<arch>.zip   holds terraform-provider-infisical_v<version>
#   terraform-provider-infisical_<version>_manifest.json     a copy of terraform-registry-manifest.json
#   terraform-provider-infisical_<version>_SHA256SUMS        sha256 of the zips and the manifest
#
# and, beside them, the Infisical emulator for users' offline tests (`terraform test` against it,
# see the README), which the registry ignores:
#
#   infisical-emulator_<version>_<os>_<arch>.zip             holds infisical-emulator
#   infisical-emulator_<version>_SHA256SUMS                  sha256 of its zips
#
# Needs only cargo and python3 (zips are written by Python's zipfile).
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
  -h, --help         this text

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

targets="" version="" binary="" emulator_binary="" out="$root/dist" mirror="" layout="packed"
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
    -h | --help) usage; exit 0 ;;
    *) echo "release.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done

fail() { echo "release.sh: $*" >&2; exit 1; }
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
for target in "${wanted[@]}"; do
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
    source_binary="$root/target/release/$name"
    source_emulator="$root/target/release/$emulator"
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
(
  cd "$out"
  files=("$manifest")
  for target in "${built[@]}"; do files+=("${name}_${version}_${target}.zip"); done
  write_sums "${files[@]}" >"$sums"
  if [ "${#emulators[@]}" -gt 0 ]; then
    write_sums "${emulators[@]}" >"${emulator}_${version}_SHA256SUMS"
  fi
)
echo "==> $out/$sums" >&2
[ "${#emulators[@]}" -eq 0 ] || echo "==> $out/${emulator}_${version}_SHA256SUMS" >&2

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
