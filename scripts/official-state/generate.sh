#!/usr/bin/env bash
# Regenerates tests/fixtures/official-v0.19.24/: the state the official Infisical provider
# writes, as test data for the `…state_written_by_the_official_provider…` tests.
#
#   scripts/official-state/generate.sh OFFICIAL_PROVIDER_BINARY [CASE...]
#                                      [--emulator-binary PATH] [--terraform PATH] [--out DIR]
#
# OFFICIAL_PROVIDER_BINARY is a build of Infisical/terraform-provider-infisical (this script
# does not build it; tests/fixtures/official-v0.19.24/README.md says how ours was built). The
# script starts this repository's emulator in demo mode (any ghp_ token is a valid PAT, and the
# emulated GitHub has demo-org/demo-repo with the environment production; the emulator serves
# the deprecated project, environment, folder, tag and raw-secret routes the official provider
# calls), runs Terraform 1.15.5 with a CLI configuration whose dev_overrides point
# infisical/infisical at that binary, applies each case's configuration
# (scripts/official-state/<case>.tf), checks that the official provider's own next plan is
# empty, and copies the configuration and the resulting state into the fixtures as
# `<case>/main.tf` and `<case>/state.json`. CASE... names the cases to run (all by default;
# they run in the script's order). CI does not run it; the committed fixtures are its output.
#
# Every credential and secret value is fake: the emulator's machine identity, ghp_ tokens it
# accepts, and the fixture values the cases write.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

# The project the cases use; the tests create a project with this id in their own emulator.
project="0f9e8d7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f"
# In this order: the data sources read the project before project_environment adds to it.
all_cases=(
  app_connection_github secret_sync_github data_sources project project_environment
  secret_folder secret secret_write_only secret_tag
)
selected=()

official="" emulator="" tf="" out="$root/tests/fixtures/official-v0.19.24"
while [ $# -gt 0 ]; do
  case "$1" in
    --emulator-binary) emulator="$2"; shift 2 ;;
    --terraform) tf="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h | --help) sed -n '2,21p' "$0"; exit 0 ;;
    -*) echo "generate.sh: unknown option $1" >&2; exit 2 ;;
    *) if [ -z "$official" ]; then
         official="$1"
       else
         [ -f "$here/$1.tf" ] || { echo "generate.sh: no case $1" >&2; exit 2; }
         selected+=("$1")
       fi
       shift ;;
  esac
done
[ -n "$official" ] || { sed -n '2,21p' "$0" >&2; exit 2; }
cases=()
for case in "${all_cases[@]}"; do
  if [ ${#selected[@]} -eq 0 ] || [[ " ${selected[*]} " == *" $case "* ]]; then
    cases+=("$case")
  fi
done
[ -x "$official" ] || { echo "generate.sh: $official is not an executable" >&2; exit 2; }
official="$(cd "$(dirname "$official")" && pwd)/$(basename "$official")"

if [ -z "$emulator" ]; then
  say "building the emulator"
  cargo build --quiet --manifest-path "$root/Cargo.toml" -p infisical-emulator --bin infisical-emulator
  emulator="$root/target/debug/infisical-emulator"
fi
[ -n "$tf" ] || tf="$(bash "$root/scripts/install-cli.sh" terraform 1.15.5)"
say "using $("$tf" version | head -n 1) and $official"

work="$(mktemp -d)"
emulator_pid=""
cleanup() {
  [ -n "$emulator_pid" ] && kill "$emulator_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

say "starting the Infisical emulator"
"$emulator" --project "$project" >"$work/emulator.out" 2>"$work/emulator.err" &
emulator_pid=$!
url=""
for _ in $(seq 1 100); do
  url="$(head -n 1 "$work/emulator.out" 2>/dev/null || true)"
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { cat "$work/emulator.err" >&2; echo "the emulator did not start" >&2; exit 1; }
echo "emulator at $url"

# Two secrets in the project's prod environment, for the syncs to carry and the secrets data
# source to read.
for pair in DATABASE_URL=postgres://fixture STRIPE_KEY=sk_fixture; do
  python3 - "$url/__emulator/projects/$project/secrets" "${pair%%=*}" "${pair#*=}" <<'PY'
import json, sys, urllib.request
url, key, value = sys.argv[1:4]
body = json.dumps({"environment": "prod", "key": key, "value": value}).encode()
req = urllib.request.Request(url, data=body, method="PUT",
                             headers={"Content-Type": "application/json"})
urllib.request.urlopen(req).read()
PY
done

# Terraform runs the official binary for infisical/infisical; dev_overrides wants a directory
# holding it under the provider's name.
mkdir -p "$work/plugins"
ln -s "$official" "$work/plugins/terraform-provider-infisical"
cat >"$work/cli.tfrc" <<CONFIG
provider_installation {
  dev_overrides {
    "registry.terraform.io/infisical/infisical" = "$work/plugins"
  }
  direct {}
}
CONFIG
export TF_CLI_CONFIG_FILE="$work/cli.tfrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0
# The official provider reads its host and machine identity from these, as ours does.
export INFISICAL_HOST="$url"
export INFISICAL_UNIVERSAL_AUTH_CLIENT_ID=demo-client-id
export INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET=demo-client-secret

for case in "${cases[@]}"; do
  say "$case: terraform apply with the official provider"
  dir="$work/$case"
  mkdir -p "$dir"
  sed "s/@PROJECT_ID@/$project/g" "$here/$case.tf" >"$dir/main.tf"
  (cd "$dir" && "$tf" apply -auto-approve -no-color)
  # A second plan must be empty, or the state is not one the official provider settles on.
  (cd "$dir" && "$tf" plan -detailed-exitcode -no-color >"$work/$case.plan" 2>&1) || {
    cat "$work/$case.plan" >&2
    echo "$case: the official provider plans a change over its own state" >&2
    exit 1
  }
  mkdir -p "$out/$case"
  cp "$dir/main.tf" "$out/$case/main.tf"
  cp "$dir/terraform.tfstate" "$out/$case/state.json"
  echo "wrote $out/$case/{main.tf,state.json}"
done

say "done; the emulator was at $url (the tests substitute their own host and ids)"
