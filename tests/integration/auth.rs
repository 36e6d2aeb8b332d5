//! Provider configuration and authentication (issue 5): every login method of the official
//! provider, configured in the provider block and through the environment alone, end to end with
//! a real Terraform; the errors of a misconfiguration at plan, before any login; a token that
//! expires mid-apply; failed logins that say what failed; and, throughout, a `TF_LOG=trace` log
//! without a secret in it. The client's side of each method is pinned against the emulator too.

use std::cell::RefCell;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use infisical_emulator::{AwsKey, AwsRole, Config, Emulator};
use terraform_provider_infisical::infisical::aws::{AwsCredentials, AwsSource};
use terraform_provider_infisical::infisical::{
    Auth, Client, ClientConfig, Error, ServiceAccountToken,
};
use terraform_provider_infisical::provider::env;
use terraform_provider_infisical::secret::Secret;
use url::Url;

use crate::support::infisical::Infisical;
use crate::support::{REQUIRED_PROVIDERS, Run, Workspace};

const OIDC_ID: &str = "b7a1d2c3-0000-4000-8000-000000000001";
const KUBERNETES_ID: &str = "b7a1d2c3-0000-4000-8000-000000000002";
const AWS_ID: &str = "b7a1d2c3-0000-4000-8000-000000000003";
const AWS_KEY_ID: &str = "AKIAEMULATOREXAMPLE";
const AWS_SECRET: &str = "aws-secret-access-key-that-must-stay-hidden";
const AWS_SESSION: &str = "aws-session-token-that-must-stay-hidden";
const CLIENT_SECRET: &str = "demo-client-secret";
const PAT: &str = "ghp_auth_tests_personal_access_token";
const WEB_IDENTITY_TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.web-identity-must-stay-hidden.c2ln";
const CONTAINER_TOKEN: &str = "container-authorization-token-that-must-stay-hidden";
/// A user's long-term key in a source profile, trusted to assume the emulator's AWS role.
const AWS_USER_KEY_ID: &str = "AKIAUSEREXAMPLE";
const AWS_USER_SECRET: &str = "aws-user-secret-that-must-stay-hidden";
/// The access token of an SSO login, as `aws sso login` caches it.
const SSO_ACCESS_TOKEN: &str = "aws-sso-access-token-that-must-stay-hidden";

/// The login route of each method.
fn login_path(method: &str) -> &'static str {
    match method {
        "universal" => "/api/v1/auth/universal-auth/login",
        "oidc" => "/api/v1/auth/oidc-auth/login",
        "kubernetes" => "/api/v1/auth/kubernetes-auth/login",
        "aws_iam" => "/api/v1/auth/aws-auth/login",
        _ => "(token auth does not log in)",
    }
}

/// Every variable the provider reads for its settings, and AWS's. Each scene blanks them all
/// (blank counts as unset) so that the machine running the tests cannot change their outcome.
const PROVIDER_VARIABLES: [&str; 31] = [
    env::HOST,
    "INFISICAL_SERVICE_TOKEN",
    env::UNIVERSAL_CLIENT_ID,
    env::UNIVERSAL_CLIENT_SECRET,
    env::TOKEN,
    env::AUTH_METHOD,
    env::ORGANIZATION_SLUG,
    env::MACHINE_IDENTITY_ID,
    env::OIDC_TOKEN_NAME,
    env::AUTH_JWT,
    env::KUBERNETES_TOKEN,
    env::KUBERNETES_TOKEN_PATH,
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_CONFIG_FILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_ENDPOINT_URL_STS",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_EC2_METADATA_DISABLED",
    "AWS_EC2_METADATA_SERVICE_ENDPOINT",
    "AWS_ENDPOINT_URL_SSO",
];

/// One Terraform working directory with a trace log, a clean environment, and the secrets in
/// play, none of which may show in the log or in Terraform's output.
struct Scene {
    ws: Workspace,
    log: PathBuf,
    secrets: Vec<String>,
    outputs: RefCell<String>,
}

impl Scene {
    fn new() -> Self {
        let mut ws = Workspace::new();
        for var in PROVIDER_VARIABLES {
            ws.env(var, "");
        }
        // The machine's own ~/.aws must not supply credentials either.
        let nowhere = ws.path().join("no-such-aws-file");
        let nowhere = nowhere.to_str().unwrap().to_owned();
        ws.env("AWS_SHARED_CREDENTIALS_FILE", &nowhere)
            .env("AWS_CONFIG_FILE", &nowhere)
            // Nor the instance metadata of a test machine in EC2.
            .env("AWS_EC2_METADATA_DISABLED", "true");
        let log = ws.path().join("trace.log");
        ws.env("TF_LOG", "trace")
            .env("TF_LOG_PATH", log.to_str().unwrap());
        Self {
            ws,
            log,
            secrets: vec![
                CLIENT_SECRET.to_owned(),
                AWS_SECRET.to_owned(),
                AWS_SESSION.to_owned(),
                PAT.to_owned(),
                WEB_IDENTITY_TOKEN.to_owned(),
                CONTAINER_TOKEN.to_owned(),
                AWS_USER_SECRET.to_owned(),
                SSO_ACCESS_TOKEN.to_owned(),
            ],
            outputs: RefCell::new(String::new()),
        }
    }

    fn env(&mut self, key: &str, value: &str) -> &mut Self {
        self.ws.env(key, value);
        self
    }

    fn secret(&mut self, secret: &str) -> &mut Self {
        self.secrets.push(secret.to_owned());
        self
    }

    fn config(&self, hcl: &str) -> &Self {
        self.ws.config(hcl);
        self
    }

    fn run(&self, args: &[&str]) -> Run {
        let run = self.ws.run(args);
        self.outputs.borrow_mut().push_str(&run.output());
        run
    }

    /// Neither the trace log nor Terraform's output shows a secret, or an access token the
    /// emulator issued (they all start with `emu.`).
    #[track_caller]
    fn assert_no_secrets(&self) {
        let trace = std::fs::read_to_string(&self.log).unwrap_or_default();
        assert!(
            trace.contains("provider.infisical"),
            "the provider wrote nothing to the trace log"
        );
        let outputs = self.outputs.borrow();
        for secret in &self.secrets {
            assert!(
                !trace.contains(secret.as_str()),
                "the trace log shows a secret"
            );
            assert!(
                !outputs.contains(secret.as_str()),
                "Terraform's output shows the secret {secret:?}:\n{outputs}"
            );
        }
        for text in [&trace, &*outputs] {
            assert!(
                !text.match_indices("emu.").any(|(at, _)| {
                    text[at + 4..]
                        .chars()
                        .take(32)
                        .filter(char::is_ascii_hexdigit)
                        .count()
                        == 32
                }),
                "an Infisical access token was logged"
            );
        }
    }
}

/// A configuration with one GitHub connection named `name`, and this provider block.
fn config(provider: &str, name: &str) -> String {
    format!(
        r#"{REQUIRED_PROVIDERS}
{provider}

resource "infisical_app_connection_github" "gh" {{
  name   = "{name}"
  method = "pat"
  credentials = {{
    personal_access_token = "{PAT}"
  }}
}}
"#
    )
}

/// A provider block with `host` and this `auth` (HCL object body).
fn provider_block(emu: &Infisical, auth: &str) -> String {
    format!(
        "provider \"infisical\" {{\n  host = \"{}/api/\"\n  auth = {{\n    {auth}\n  }}\n}}",
        emu.url
    )
}

/// An emulator with every kind of identity declared, and the PAT.
fn emulator(config: Config) -> Infisical {
    let emu = Infisical::with(config);
    emu.admin.add_pat(PAT);
    emu.admin.add_oidc_identity(OIDC_ID, jwt("oidc"));
    emu.admin
        .add_kubernetes_identity(KUBERNETES_ID, jwt("kubernetes"));
    emu.admin.add_aws_identity(
        AWS_ID,
        AwsKey {
            session_token: Some(AWS_SESSION.to_owned()),
            ..AwsKey::new(AWS_KEY_ID, AWS_SECRET)
        },
    );
    emu
}

/// A distinctive JWT-shaped secret for `what`.
fn jwt(what: &str) -> String {
    format!("eyJhbGciOiJSUzI1NiJ9.{what}-claims-must-stay-hidden.c2lnbmF0dXJl")
}

/// Applies `scene` and checks that the provider logged in with `method` only (once per
/// Terraform process at most) and created the connection.
#[track_caller]
fn apply_and_check(emu: &Infisical, scene: &Scene, method: &str, name: &str) {
    emu.admin.clear_requests();
    scene.run(&["apply", "-auto-approve"]).success();
    assert!(
        emu.admin.connections().iter().any(|c| c.name == name),
        "{name} was not created"
    );
    let logins: Vec<String> = emu
        .api_requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/api/v1/auth/"))
        .map(|r| format!("{} {:?}", r.path, r.status))
        .collect();
    if method == "token" {
        assert!(logins.is_empty(), "token auth logged in: {logins:?}");
    } else {
        assert!(!logins.is_empty(), "{method} never logged in");
        for login in &logins {
            assert_eq!(login, &format!("{} Some(200)", login_path(method)));
        }
    }
    scene.assert_no_secrets();
}

/// Variables that would choose another method, or another host: the provider block beats them.
fn distractions(scene: &mut Scene, method: &str) {
    scene
        .env(env::HOST, "http://127.0.0.1:9")
        .env(env::MACHINE_IDENTITY_ID, "not-this-identity")
        .env(env::UNIVERSAL_CLIENT_ID, "not-this-client")
        .env(env::UNIVERSAL_CLIENT_SECRET, "not-this-secret");
    if method == "token" {
        scene.env(env::AUTH_METHOD, "universal");
    } else {
        scene
            .env(env::AUTH_METHOD, "token")
            .env(env::TOKEN, "not-this-token");
    }
}

fn universal_auth_applies_from_the_block_and_from_the_environment() {
    let emu = emulator(Config::default());
    let mut block = Scene::new();
    distractions(&mut block, "universal");
    block.config(&config(
        &provider_block(
            &emu,
            &format!(
                "universal = {{\n      client_id = \"demo-client-id\"\n      client_secret = \"{CLIENT_SECRET}\"\n    }}"
            ),
        ),
        "universal-block",
    ));
    apply_and_check(&emu, &block, "universal", "universal-block");

    let mut environment = Scene::new();
    environment
        .env(env::HOST, &emu.url)
        .env(env::AUTH_METHOD, "universal")
        .env(env::UNIVERSAL_CLIENT_ID, "demo-client-id")
        .env(env::UNIVERSAL_CLIENT_SECRET, CLIENT_SECRET);
    environment.config(&config("provider \"infisical\" {}", "universal-env"));
    apply_and_check(&emu, &environment, "universal", "universal-env");
}

fn token_auth_applies_from_the_block_and_from_the_environment() {
    let emu = emulator(Config::default());
    let token = emu.access_token();
    let mut block = Scene::new();
    block.secret(&token);
    distractions(&mut block, "token");
    block.config(&config(
        &provider_block(&emu, &format!("token = \"{token}\"")),
        "token-block",
    ));
    apply_and_check(&emu, &block, "token", "token-block");

    // The legacy way: INFISICAL_TOKEN alone, no INFISICAL_AUTH_METHOD.
    let mut environment = Scene::new();
    environment
        .secret(&token)
        .env(env::HOST, &emu.url)
        .env(env::TOKEN, &token);
    environment.config(&config("provider \"infisical\" {}", "token-env"));
    apply_and_check(&emu, &environment, "token", "token-env");
}

fn oidc_auth_applies_from_the_block_and_from_the_environment() {
    let emu = emulator(Config::default());
    let jwt = jwt("oidc");
    // The block names the variable holding the JWT; the identity id comes from the block.
    let mut block = Scene::new();
    block.secret(&jwt);
    distractions(&mut block, "oidc");
    block
        .env("CI_OIDC_TOKEN", &jwt)
        .env(env::AUTH_JWT, "not-this-jwt")
        .env(env::OIDC_TOKEN_NAME, "NOT_THIS_VARIABLE");
    block.config(&config(
        &provider_block(
            &emu,
            &format!(
                "organization_slug = \"sub-org\"\n    oidc = {{\n      identity_id = \"{OIDC_ID}\"\n      token_environment_variable_name = \"CI_OIDC_TOKEN\"\n    }}"
            ),
        ),
        "oidc-block",
    ));
    apply_and_check(&emu, &block, "oidc", "oidc-block");
    let body = emu.api_requests()[0].body.clone().unwrap();
    assert_eq!(body["organizationSlug"], "sub-org");
    assert_eq!(body["identityId"], OIDC_ID);

    let mut environment = Scene::new();
    environment
        .secret(&jwt)
        .env(env::HOST, &emu.url)
        .env(env::AUTH_METHOD, "oidc")
        .env(env::MACHINE_IDENTITY_ID, OIDC_ID)
        .env(env::AUTH_JWT, &jwt);
    environment.config(&config("provider \"infisical\" {}", "oidc-env"));
    apply_and_check(&emu, &environment, "oidc", "oidc-env");
}

fn kubernetes_auth_applies_from_the_block_and_from_the_environment() {
    let emu = emulator(Config::default());
    let token = jwt("kubernetes");
    let mut block = Scene::new();
    block.secret(&token);
    distractions(&mut block, "kubernetes");
    block.env(env::KUBERNETES_TOKEN, "not-this-token");
    block.config(&config(
        &provider_block(
            &emu,
            &format!(
                "kubernetes = {{\n      identity_id = \"{KUBERNETES_ID}\"\n      service_account_token = \"{token}\"\n    }}"
            ),
        ),
        "kubernetes-block",
    ));
    apply_and_check(&emu, &block, "kubernetes", "kubernetes-block");

    // From a token file, as in a pod (here not at the default path).
    let mut environment = Scene::new();
    let file = environment.ws.path().join("sa-token");
    std::fs::write(&file, format!("{token}\n")).unwrap();
    environment
        .secret(&token)
        .env(env::HOST, &emu.url)
        .env(env::AUTH_METHOD, "kubernetes")
        .env(env::MACHINE_IDENTITY_ID, KUBERNETES_ID)
        .env(env::KUBERNETES_TOKEN_PATH, file.to_str().unwrap());
    environment.config(&config("provider \"infisical\" {}", "kubernetes-env"));
    apply_and_check(&emu, &environment, "kubernetes", "kubernetes-env");
}

fn aws_iam_auth_applies_from_the_block_and_from_the_environment() {
    let emu = emulator(Config::default());
    // Temporary credentials in AWS's environment variables, as in Lambda or CI.
    let mut block = Scene::new();
    distractions(&mut block, "aws_iam");
    block
        .env("AWS_ACCESS_KEY_ID", AWS_KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", AWS_SECRET)
        .env("AWS_SESSION_TOKEN", AWS_SESSION)
        .env("AWS_REGION", "eu-central-1");
    block.config(&config(
        &provider_block(
            &emu,
            &format!("aws_iam = {{\n      identity_id = \"{AWS_ID}\"\n    }}"),
        ),
        "aws-block",
    ));
    apply_and_check(&emu, &block, "aws_iam", "aws-block");

    // A named profile in the shared files, region from the config file.
    let mut environment = Scene::new();
    let credentials = environment.ws.path().join("aws-credentials");
    let aws_config = environment.ws.path().join("aws-config");
    std::fs::write(
        &credentials,
        format!(
            "[default]\naws_access_key_id = AKIAWRONGDEFAULT\naws_secret_access_key = wrong\n\n\
             [deploy]\naws_access_key_id = {AWS_KEY_ID}\naws_secret_access_key = {AWS_SECRET}\n\
             aws_session_token = {AWS_SESSION}\n"
        ),
    )
    .unwrap();
    std::fs::write(&aws_config, "[profile deploy]\nregion = ap-southeast-2\n").unwrap();
    environment
        .env(env::HOST, &emu.url)
        .env(env::AUTH_METHOD, "aws_iam")
        .env(env::MACHINE_IDENTITY_ID, AWS_ID)
        .env("AWS_PROFILE", "deploy")
        .env("AWS_SHARED_CREDENTIALS_FILE", credentials.to_str().unwrap())
        .env("AWS_CONFIG_FILE", aws_config.to_str().unwrap());
    environment.config(&config("provider \"infisical\" {}", "aws-env"));
    apply_and_check(&emu, &environment, "aws_iam", "aws-env");
}

fn aws_iam_auth_takes_credentials_from_instance_metadata_containers_web_identity_and_profiles() {
    let emu = emulator(Config::default());
    // The key the identity accepts, handed out by the emulator's stand-ins for AWS's services.
    emu.admin.set_aws_role(AwsRole {
        name: "terraform-runner".to_owned(),
        key: AwsKey {
            session_token: Some(AWS_SESSION.to_owned()),
            ..AwsKey::new(AWS_KEY_ID, AWS_SECRET)
        },
        container_token: Some(CONTAINER_TOKEN.to_owned()),
        web_identity_token: WEB_IDENTITY_TOKEN.to_owned(),
        trusted_key: Some(AwsKey::new(AWS_USER_KEY_ID, AWS_USER_SECRET)),
        sso_access_token: Some(SSO_ACCESS_TOKEN.to_owned()),
    });
    let services = format!("{}/__aws", emu.url);
    // Shared files: a profile whose credential_process prints the role's key, and one that
    // assumes the role with a user's key from its source profile.
    let aws_config = format!(
        "[profile vault]\ncredential_process = printf '{{\"Version\": 1, \"AccessKeyId\": \"{AWS_KEY_ID}\", \
         \"SecretAccessKey\": \"{AWS_SECRET}\", \"SessionToken\": \"{AWS_SESSION}\"}}'\n\n\
         [profile runner]\nrole_arn = arn:aws:iam::123456789012:role/terraform-runner\n\
         source_profile = user\nregion = eu-central-1\n\n\
         [profile dev-sso]\nsso_session = corp\nsso_account_id = 123456789012\n\
         sso_role_name = terraform-runner\n\n\
         [sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n"
    );
    // `aws sso login`'s cache, named by the SHA-1 of the session name (`printf corp | sha1sum`).
    let sso_cache = (
        ".aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json",
        format!(
            "{{\"startUrl\": \"https://corp.awsapps.com/start\", \"region\": \"eu-west-1\", \
             \"accessToken\": \"{SSO_ACCESS_TOKEN}\", \"expiresAt\": \"2999-01-01T00:00:00Z\"}}"
        ),
    );
    let credentials = format!(
        "[user]\naws_access_key_id = {AWS_USER_KEY_ID}\naws_secret_access_key = {AWS_USER_SECRET}\n"
    );
    // (what hands out the key, its counter in the emulator, the variables that lead there;
    // `ws:NAME` is the file NAME in the scene's directory)
    type Source<'a> = (&'a str, Option<&'a str>, Vec<(&'a str, String)>);
    let sources: [Source; 6] = [
        (
            "imds",
            Some("imds"),
            vec![
                ("AWS_EC2_METADATA_DISABLED", String::new()),
                (
                    "AWS_EC2_METADATA_SERVICE_ENDPOINT",
                    format!("{services}/imds"),
                ),
            ],
        ),
        (
            "container",
            Some("container"),
            vec![
                (
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                    format!("{services}/container"),
                ),
                (
                    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                    "ws:container-token".to_owned(),
                ),
            ],
        ),
        (
            "web-identity",
            Some("sts"),
            vec![
                (
                    "AWS_WEB_IDENTITY_TOKEN_FILE",
                    "ws:web-identity-token".to_owned(),
                ),
                (
                    "AWS_ROLE_ARN",
                    "arn:aws:iam::123456789012:role/terraform-runner".to_owned(),
                ),
                ("AWS_ENDPOINT_URL_STS", format!("{services}/sts")),
            ],
        ),
        (
            "credential-process",
            None,
            vec![
                ("AWS_CONFIG_FILE", "ws:aws-config".to_owned()),
                ("AWS_PROFILE", "vault".to_owned()),
            ],
        ),
        (
            "assume-role",
            Some("assume-role"),
            vec![
                ("AWS_CONFIG_FILE", "ws:aws-config".to_owned()),
                (
                    "AWS_SHARED_CREDENTIALS_FILE",
                    "ws:aws-credentials".to_owned(),
                ),
                ("AWS_PROFILE", "runner".to_owned()),
                ("AWS_ENDPOINT_URL_STS", format!("{services}/sts")),
            ],
        ),
        (
            "sso",
            Some("sso"),
            vec![
                ("AWS_CONFIG_FILE", "ws:aws-config".to_owned()),
                ("AWS_PROFILE", "dev-sso".to_owned()),
                ("HOME", "ws:".to_owned()),
                ("AWS_ENDPOINT_URL_SSO", format!("{services}/sso")),
            ],
        ),
    ];
    for (source, counter, variables) in sources {
        let mut scene = Scene::new();
        for (file, content) in [
            ("container-token", format!("{CONTAINER_TOKEN}\n")),
            ("web-identity-token", format!("{WEB_IDENTITY_TOKEN}\n")),
            ("aws-config", aws_config.clone()),
            ("aws-credentials", credentials.clone()),
            (sso_cache.0, sso_cache.1.clone()),
        ] {
            let path = scene.ws.path().join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, content).unwrap();
        }
        scene
            .env(env::HOST, &emu.url)
            .env(env::AUTH_METHOD, "aws_iam")
            .env(env::MACHINE_IDENTITY_ID, AWS_ID);
        for (name, value) in variables {
            let value = match value.strip_prefix("ws:") {
                Some(file) => scene.ws.path().join(file).to_str().unwrap().to_owned(),
                None => value,
            };
            scene.env(name, &value);
        }
        let name = format!("aws-{source}");
        scene.config(&config("provider \"infisical\" {}", &name));
        let served = counter.map(|c| emu.admin.aws_credentials_served(c));
        apply_and_check(&emu, &scene, "aws_iam", &name);
        if let (Some(counter), Some(served)) = (counter, served) {
            assert!(
                emu.admin.aws_credentials_served(counter) > served,
                "{source}: {counter} never handed out the credentials"
            );
        }
    }

    // Nothing in the environment and no instance metadata service: the login names the service
    // it tried, and fails at once.
    let mut scene = Scene::new();
    scene
        .env(env::HOST, &emu.url)
        .env(env::AUTH_METHOD, "aws_iam")
        .env(env::MACHINE_IDENTITY_ID, AWS_ID)
        .env("AWS_EC2_METADATA_DISABLED", "")
        .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:9");
    scene.config(&config("provider \"infisical\" {}", "aws-none"));
    let run = scene.run(&["apply", "-auto-approve"]).failure();
    let output = run.folded_output();
    assert!(
        output.contains("the EC2 instance metadata service at http://127.0.0.1:9 did not answer"),
        "{output}"
    );
    scene.assert_no_secrets();
}

fn the_official_providers_deprecated_top_level_settings_are_understood() {
    let emu = emulator(Config::default());
    let provider = |setting: &str| {
        format!(
            "variable \"secret\" {{\n  type      = string\n  sensitive = true\n}}\n\n\
             provider \"infisical\" {{\n  host = \"{}\"\n{setting}\n}}",
            emu.url
        )
    };
    // `client_id` and `client_secret` at the top: Universal Auth, with a deprecation warning.
    let mut scene = Scene::new();
    scene.env("TF_VAR_secret", CLIENT_SECRET);
    scene.config(&config(
        &provider("  client_id     = \"demo-client-id\"\n  client_secret = var.secret"),
        "top-level",
    ));
    apply_and_check(&emu, &scene, "universal", "top-level");
    let output = scene
        .outputs
        .borrow()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        output.contains("Deprecated attribute")
            && output
                .contains("`client_id` is deprecated. Use `auth.universal.client_id` instead."),
        "{output}"
    );

    // `service_token`: refused by name at validate, before any login.
    let mut scene = Scene::new();
    scene.env("TF_VAR_secret", "st.service-token-that-must-stay-hidden");
    scene.secret("st.service-token-that-must-stay-hidden");
    scene.config(&config(
        &provider("  service_token = var.secret"),
        "service",
    ));
    emu.admin.clear_requests();
    let run = scene.run(&["validate"]).failure();
    let output = run.folded_output();
    assert!(
        output.contains("Service tokens cannot manage app connections"),
        "{output}"
    );
    assert!(emu.api_requests().is_empty());
    scene.assert_no_secrets();

    // Its variable, INFISICAL_SERVICE_TOKEN, as the only credentials: named at plan instead of
    // "no authentication configured".
    let mut scene = Scene::new();
    scene.env(env::HOST, &emu.url).env(
        "INFISICAL_SERVICE_TOKEN",
        "st.service-token-that-must-stay-hidden",
    );
    scene.secret("st.service-token-that-must-stay-hidden");
    scene.config(&config("provider \"infisical\" {}", "service-env"));
    let output = scene.run(&["plan"]).failure().folded_output();
    assert!(
        output.contains("Service tokens cannot manage app connections")
            && output.contains("INFISICAL_SERVICE_TOKEN is set"),
        "{output}"
    );
    assert!(emu.api_requests().is_empty());
    scene.assert_no_secrets();
}

fn misconfigurations_fail_at_plan_naming_the_attribute_or_variable_without_logging_in() {
    let emu = emulator(Config::default());
    let oidc = format!("oidc = {{\n      identity_id = \"{OIDC_ID}\"\n    }}");
    // No literal secret in the blocks: Terraform quotes the block's source with an error.
    let universal = "universal = {\n      client_id = \"demo-client-id\"\n    }";
    // (provider block, environment, what the error must say)
    type Case<'a> = (String, Vec<(&'a str, &'a str)>, Vec<&'a str>);
    let cases: Vec<Case> = vec![
        (
            provider_block(&emu, &format!("{universal}\n    {oidc}")),
            vec![
                (env::AUTH_JWT, "j"),
                (env::UNIVERSAL_CLIENT_SECRET, CLIENT_SECRET),
            ],
            vec![
                "Conflicting authentication methods",
                "`auth.oidc` and `auth.universal`",
                "silently use `auth.oidc`",
            ],
        ),
        (
            provider_block(&emu, "oidc = {}"),
            vec![],
            vec![
                "Missing identity_id",
                "`auth.oidc.identity_id`",
                env::MACHINE_IDENTITY_ID,
                "Missing OIDC token",
                env::AUTH_JWT,
            ],
        ),
        (
            provider_block(
                &emu,
                "kubernetes = {\n      identity_id = \"x\"\n      service_account_token_path = \"/no/such/token\"\n    }",
            ),
            vec![],
            vec!["Missing Kubernetes service account token", "/no/such/token"],
        ),
        (
            provider_block(&emu, "aws_iam = {\n      identity_id = \"x\"\n    }"),
            vec![],
            vec!["Missing AWS credentials", "AWS_ACCESS_KEY_ID"],
        ),
        (
            "provider \"infisical\" {}".to_owned(),
            vec![(env::HOST, &emu.url), (env::AUTH_METHOD, "ldap")],
            vec![
                "Invalid authentication method",
                "INFISICAL_AUTH_METHOD is \"ldap\"",
                "\"token\", \"universal\", \"oidc\", \"kubernetes\", \"aws_iam\"",
            ],
        ),
        (
            "provider \"infisical\" {}".to_owned(),
            vec![(env::HOST, &emu.url), (env::AUTH_METHOD, "aws_iam")],
            vec![
                "INFISICAL_AUTH_METHOD is \"aws_iam\"",
                env::MACHINE_IDENTITY_ID,
            ],
        ),
        (
            "provider \"infisical\" {}".to_owned(),
            vec![(env::HOST, &emu.url)],
            vec![
                "No Infisical authentication configured",
                env::UNIVERSAL_CLIENT_ID,
                env::UNIVERSAL_CLIENT_SECRET,
                env::TOKEN,
                env::AUTH_METHOD,
            ],
        ),
    ];
    for (provider, vars, expected) in cases {
        let mut scene = Scene::new();
        for (key, value) in &vars {
            scene.env(key, value);
        }
        scene.config(&config(&provider, "never-created"));
        let plan = scene.run(&["plan"]).failure();
        let out = plan.folded_output();
        for text in expected {
            assert!(out.contains(text), "missing {text:?} in:\n{out}");
        }
        scene.assert_no_secrets();
    }
    // `terraform validate` needs no credentials, but reports what is wrong in the block itself.
    let scene = Scene::new();
    scene.config(&config("provider \"infisical\" {}", "never-created"));
    scene.run(&["validate"]).success();
    scene.config(&config(
        &provider_block(&emu, &format!("{universal}\n    token = \"t\"")),
        "never-created",
    ));
    let validate = scene.run(&["validate"]).failure();
    assert!(
        validate
            .output()
            .contains("Conflicting authentication methods"),
        "{}",
        validate.output()
    );
    let counters = emu.admin.counters();
    assert_eq!((counters.logins, counters.failed_logins), (0, 0));
    assert!(emu.api_requests().is_empty(), "{:?}", emu.api_requests());
    assert_eq!(emu.admin.connection_count(), 0);
}

fn an_identity_id_known_only_after_apply_defers_the_login() {
    let emu = emulator(Config::default());
    let jwt = jwt("oidc");
    let mut scene = Scene::new();
    scene.secret(&jwt).env(env::AUTH_JWT, &jwt);
    let provider = format!(
        "resource \"terraform_data\" \"identity\" {{\n  input = \"{OIDC_ID}\"\n}}\n\n\
         provider \"infisical\" {{\n  host = \"{}\"\n  auth = {{\n    oidc = {{\n      \
         identity_id = terraform_data.identity.output\n    }}\n  }}\n}}",
        emu.url
    );
    scene.config(&config(&provider, "late-identity"));
    let plan = scene.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(plan.code, 2, "{}", plan.output());
    assert!(emu.api_requests().is_empty());
    apply_and_check(&emu, &scene, "oidc", "late-identity");
}

fn a_failed_login_names_the_method_the_host_the_status_and_the_request_id() {
    let emu = emulator(Config::default());
    let wrong = jwt("forged");
    let mut scene = Scene::new();
    scene
        .secret(&wrong)
        .env(env::HOST, &emu.url)
        .env(env::AUTH_METHOD, "oidc")
        .env(env::MACHINE_IDENTITY_ID, OIDC_ID)
        .env(env::AUTH_JWT, &wrong);
    scene.config(&config("provider \"infisical\" {}", "refused"));
    let run = scene.run(&["apply", "-auto-approve"]).failure();
    let out = run.folded_output();
    for text in [
        "Login failed",
        &format!(
            "could not log in to infisical at {} with oidc auth",
            emu.url
        ),
        "401 Unauthorized",
        "request id req-",
        "Unable to verify JWT signature",
        "INFISICAL_AUTH_JWT",
    ] {
        assert!(out.contains(text), "missing {text:?} in:\n{out}");
    }
    assert_eq!(emu.admin.counters().failed_logins, 1);
    assert_eq!(emu.admin.connection_count(), 0);
    scene.assert_no_secrets();
}

/// Issue 17: a plan that only creates connections reads nothing, so before, wrong credentials
/// passed `terraform plan` (a CI plan stage stayed green) and failed only at apply.
fn wrong_credentials_fail_a_plan_that_only_creates() {
    let emu = emulator(Config::default());
    let mut scene = Scene::new();
    scene
        .secret("a-wrong-client-secret")
        .env(env::HOST, &emu.url)
        .env(env::UNIVERSAL_CLIENT_ID, "demo-client-id")
        .env(env::UNIVERSAL_CLIENT_SECRET, "a-wrong-client-secret");
    scene.config(&config("provider \"infisical\" {}", "never-planned"));
    let run = scene.run(&["plan"]).failure();
    let out = run.folded_output();
    assert!(out.contains("Login failed"), "{out}");
    assert!(
        out.contains("INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET"),
        "{out}"
    );
    assert_eq!(emu.admin.counters().failed_logins, 1);
    let calls: Vec<_> = emu
        .api_requests()
        .into_iter()
        .filter(|r| !r.path.contains("/auth/"))
        .collect();
    assert!(
        calls.is_empty(),
        "the plan called more than the login: {calls:?}"
    );
    // With the right secret, the same plan passes and logs in once.
    scene.env(env::UNIVERSAL_CLIENT_SECRET, CLIENT_SECRET);
    let plan = scene.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(plan.code, 2, "{}", plan.output());
    assert_eq!(emu.admin.counters().logins, 1);
    scene.assert_no_secrets();
}

fn a_token_expiring_mid_apply_is_replaced_and_fifty_connections_apply() {
    let emu = emulator(Config {
        token_ttl: Duration::from_secs(2),
        token_max_ttl: Duration::from_secs(3),
        ..Config::default()
    });
    emu.admin.set_latency(Duration::from_millis(20));
    let token = jwt("kubernetes");
    let mut scene = Scene::new();
    let file = scene.ws.path().join("sa-token");
    std::fs::write(&file, &token).unwrap();
    scene
        .secret(&token)
        .env(env::HOST, &emu.url)
        .env(env::AUTH_METHOD, "kubernetes")
        .env(env::MACHINE_IDENTITY_ID, KUBERNETES_ID)
        .env(env::KUBERNETES_TOKEN_PATH, file.to_str().unwrap());
    scene.config(&format!(
        r#"{REQUIRED_PROVIDERS}
provider "infisical" {{}}

resource "infisical_app_connection_github" "gh" {{
  count  = 50
  name   = "expiring-${{count.index}}"
  method = "pat"
  credentials = {{
    personal_access_token = "{PAT}"
  }}
}}
"#
    ));
    // Besides the short TTL, expire every token now and then, so that some request surely
    // meets an expired token whatever the machine's speed.
    let stop = Arc::new(AtomicBool::new(false));
    let expirer = {
        let (stop, admin) = (Arc::clone(&stop), emu.admin.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(400));
                admin.expire_tokens();
            }
        })
    };
    let run = scene.run(&["apply", "-auto-approve", "-parallelism=5"]);
    stop.store(true, Ordering::Relaxed);
    expirer.join().unwrap();
    run.success();
    assert_eq!(emu.admin.connection_count(), 50);
    let refused = emu
        .api_requests()
        .iter()
        .filter(|r| r.path.starts_with("/api/v1/app-connections") && r.status == Some(403))
        .count();
    let counters = emu.admin.counters();
    assert!(refused > 0, "no request met an expired token");
    assert!(counters.logins >= 2, "{counters:?}");
    assert_eq!(counters.failed_logins, 0);
    scene.assert_no_secrets();
}

// ----- the client's side of each method -----

fn client(emulator: &Emulator, auth: Auth) -> Client {
    Client::new(ClientConfig::new(Url::parse(emulator.url()).unwrap(), auth)).unwrap()
}

fn login_bodies(emulator: &Emulator, path: &str) -> Vec<serde_json::Value> {
    emulator
        .admin()
        .requests()
        .into_iter()
        .filter(|r| r.path == path)
        .filter_map(|r| r.body)
        .collect()
}

async fn oidc_login_sends_the_identity_the_jwt_and_the_organization() {
    let emulator = Emulator::start(Config::default()).await.unwrap();
    emulator.admin().add_oidc_identity(OIDC_ID, "the-jwt");
    let auth = Auth::Oidc {
        identity_id: Secret::new(OIDC_ID),
        jwt: Secret::new("the-jwt"),
        organization_slug: Some("sub-org".to_owned()),
    };
    client(&emulator, auth).github().list(None).await.unwrap();
    let bodies = login_bodies(&emulator, login_path("oidc"));
    assert_eq!(
        bodies,
        [serde_json::json!({ "identityId": OIDC_ID, "jwt": "***", "organizationSlug": "sub-org" })]
    );
}

async fn a_kubernetes_token_file_is_read_again_at_every_login() {
    let emulator = Emulator::start(Config::default()).await.unwrap();
    emulator
        .admin()
        .add_kubernetes_identity(KUBERNETES_ID, "rotated-token");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    std::fs::write(&file, "stale-token\n").unwrap();
    let client = client(
        &emulator,
        Auth::Kubernetes {
            identity_id: Secret::new(KUBERNETES_ID),
            service_account_token: ServiceAccountToken::File(file.clone()),
            organization_slug: None,
        },
    );
    let error = client.authenticate().await.unwrap_err();
    assert!(
        matches!(
            &error,
            Error::Login {
                method: "kubernetes",
                ..
            }
        ),
        "{error:?}"
    );
    // The kubelet rotates the token: the same client logs in with the new one.
    std::fs::write(&file, "rotated-token").unwrap();
    client.github().list(None).await.unwrap();
    std::fs::remove_file(&file).unwrap();
    emulator.admin().expire_tokens();
    let error = client.github().list(None).await.unwrap_err();
    let shown = error.to_string();
    assert!(
        shown.contains("cannot read the Kubernetes service account token from")
            && shown.contains(&file.display().to_string()),
        "{shown}"
    );
    assert_eq!(emulator.admin().counters().logins, 1);
}

fn aws_credentials(secret: &str) -> AwsCredentials {
    AwsCredentials {
        access_key_id: AWS_KEY_ID.to_owned(),
        secret_access_key: Secret::new(secret),
        session_token: Some(Secret::new(AWS_SESSION)),
    }
}

fn aws_auth(secret: &str, region: &str) -> Auth {
    Auth::AwsIam {
        identity_id: Secret::new(AWS_ID),
        source: AwsSource::Static {
            credentials: aws_credentials(secret),
            region: region.to_owned(),
        },
        organization_slug: None,
    }
}

async fn aws_iam_login_is_signed_afresh_and_passes_the_sts_check() {
    let emulator = Emulator::start(Config::default()).await.unwrap();
    emulator.admin().add_aws_identity(
        AWS_ID,
        AwsKey {
            session_token: Some(AWS_SESSION.to_owned()),
            ..AwsKey::new(AWS_KEY_ID, AWS_SECRET)
        },
    );
    let client = client(&emulator, aws_auth(AWS_SECRET, "us-west-2"));
    client.github().list(None).await.unwrap();
    // The next login signs a new request: a signature is only good for 15 minutes.
    emulator.admin().expire_tokens();
    client.github().list(None).await.unwrap();
    assert_eq!(emulator.admin().counters().logins, 2);
    let bodies = login_bodies(&emulator, login_path("aws_iam"));
    assert_eq!(bodies.len(), 2);
    assert_eq!(bodies[0]["iamHttpRequestMethod"], "POST");
    assert_eq!(bodies[0]["identityId"], AWS_ID);
    assert_eq!(bodies[0]["iamRequestHeaders"], "***");
}

async fn a_refused_aws_signature_names_the_method_host_status_and_request_id() {
    let emulator = Emulator::start(Config::default()).await.unwrap();
    emulator
        .admin()
        .add_aws_identity(AWS_ID, AwsKey::new(AWS_KEY_ID, AWS_SECRET));
    let error = client(&emulator, aws_auth("not-the-secret", "us-east-1"))
        .authenticate()
        .await
        .unwrap_err();
    let shown = error.to_string();
    assert!(
        matches!(
            &error,
            Error::Login {
                method: "aws_iam",
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
    assert!(
        error.request_id().is_some_and(|id| shown.contains(id)),
        "{shown}"
    );
    assert!(shown.contains(emulator.url()), "{shown}");
    assert!(shown.contains("SignatureDoesNotMatch"), "{shown}");
    assert!(!shown.contains("not-the-secret") && !format!("{error:?}").contains("not-the-secret"));
}

crate::cases! {
    full: [
        universal_auth_applies_from_the_block_and_from_the_environment,
        token_auth_applies_from_the_block_and_from_the_environment,
        oidc_auth_applies_from_the_block_and_from_the_environment,
        kubernetes_auth_applies_from_the_block_and_from_the_environment,
        aws_iam_auth_applies_from_the_block_and_from_the_environment,
        aws_iam_auth_takes_credentials_from_instance_metadata_containers_web_identity_and_profiles,
        the_official_providers_deprecated_top_level_settings_are_understood,
        misconfigurations_fail_at_plan_naming_the_attribute_or_variable_without_logging_in,
        an_identity_id_known_only_after_apply_defers_the_login,
        a_failed_login_names_the_method_the_host_the_status_and_the_request_id,
        wrong_credentials_fail_a_plan_that_only_creates,
        a_token_expiring_mid_apply_is_replaced_and_fifty_connections_apply,
    ],
    once_async: [
        oidc_login_sends_the_identity_the_jwt_and_the_organization,
        a_kubernetes_token_file_is_read_again_at_every_login,
        aws_iam_login_is_signed_afresh_and_passes_the_sts_check,
        a_refused_aws_signature_names_the_method_host_status_and_request_id,
    ],
}
