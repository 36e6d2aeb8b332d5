//! The configurations the tests write for GitHub connections, from one builder: a resource block
//! per [`Pat`] (a `pat` connection unless made a `github-app` or `oauth` one), and [`config`]
//! around them (the required providers, the provider block, and the `pat` variable the blocks
//! read their token or code from).

use super::{REQUIRED_PROVIDERS, Workspace};

/// Where a [`Pat`] connection's token comes from.
#[derive(Debug, Clone)]
enum Token {
    /// `personal_access_token = var.pat`.
    Var,
    /// `personal_access_token_wo = var.pat` at this `_wo_version`.
    WriteOnly(u32),
    /// `personal_access_token = "<literal>"`, e.g. for a connection made outside Terraform.
    Literal(String),
    /// The credentials' attributes as given (a test of what the provider refuses).
    Raw(String),
}

/// How the `pat` variable is declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Variable {
    /// None: the resources name no variable.
    None,
    /// `sensitive = true`: the token reaches the plan and state as a sensitive value.
    Sensitive,
    /// `ephemeral = true` (and sensitive, null by default): for write-only attributes.
    Ephemeral,
}

/// The connection's `method`, for the methods whose secret is a one-time code.
#[derive(Debug, Clone)]
enum Method {
    /// `method = "pat"`: the token shapes of [`Token`].
    Pat,
    /// `method = "github-app"`: `code = var.pat` and this `installation_id`.
    GitHubApp(String),
    /// `method = "oauth"`: `code = var.pat`.
    OAuth,
}

/// One `infisical_app_connection_github` resource, `method = "pat"` unless
/// [`Pat::github_app`] or [`Pat::oauth`] make it another.
#[derive(Debug, Clone)]
pub struct Pat {
    label: String,
    name: String,
    method: Method,
    count: Option<usize>,
    description: Option<String>,
    project: Option<String>,
    token: Token,
    variable: Variable,
    instance_type: Option<String>,
    ignore_credentials: bool,
}

impl Pat {
    /// `resource "infisical_app_connection_github" "gh"` named `name`, its token from `var.pat`.
    pub fn named(name: impl Into<String>) -> Self {
        Self {
            label: "gh".to_owned(),
            name: name.into(),
            method: Method::Pat,
            count: None,
            description: None,
            project: None,
            token: Token::Var,
            variable: Variable::Sensitive,
            instance_type: None,
            ignore_credentials: false,
        }
    }

    /// The resource's label, in place of `gh`.
    pub fn label(mut self, label: &str) -> Self {
        self.label = label.to_owned();
        self
    }

    /// `count = n` (name it with `${count.index}`).
    pub fn count(mut self, n: usize) -> Self {
        self.count = Some(n);
        self
    }

    /// `description = "…"`.
    pub fn description(mut self, description: &str) -> Self {
        self.description = Some(description.to_owned());
        self
    }

    /// `project_id = "…"`.
    pub fn project(mut self, project: Option<&str>) -> Self {
        self.project = project.map(str::to_owned);
        self
    }

    /// The write-only token from an ephemeral `var.pat`, at `version`.
    pub fn write_only(mut self, version: u32) -> Self {
        self.token = Token::WriteOnly(version);
        self.variable = Variable::Ephemeral;
        self
    }

    /// The write-only token from a plain sensitive `var.pat`, for binaries without ephemeral
    /// variables.
    pub fn write_only_from_sensitive_variable(mut self, version: u32) -> Self {
        self.token = Token::WriteOnly(version);
        self.variable = Variable::Sensitive;
        self
    }

    /// The token written into the configuration, and no variable.
    pub fn literal(mut self, token: &str) -> Self {
        self.token = Token::Literal(token.to_owned());
        self.variable = Variable::None;
        self
    }

    /// The credentials' attributes as given, beside an ephemeral `var.pat` they may read.
    pub fn raw_credentials(mut self, attributes: &str) -> Self {
        self.token = Token::Raw(attributes.to_owned());
        self.variable = Variable::Ephemeral;
        self
    }

    /// `method = "github-app"`, installed as `installation_id`, its code from `var.pat`.
    pub fn github_app(mut self, installation_id: &str) -> Self {
        self.method = Method::GitHubApp(installation_id.to_owned());
        self
    }

    /// `method = "oauth"`, its code from `var.pat`.
    pub fn oauth(mut self) -> Self {
        self.method = Method::OAuth;
        self
    }

    /// `instance_type = "cloud"` in the credentials.
    pub fn cloud(mut self) -> Self {
        self.instance_type = Some("cloud".to_owned());
        self
    }

    /// `lifecycle { ignore_changes = [credentials] }`, as for a connection adopted from the UI.
    pub fn ignoring_credentials(mut self) -> Self {
        self.ignore_credentials = true;
        self
    }

    /// The resource block.
    pub fn block(&self) -> String {
        let mut lines = vec![format!(
            "resource \"infisical_app_connection_github\" \"{}\" {{",
            self.label
        )];
        if let Some(count) = self.count {
            lines.push(format!("  count       = {count}"));
        }
        lines.push(format!("  name        = \"{}\"", self.name));
        if let Some(description) = &self.description {
            lines.push(format!("  description = \"{description}\""));
        }
        let method = match self.method {
            Method::Pat => "pat",
            Method::GitHubApp(_) => "github-app",
            Method::OAuth => "oauth",
        };
        lines.push(format!("  method      = \"{method}\""));
        if let Some(project) = &self.project {
            lines.push(format!("  project_id  = \"{project}\""));
        }
        lines.push("  credentials = {".to_owned());
        match (&self.method, &self.token) {
            (Method::GitHubApp(installation_id), _) => {
                lines.push("    code            = var.pat".to_owned());
                lines.push(format!("    installation_id = \"{installation_id}\""));
            }
            (Method::OAuth, _) => lines.push("    code = var.pat".to_owned()),
            (Method::Pat, Token::Var) => {
                lines.push("    personal_access_token = var.pat".to_owned());
            }
            (Method::Pat, Token::Literal(token)) => {
                lines.push(format!("    personal_access_token = \"{token}\""));
            }
            (Method::Pat, Token::WriteOnly(version)) => {
                lines.push("    personal_access_token_wo         = var.pat".to_owned());
                lines.push(format!("    personal_access_token_wo_version = {version}"));
            }
            (Method::Pat, Token::Raw(attributes)) => lines.push(format!("    {attributes}")),
        }
        if let Some(instance_type) = &self.instance_type {
            lines.push(format!("    instance_type = \"{instance_type}\""));
        }
        lines.push("  }".to_owned());
        if self.ignore_credentials {
            lines.push("  lifecycle {\n    ignore_changes = [credentials]\n  }".to_owned());
        }
        lines.push("}".to_owned());
        lines.join("\n") + "\n"
    }
}

/// A whole configuration of `resources`: the required providers, `provider "infisical" {}`, the
/// `pat` variable they read (if any), and their blocks.
pub fn config(resources: &[Pat]) -> String {
    let variables: Vec<Variable> = resources
        .iter()
        .map(|r| r.variable)
        .filter(|v| *v != Variable::None)
        .collect();
    let variable = match variables.first() {
        None => "",
        Some(first) => {
            assert!(
                variables.iter().all(|v| v == first),
                "one configuration declares var.pat once: ephemeral or not"
            );
            match first {
                Variable::Sensitive => {
                    "variable \"pat\" {\n  type      = string\n  sensitive = true\n}\n\n"
                }
                _ => {
                    "variable \"pat\" {\n  type      = string\n  ephemeral = true\n  \
                     sensitive = true\n  default   = null\n}\n\n"
                }
            }
        }
    };
    let blocks: Vec<String> = resources.iter().map(Pat::block).collect();
    format!(
        "{REQUIRED_PROVIDERS}\nprovider \"infisical\" {{}}\n\n{variable}{}",
        blocks.join("\n")
    )
}

/// Writes `var.pat`'s value into a tfvars file, which Terraform never prints.
pub fn set_pat(ws: &Workspace, pat: &str) {
    ws.write("secret.auto.tfvars", &format!("pat = \"{pat}\"\n"));
}
