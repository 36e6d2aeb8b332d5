//! The plugin protocol with a real Terraform: schema, validate, plan, process lifecycle, mutual
//! TLS, and what happens when the binary is run by hand.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::plugin::{Launched, terraform_like_client_cert};
use crate::support::{REQUIRED_PROVIDERS, Workspace, provider_binary};

const SERVING: i32 = 1;

const USES_PROVIDER: &str = r#"
data "infisical_app_connection_github" "any" {
  name = "any"
}
"#;

fn provider_block(host: &str) -> String {
    format!(
        r#"{REQUIRED_PROVIDERS}
provider "infisical" {{
  host = "{host}"
  auth = {{
    universal = {{
      client_id     = "id"
      client_secret = "secret"
    }}
  }}
}}
"#
    )
}

fn providers_schema_lists_every_provider_attribute_with_sensitive_flags() {
    let terraform = crate::support::terraform();
    let ws = Workspace::with(terraform);
    ws.config(&provider_block("https://app.infisical.com"));
    let run = ws.run(&["providers", "schema", "-json"]).success();
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("schema JSON");
    let address = format!("{}/infisical/infisical", terraform.kind.registry_host());
    let provider = &json["provider_schemas"][&address]["provider"]["block"];
    let attrs = &provider["attributes"];
    assert_eq!(attrs["host"]["type"], "string", "{}", terraform.label());
    let auth = &attrs["auth"]["nested_type"]["attributes"];
    for name in [
        "organization_slug",
        "token",
        "universal",
        "oidc",
        "kubernetes",
        "aws_iam",
    ] {
        assert!(auth.get(name).is_some(), "auth.{name} missing: {auth}");
    }
    assert_eq!(auth["token"]["sensitive"], true);
    let universal = &auth["universal"]["nested_type"]["attributes"];
    assert_eq!(universal["client_secret"]["sensitive"], true);
    assert_eq!(universal["client_id"]["sensitive"], true);
    assert_eq!(
        auth["kubernetes"]["nested_type"]["attributes"]["service_account_token"]["sensitive"],
        true
    );
    assert!(
        auth["oidc"]["nested_type"]["attributes"]
            .get("token_environment_variable_name")
            .is_some()
    );
    assert!(
        auth["aws_iam"]["nested_type"]["attributes"]
            .get("identity_id")
            .is_some()
    );
}

fn validate_and_plan_succeed_with_a_provider_block() {
    let terraform = crate::support::terraform();
    let ws = Workspace::with(terraform);
    ws.config(&provider_block("https://app.infisical.com"));
    let validate = ws.run(&["validate"]).success();
    assert!(
        validate.stdout.contains("The configuration is valid"),
        "{}",
        validate.output()
    );
    let plan = ws.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(
        plan.code,
        0,
        "Terraform {}: {}",
        terraform.version,
        plan.output()
    );
    assert!(plan.stdout.contains("No changes"), "{}", plan.output());
}

fn an_invalid_host_fails_validate_pointing_at_the_host_attribute() {
    let terraform = crate::support::terraform();
    let ws = Workspace::with(terraform);
    // Terraform validates a provider block only when something uses the provider.
    ws.config(&format!(
        "{}{USES_PROVIDER}",
        provider_block("app.infisical.com")
    ));
    let run = ws.run(&["validate"]).failure();
    let out = run.output();
    assert!(out.contains("Invalid Infisical host"), "{out}");
    // The attribute path makes Terraform quote the offending line of the configuration.
    assert!(
        out.contains(r#"host = "app.infisical.com""#),
        "no attribute path in: {out}"
    );
}

fn plan_leaves_no_provider_process_behind_and_exits_gracefully() {
    let terraform = crate::support::terraform();
    let mut ws = Workspace::with(terraform);
    let log = ws.path().join("trace.log");
    ws.env("TF_LOG", "trace")
        .env("TF_LOG_PATH", log.to_str().unwrap());
    ws.config(&provider_block("https://app.infisical.com"));
    ws.run(&["plan"]).success();
    let trace = std::fs::read_to_string(&log).unwrap();
    assert!(
        !trace.contains("plugin failed to exit gracefully"),
        "Terraform {}",
        terraform.version
    );
    let pids: Vec<u32> = trace
        .lines()
        .filter(|l| l.contains("plugin started") && l.contains("terraform-provider-infisical"))
        .filter_map(|l| {
            l.split("pid=")
                .nth(1)?
                .split_whitespace()
                .next()?
                .parse()
                .ok()
        })
        .collect();
    assert!(!pids.is_empty(), "the trace shows no provider launch");
    let exited = trace.matches("plugin process exited").count();
    assert!(
        exited >= pids.len(),
        "{} launched, {exited} exited",
        pids.len()
    );
    for pid in pids {
        assert!(
            !std::path::Path::new(&format!("/proc/{pid}")).exists(),
            "provider {pid} still runs"
        );
    }
}

async fn shutdown_ends_the_process_promptly() {
    let mut launched = Launched::start(&[]);
    assert_eq!(launched.fields.len(), 6, "{:?}", launched.fields);
    assert_eq!(&launched.fields[..2], ["1", "6"]);
    assert_eq!(launched.fields[4], "grpc");
    let channel = launched.channel().await;
    assert_eq!(Launched::health(channel.clone()).await.unwrap(), SERVING);
    Launched::shutdown(channel).await.unwrap();
    let asked = Instant::now();
    let status = loop {
        if let Some(status) = launched.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            asked.elapsed() < Duration::from_secs(2),
            "still running 2 s after Shutdown"
        );
        std::thread::sleep(Duration::from_millis(2));
    };
    let took = asked.elapsed();
    assert!(status.success(), "{status:?}");
    assert!(
        took < Duration::from_millis(100),
        "exited {took:?} after Shutdown"
    );
    assert!(
        !launched.socket().exists(),
        "the socket file was left behind"
    );
}

async fn mutual_tls_refuses_clients_without_terraforms_certificate() {
    let (pem, cert, key) = terraform_like_client_cert();
    let launched = Launched::start(&[("PLUGIN_CLIENT_CERT", pem.as_str())]);
    assert!(
        launched.fields[5].len() > 50,
        "no server certificate in the handshake"
    );

    // No client certificate at all.
    let refused = match launched.tls_channel(None).await {
        Err(_) => true,
        Ok(channel) => Launched::health(channel).await.is_err(),
    };
    assert!(refused, "a client without a certificate was served");

    // A certificate that is not the one Terraform passed.
    let (_, other_cert, other_key) = terraform_like_client_cert();
    let refused = match launched.tls_channel(Some((other_cert, other_key))).await {
        Err(_) => true,
        Ok(channel) => Launched::health(channel).await.is_err(),
    };
    assert!(refused, "a client with a foreign certificate was served");

    // Terraform's certificate (ECDSA P-521, which needs aws-lc-rs to verify).
    let channel = launched
        .tls_channel(Some((cert, key)))
        .await
        .expect("TLS with the right certificate");
    assert_eq!(Launched::health(channel).await.unwrap(), SERVING);
}

fn running_by_hand_explains_and_exits_1_with_nothing_on_stdout() {
    let out = Command::new(provider_binary())
        .env_remove("TF_PLUGIN_MAGIC_COOKIE")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stdout.is_empty(),
        "stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("this binary is a plugin"), "{stderr}");
}

fn debug_mode_prints_a_reattach_line_terraform_can_use() {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(provider_binary())
        .arg("--debug")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let reattach = stdout
        .lines()
        .map_while(Result::ok)
        .find_map(|l| {
            l.trim()
                .strip_prefix("TF_REATTACH_PROVIDERS=")
                .map(str::to_owned)
        })
        .expect("a TF_REATTACH_PROVIDERS line");
    let reattach = reattach.trim_matches('\'').to_owned();
    let json: serde_json::Value = serde_json::from_str(&reattach).unwrap();
    // One entry for each CLI's address of `infisical/infisical`.
    for host in ["registry.terraform.io", "registry.opentofu.org"] {
        assert_eq!(
            json[format!("{host}/infisical/infisical")]["ProtocolVersion"],
            6
        );
    }

    let mut ws = Workspace::new();
    // No dev_overrides: the CLI finds the provider through the reattach line or not at all.
    ws.cli_config("provider_installation {\n  direct {}\n}\n");
    ws.env("TF_REATTACH_PROVIDERS", &reattach);
    ws.config(&provider_block("https://app.infisical.com"));
    let plan = ws.run(&["plan", "-detailed-exitcode"]);
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(plan.code, 0, "{}", plan.output());
}

crate::cases! {
    full: [
        providers_schema_lists_every_provider_attribute_with_sensitive_flags,
        validate_and_plan_succeed_with_a_provider_block,
        an_invalid_host_fails_validate_pointing_at_the_host_attribute,
        debug_mode_prints_a_reattach_line_terraform_can_use,
    ],
    compat: [
        plan_leaves_no_provider_process_behind_and_exits_gracefully,
    ],
    once: [
        running_by_hand_explains_and_exits_1_with_nothing_on_stdout,
    ],
    once_async: [
        shutdown_ends_the_process_promptly,
        mutual_tls_refuses_clients_without_terraforms_certificate,
    ],
}
