//! Runs the Infisical emulator as a process: prints its URL as the first line of stdout, then
//! serves until Ctrl-C or SIGTERM. Demo rules are on unless `--no-demo` is given.

use std::process::ExitCode;
use std::time::Duration;

use infisical_emulator::{AwsKey, BucketLimits, Config, Emulator, GitHubApp};

const USAGE: &str = "\
usage: infisical-emulator [options]

  --port N              port on 127.0.0.1 (default: a free one)
  --client-id X         universal-auth client id (default: demo-client-id)
  --client-secret Y     universal-auth client secret (default: demo-client-secret)
  --token-ttl SECS      access-token TTL (default: 7200)
  --token-max-ttl SECS  access-token max TTL, the limit of renewals (default: 2592000)
  --org-id ID           organization id (default: a random uuid)
  --pat TOKEN           a GitHub personal access token to accept (repeatable)
  --code CODE[=I1,I2]   a single-use GitHub code whose user sees installations I1, I2 (repeatable)
  --project ID          a project id that exists (repeatable)
  --gateway ID          a gateway id that exists (repeatable)
  --gateway-pool ID     a gateway pool id that exists (repeatable)
  --github-app ID=NAME[,KEY=VALUE...]
                        an org-managed GitHub App that credentials.gitHubAppId may name and
                        GET /api/v1/github-apps lists (repeatable); ID is a uuid; keys: slug,
                        app-id, client-id, owner, host, instance-type (cloud or server), project
  --no-shared-github-app
                        no instance-wide GitHub App: github-app connections must name one with
                        gitHubAppId (default: a shared app, listed with id null)
  --no-gateway-license  a plan without gateways: a create with gatewayId is refused (400)
  --no-gateway-pool-license
                        a plan without gateway pools: gatewayPoolId is refused (400)
  --oidc ID=JWT         a machine identity that logs in with OIDC auth and this JWT (repeatable)
  --kubernetes ID=TOKEN a machine identity that logs in with Kubernetes auth and this service
                        account token (repeatable)
  --aws ID=KEY_ID:SECRET
                        a machine identity that logs in with AWS auth, signing with this AWS
                        access key id and secret access key (repeatable)
  --github-repo OWNER/NAME[=ENV1,ENV2]
                        a repository on the emulated GitHub (served under /__github), with
                        environments (repeatable); its owner counts as an organization
  --sync-speedup N      run the secret-sync queue's delays (10 s jitter, 3 s backoff doubling,
                        30 s requeue) N times faster (default: 1000)
  --real-sync-timing    the server's own secret-sync timing (speedup 1)
  --rate-limits SPEC    enforce the self-hosted server's rate-limit buckets per client IP:
                        SPEC is default (600/min in all, read 60, write 200, secrets 60 per
                        route, auth 60, project-creation 30) or NAME=N,... changing those
                        (global, read, write, secrets, auth, project-creation, window-ms);
                        also read from INFISICAL_EMULATOR_RATE_LIMITS (default: no limit)
  --no-demo             turn off the demo rules: PATs starting with ghp_ or github_pat_ are valid,
                        any unused code is valid once and sees every installation, and the
                        emulated GitHub has demo-org/demo-repo (environment production), which
                        every token and installation reaches

The first line of stdout is the base URL. The admin API lives under /__emulator/ (see the crate docs).";

/// Fixtures given on the command line, applied once the emulator runs.
#[derive(Default)]
struct Fixtures {
    pats: Vec<String>,
    codes: Vec<(String, Vec<String>)>,
    projects: Vec<String>,
    gateways: Vec<String>,
    gateway_pools: Vec<String>,
    github_apps: Vec<GitHubApp>,
    oidc: Vec<(String, String)>,
    kubernetes: Vec<(String, String)>,
    aws: Vec<(String, AwsKey)>,
    github_repos: Vec<(String, String, Vec<String>)>,
}

/// Splits `ID=VALUE`.
fn pair(flag: &str, value: &str) -> Result<(String, String), String> {
    value
        .split_once('=')
        .filter(|(id, rest)| !id.is_empty() && !rest.is_empty())
        .map(|(id, rest)| (id.to_owned(), rest.to_owned()))
        .ok_or_else(|| format!("{flag} wants KEY=VALUE, not {value:?}"))
}

/// Parses `ID=NAME[,KEY=VALUE...]` into a GitHub App.
fn github_app(value: &str) -> Result<GitHubApp, String> {
    let mut parts = value.split(',');
    let (id, name) = pair("--github-app", parts.next().unwrap_or_default())?;
    let mut app = GitHubApp::new(id, name);
    for part in parts {
        let (key, setting) = pair("--github-app", part)?;
        match key.as_str() {
            "slug" => app.slug = setting,
            "app-id" => app.app_id = setting,
            "client-id" => app.client_id = setting,
            "owner" => app.owner = Some(setting),
            "host" => app.host = Some(setting),
            "instance-type" => app.instance_type = setting,
            "project" => app.project_id = Some(setting),
            other => return Err(format!("--github-app has no key {other:?}")),
        }
    }
    Ok(app)
}

/// Parses `OWNER/NAME[=ENV1,ENV2]`.
fn github_repo(value: &str) -> Result<(String, String, Vec<String>), String> {
    let (repo, environments) = value.split_once('=').unwrap_or((value, ""));
    let (owner, name) = repo
        .split_once('/')
        .filter(|(owner, name)| !owner.is_empty() && !name.is_empty())
        .ok_or_else(|| format!("--github-repo wants OWNER/NAME[=ENV,...], not {value:?}"))?;
    let environments = environments
        .split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(str::to_owned)
        .collect();
    Ok((owner.to_owned(), name.to_owned(), environments))
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<(Config, Fixtures), String> {
    let mut config = Config {
        demo: true,
        ..Config::default()
    };
    let mut fixtures = Fixtures::default();
    while let Some(flag) = args.next() {
        if flag == "--help" || flag == "-h" {
            return Err(String::new());
        }
        let switched_off = match flag.as_str() {
            "--no-demo" => Some(&mut config.demo),
            "--no-gateway-license" => Some(&mut config.gateway_license),
            "--no-gateway-pool-license" => Some(&mut config.gateway_pool_license),
            _ => None,
        };
        if let Some(setting) = switched_off {
            *setting = false;
            continue;
        }
        if flag == "--no-shared-github-app" {
            config.shared_github_app = None;
            continue;
        }
        if flag == "--real-sync-timing" {
            config.sync_timing.speedup = 1;
            continue;
        }
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let seconds = |v: &str| {
            v.parse::<u64>()
                .map(Duration::from_secs)
                .map_err(|_| format!("{flag} wants a number of seconds, not {v:?}"))
        };
        match flag.as_str() {
            "--port" => {
                config.port = value
                    .parse()
                    .map_err(|_| format!("--port wants a port number, not {value:?}"))?;
            }
            "--client-id" => config.client_id = value,
            "--client-secret" => config.client_secret = value,
            "--token-ttl" => config.token_ttl = seconds(&value)?,
            "--token-max-ttl" => config.token_max_ttl = seconds(&value)?,
            "--org-id" => config.org_id = value,
            "--pat" => fixtures.pats.push(value),
            "--code" => {
                let (code, installations) = value.split_once('=').unwrap_or((&value, ""));
                let installations = installations
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect();
                fixtures.codes.push((code.to_owned(), installations));
            }
            "--project" => fixtures.projects.push(value),
            "--gateway" => fixtures.gateways.push(value),
            "--gateway-pool" => fixtures.gateway_pools.push(value),
            "--github-app" => fixtures.github_apps.push(github_app(&value)?),
            "--github-repo" => fixtures.github_repos.push(github_repo(&value)?),
            "--sync-speedup" => {
                config.sync_timing.speedup = value
                    .parse::<u32>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| {
                        format!("--sync-speedup wants a positive number, not {value:?}")
                    })?;
            }
            "--rate-limits" => config.rate_limit_buckets = Some(rate_limits(&value)?),
            "--oidc" => fixtures.oidc.push(pair(&flag, &value)?),
            "--kubernetes" => fixtures.kubernetes.push(pair(&flag, &value)?),
            "--aws" => {
                let (id, key) = pair(&flag, &value)?;
                let (key_id, secret) = key
                    .split_once(':')
                    .ok_or_else(|| format!("--aws wants IDENTITY=KEY_ID:SECRET, not {value:?}"))?;
                fixtures.aws.push((id, AwsKey::new(key_id, secret)));
            }
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok((config, fixtures))
}

/// The environment variable that turns the rate-limit buckets on when `--rate-limits` is not
/// given.
const RATE_LIMITS_VARIABLE: &str = "INFISICAL_EMULATOR_RATE_LIMITS";

fn rate_limits(spec: &str) -> Result<BucketLimits, String> {
    BucketLimits::parse(spec).map_err(|e| format!("--rate-limits: {e}"))
}

/// Resolves on Ctrl-C or (on Unix) SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let (mut config, fixtures) = match parse_args(std::env::args().skip(1)) {
        Ok(parsed) => parsed,
        Err(message) if message.is_empty() => {
            eprintln!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("infisical-emulator: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if config.rate_limit_buckets.is_none()
        && let Ok(spec) = std::env::var(RATE_LIMITS_VARIABLE)
        && !spec.trim().is_empty()
    {
        match rate_limits(&spec) {
            Ok(limits) => config.rate_limit_buckets = Some(limits),
            Err(message) => {
                eprintln!("infisical-emulator: {RATE_LIMITS_VARIABLE}: {message}");
                return ExitCode::from(2);
            }
        }
    }
    let demo = config.demo;
    let client_id = config.client_id.clone();
    let emulator = match Emulator::start(config).await {
        Ok(emulator) => emulator,
        Err(e) => {
            eprintln!("infisical-emulator: cannot listen: {e}");
            return ExitCode::FAILURE;
        }
    };
    let admin = emulator.admin();
    fixtures.pats.into_iter().for_each(|p| admin.add_pat(p));
    for (code, installations) in fixtures.codes {
        admin.add_code(code, installations);
    }
    fixtures
        .projects
        .into_iter()
        .for_each(|p| admin.add_project(p));
    fixtures
        .gateways
        .into_iter()
        .for_each(|g| admin.add_gateway(g));
    fixtures
        .gateway_pools
        .into_iter()
        .for_each(|p| admin.add_gateway_pool(p));
    for app in fixtures.github_apps {
        if let Err(message) = admin.add_github_app(app) {
            eprintln!("infisical-emulator: --github-app: {message}");
            return ExitCode::from(2);
        }
    }
    for (id, jwt) in fixtures.oidc {
        admin.add_oidc_identity(id, jwt);
    }
    for (id, token) in fixtures.kubernetes {
        admin.add_kubernetes_identity(id, token);
    }
    for (id, key) in fixtures.aws {
        admin.add_aws_identity(id, key);
    }
    for (owner, name, environments) in fixtures.github_repos {
        admin.add_github_repo(&owner, &name, environments);
    }

    // The first stdout line is the contract with scripts: nothing may be printed before it.
    println!("{}", emulator.url());
    eprintln!(
        "infisical-emulator: serving on {} (universal-auth client id {client_id:?}, demo rules {}, \
         rate-limit buckets {})",
        emulator.url(),
        if demo { "on" } else { "off" },
        match emulator.admin().rate_limit_buckets() {
            Some(l) => format!(
                "on: global {}, read {}, write {}, secrets {}, project-creation {} per {} ms",
                l.global,
                l.read_limit,
                l.write_limit,
                l.secrets_limit,
                l.project_creation_limit,
                l.window_ms
            ),
            None => "off".to_owned(),
        }
    );
    shutdown_signal().await;
    eprintln!("infisical-emulator: stopping");
    emulator.stop().await;
    ExitCode::SUCCESS
}
