//! The registry docs under `docs/` are generated, never written by hand: from the provider's own
//! schema (`terraform providers schema -json`, so attribute descriptions are the single source),
//! the files under `examples/`, and the prose templates under `templates/`.
//!
//! `docs_are_current` fails when the committed `docs/` differ from what the generator makes;
//! `UPDATE_DOCS=1 cargo test --test integration docs` rewrites them.
//!
//! Templates use a small subset of tfplugindocs' template syntax, so the same `templates/` would
//! work with tfplugindocs: `{{ .Name }}`, `{{ .Type }}`, `{{ .ProviderName }}`,
//! `{{ .ProviderShortName }}`, `{{ .Description }}`, `{{ .SchemaMarkdown }}`,
//! `{{ tffile "path" }}`, `{{ codefile "lang" "path" }}`, and the filters `trimspace`,
//! `plainmarkdown` and `prefixlines "text"`. Anything else is an error, not silently kept.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value as Json;

use crate::support::{REQUIRED_PROVIDERS, Workspace};

/// The provider's address in `terraform providers schema -json`.
const ADDRESS: &str = "registry.terraform.io/infisical/infisical";
/// The provider's local name: resource types start with it and `_`.
const SHORT_NAME: &str = "infisical";
/// How to regenerate; said wherever a generated file is mentioned.
const REGENERATE: &str = "UPDATE_DOCS=1 cargo test --test integration docs";

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The provider's schemas, as Terraform reports them.
fn provider_schema() -> Json {
    let ws = Workspace::new();
    ws.config(REQUIRED_PROVIDERS);
    let run = ws.run(&["providers", "schema", "-json"]).success();
    let mut json: Json = serde_json::from_str(&run.stdout).unwrap();
    json["provider_schemas"][ADDRESS].take()
}

/// What a template is rendered for.
enum Subject<'a> {
    /// The provider (`docs/index.md`).
    Provider(&'a Json),
    /// A resource, data source, list resource or ephemeral resource: its type name, its kind
    /// ("Resource", "Data Source", …), and its schema.
    Type(&'a str, &'static str, &'a Json),
    /// A guide: prose and examples only.
    Guide,
}

/// Every page: its path under `docs/`, the template it comes from, and what it documents.
fn pages(schema: &Json) -> Vec<(PathBuf, PathBuf, Subject<'_>)> {
    let mut pages = vec![(
        PathBuf::from("index.md"),
        PathBuf::from("templates/index.md.tmpl"),
        Subject::Provider(&schema["provider"]),
    )];
    for (key, dir, kind) in [
        ("resource_schemas", "resources", "Resource"),
        ("data_source_schemas", "data-sources", "Data Source"),
        ("list_resource_schemas", "list-resources", "List Resource"),
        (
            "ephemeral_resource_schemas",
            "ephemeral-resources",
            "Ephemeral Resource",
        ),
    ] {
        let types = schema[key]
            .as_object()
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| panic!("the provider reports no {key}"));
        for (name, type_schema) in types {
            let short = name
                .strip_prefix(&format!("{SHORT_NAME}_"))
                .unwrap_or_else(|| panic!("{name} does not start with {SHORT_NAME}_"));
            pages.push((
                Path::new(dir).join(format!("{short}.md")),
                Path::new("templates")
                    .join(dir)
                    .join(format!("{short}.md.tmpl")),
                Subject::Type(name, kind, type_schema),
            ));
        }
    }
    let guides = repo().join("templates/guides");
    if guides.is_dir() {
        let mut names: Vec<String> = std::fs::read_dir(&guides)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".md.tmpl"))
            .collect();
        names.sort();
        for name in names {
            pages.push((
                Path::new("guides").join(name.trim_end_matches(".tmpl")),
                Path::new("templates/guides").join(&name),
                Subject::Guide,
            ));
        }
    }
    pages
}

/// Renders one page from its template.
fn render_page(template_path: &Path, subject: &Subject<'_>) -> String {
    let text = std::fs::read_to_string(repo().join(template_path)).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}. Every resource and data source needs a template (copy a \
             neighbouring one).",
            template_path.display()
        )
    });
    let rendered = render(&text, subject, &|path| {
        std::fs::read_to_string(repo().join(path))
            .unwrap_or_else(|e| panic!("{}: cannot read {path}: {e}", template_path.display()))
    });
    mark_generated(&rendered, template_path)
}

/// Adds a (hidden) note after the front matter saying where the page comes from.
fn mark_generated(page: &str, template: &Path) -> String {
    let note = format!(
        "<!-- Generated from {} by `{REGENERATE}`: edit the template, the examples or the \
         schema's descriptions, not this file. -->\n",
        template.display()
    );
    match page
        .strip_prefix("---\n")
        .and_then(|rest| rest.find("\n---\n").map(|end| end + 4 + 5))
    {
        Some(end) => format!("{}\n{note}{}", &page[..end], &page[end..]),
        None => format!("{note}\n{page}"),
    }
}

/// Expands every `{{ … }}` in `template`. `read` reads a repository file (for `tffile`).
fn render(template: &str, subject: &Subject<'_>, read: &dyn Fn(&str) -> String) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find("}}")
            .unwrap_or_else(|| panic!("unclosed {{{{ in template: {}", &rest[start..]))
            + start;
        let action = rest[start + 2..end].trim();
        out.push_str(&evaluate(action, subject, read));
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

/// One action: a value or function call, then filters separated by `|`.
fn evaluate(action: &str, subject: &Subject<'_>, read: &dyn Fn(&str) -> String) -> String {
    let mut parts = action.split('|').map(str::trim);
    let head = words(parts.next().unwrap_or_default());
    let (name, description, block) = match subject {
        Subject::Provider(schema) => (
            SHORT_NAME,
            schema["block"]["description"].as_str(),
            Some(&schema["block"]),
        ),
        Subject::Type(name, _, schema) => (
            *name,
            schema["block"]["description"].as_str(),
            Some(&schema["block"]),
        ),
        Subject::Guide => ("", None, None),
    };
    let need = |what: Option<String>| {
        what.unwrap_or_else(|| panic!("{{{{ {action} }}}} has no value for this page"))
    };
    let mut value = match head.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        [".Name"] => need(Some(name.to_owned()).filter(|n| !n.is_empty())),
        [".Type"] => match subject {
            Subject::Provider(_) => "Provider".to_owned(),
            Subject::Type(_, kind, _) => (*kind).to_owned(),
            Subject::Guide => need(None),
        },
        [".ProviderName"] => format!("terraform-provider-{SHORT_NAME}"),
        [".ProviderShortName"] => SHORT_NAME.to_owned(),
        [".Description"] => need(description.map(str::to_owned)),
        [".SchemaMarkdown"] => need(block.map(schema_markdown)),
        ["tffile", path] => fenced("terraform", &read(path)),
        ["codefile", lang, path] => fenced(lang, &read(path)),
        _ => panic!("unknown template action {{{{ {action} }}}}"),
    };
    for filter in parts {
        let filter = words(filter);
        value = match filter.iter().map(String::as_str).collect::<Vec<_>>()[..] {
            ["trimspace"] => value.trim().to_owned(),
            ["plainmarkdown"] => plain_markdown(&value),
            ["prefixlines", prefix] => value
                .lines()
                .map(|l| format!("{prefix}{l}"))
                .collect::<Vec<_>>()
                .join("\n"),
            _ => panic!("unknown template filter {filter:?} in {{{{ {action} }}}}"),
        };
    }
    value
}

/// Splits an action into words; "quoted strings" are one word, without the quotes.
fn words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        if let Some(quoted) = rest.strip_prefix('"') {
            let end = quoted
                .find('"')
                .unwrap_or_else(|| panic!("unclosed quote in {text:?}"));
            words.push(quoted[..end].to_owned());
            rest = quoted[end + 1..].trim_start();
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            words.push(rest[..end].to_owned());
            rest = rest[end..].trim_start();
        }
    }
    words
}

/// A fenced code block holding `code`.
fn fenced(lang: &str, code: &str) -> String {
    format!("```{lang}\n{}\n```", code.trim_end())
}

/// Markdown as plain text (for front matter): no backticks, links reduced to their text.
fn plain_markdown(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        let Some(mid) = rest[open..].find("](").map(|m| m + open) else {
            break;
        };
        let Some(close) = rest[mid..].find(')').map(|c| c + mid) else {
            break;
        };
        out.push_str(&rest[..open]);
        out.push_str(&rest[open + 1..mid]);
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out.replace('`', "")
}

/// The "Schema" section of a page, in tfplugindocs' layout: Required / Optional / Read-Only,
/// then one "Nested Schema" section per nested object, linked by anchors.
fn schema_markdown(block: &Json) -> String {
    let mut out = String::from(
        "<!-- schema generated from the provider's schema by tests/integration/docs.rs -->\n\
         ## Schema\n",
    );
    // Single nested blocks (`timeouts`) are listed with the optional attributes, as
    // tfplugindocs lists them: "(Block, Optional)", with a nested section of their own.
    let mut attributes = block["attributes"].clone();
    if let Some(blocks) = block.get("block_types").and_then(Json::as_object) {
        for (name, nested) in blocks {
            assert_eq!(
                nested["nesting_mode"], "single",
                "the docs generator renders single nested blocks only"
            );
            attributes[name] = serde_json::json!({
                "optional": true,
                "description": nested["block"]["description"].clone(),
                "nested_block": nested["block"]["attributes"].clone(),
            });
        }
    }
    let mut nested: Vec<Nested> = Vec::new();
    attribute_groups(&mut out, &attributes, &[], &mut nested, true);
    let mut next = 0;
    while next < nested.len() {
        let (kind, path, attributes) = nested[next].clone();
        out.push_str(&format!(
            "\n<a id=\"{}\"></a>\n### Nested Schema for `{}`\n",
            anchor(kind, &path),
            path.join(".")
        ));
        attribute_groups(&mut out, attributes, &path, &mut nested, false);
        next += 1;
    }
    out
}

/// A nested object to document: tfplugindocs' anchor prefix (`nestedatt` for a nested
/// attribute, `nestedblock` for a block), its path, and its attributes.
type Nested<'a> = (&'static str, Vec<String>, &'a Json);

/// The link target of a nested object's section, as tfplugindocs names it.
fn anchor(kind: &str, path: &[String]) -> String {
    format!("{kind}--{}", path.join("--"))
}

/// Lists `attributes` (a JSON object of attribute schemas) by group, queueing nested objects.
fn attribute_groups<'a>(
    out: &mut String,
    attributes: &'a Json,
    parent: &[String],
    nested: &mut Vec<Nested<'a>>,
    top: bool,
) {
    let attributes: BTreeMap<&String, &Json> = attributes
        .as_object()
        .map(|m| m.iter().collect())
        .unwrap_or_default();
    let group = |a: &Json| {
        if a["required"] == true {
            "Required"
        } else if a["optional"] == true {
            "Optional"
        } else {
            "Read-Only"
        }
    };
    for heading in ["Required", "Optional", "Read-Only"] {
        let members: Vec<_> = attributes
            .iter()
            .filter(|(_, a)| group(a) == heading)
            .collect();
        if members.is_empty() {
            continue;
        }
        if top {
            out.push_str(&format!("\n### {heading}\n\n"));
        } else {
            out.push_str(&format!("\n{heading}:\n\n"));
        }
        for (name, attribute) in members {
            let mut path = parent.to_vec();
            path.push((*name).clone());
            out.push_str(&format!("- `{name}` ({})", type_label(attribute)));
            let description = attribute["description"].as_str().unwrap_or_default().trim();
            if !description.is_empty() {
                out.push(' ');
                out.push_str(description);
            }
            if let Some(children) = attribute.get("nested_type") {
                out.push_str(&format!(
                    " (see [below for nested schema](#{}))",
                    anchor("nestedatt", &path)
                ));
                nested.push(("nestedatt", path, &children["attributes"]));
            } else if let Some(children) = attribute.get("nested_block") {
                out.push_str(&format!(
                    " (see [below for nested schema](#{}))",
                    anchor("nestedblock", &path)
                ));
                nested.push(("nestedblock", path, children));
            }
            out.push('\n');
        }
    }
}

/// "String", "Attributes", "List of String", with ", Sensitive" and the like.
fn type_label(attribute: &Json) -> String {
    if attribute.get("nested_block").is_some() {
        return "Block, Optional".to_owned();
    }
    let mut label = match attribute.get("nested_type") {
        Some(nested) => match nested["nesting_mode"].as_str() {
            Some("single") => "Attributes".to_owned(),
            Some("list") => "Attributes List".to_owned(),
            Some("set") => "Attributes Set".to_owned(),
            Some("map") => "Attributes Map".to_owned(),
            other => panic!("unknown nesting mode {other:?}"),
        },
        None => type_name(&attribute["type"]),
    };
    for (flag, text) in [
        ("sensitive", "Sensitive"),
        ("write_only", "Write-only"),
        ("deprecated", "Deprecated"),
    ] {
        if attribute[flag] == true {
            label.push_str(", ");
            label.push_str(text);
        }
    }
    label
}

/// A Terraform type as the docs name it.
fn type_name(ty: &Json) -> String {
    match ty {
        Json::String(s) => match s.as_str() {
            "string" => "String".to_owned(),
            "number" => "Number".to_owned(),
            "bool" => "Boolean".to_owned(),
            "dynamic" => "Dynamic".to_owned(),
            other => panic!("unknown type {other}"),
        },
        Json::Array(parts) => match parts.first().and_then(Json::as_str) {
            Some("list") => format!("List of {}", type_name(&parts[1])),
            Some("set") => format!("Set of {}", type_name(&parts[1])),
            Some("map") => format!("Map of {}", type_name(&parts[1])),
            Some("object") => "Object".to_owned(),
            Some("tuple") => "Tuple".to_owned(),
            other => panic!("unknown type {other:?}"),
        },
        other => panic!("unknown type {other}"),
    }
}

/// Every file under `docs/`, relative to it.
/// Pages in `docs/` that are not registry pages and are kept by other means
/// (`performance.md` is written by `scripts/bench.py`).
/// Pages written by hand, or made by a test of their own (`compatibility.rs`).
const NOT_GENERATED: &[&str] = &["performance.md", "compatibility.md"];

fn committed_docs() -> Vec<PathBuf> {
    fn walk(root: &Path, dir: &Path, found: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, found);
            } else {
                found.push(path.strip_prefix(root).unwrap().to_path_buf());
            }
        }
    }
    let root = repo().join("docs");
    let mut found = Vec::new();
    walk(&root, &root, &mut found);
    found.sort();
    found
}

fn docs_are_current() {
    let schema = provider_schema();
    let generated: BTreeMap<PathBuf, String> = pages(&schema)
        .into_iter()
        .map(|(output, template, subject)| (output, render_page(&template, &subject)))
        .collect();
    for (path, page) in &generated {
        for secret in ["ghp_", "github_pat_", "demo-client-secret"] {
            assert!(
                !page.contains(secret),
                "docs/{} shows something like a secret ({secret}…)",
                path.display()
            );
        }
    }
    let docs = repo().join("docs");
    let update = std::env::var_os("UPDATE_DOCS").is_some_and(|v| v == "1");
    let mut problems = Vec::new();
    for (path, page) in &generated {
        let file = docs.join(path);
        let committed = std::fs::read_to_string(&file).ok();
        if committed.as_deref() == Some(page.as_str()) {
            continue;
        }
        if update {
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(&file, page).unwrap();
        } else {
            problems.push(match committed {
                None => format!("docs/{} is missing", path.display()),
                Some(old) => format!(
                    "docs/{} is out of date; first difference:\n{}",
                    path.display(),
                    first_difference(&old, page)
                ),
            });
        }
    }
    for path in committed_docs() {
        if !generated.contains_key(&path)
            && !NOT_GENERATED.contains(&path.to_str().unwrap_or_default())
        {
            if update {
                std::fs::remove_file(docs.join(&path)).unwrap();
            } else {
                problems.push(format!(
                    "docs/{} is not generated from anything (remove it, or add a template)",
                    path.display()
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "the docs are not what the schema, examples/ and templates/ make. Regenerate them with\n\n    \
         {REGENERATE}\n\nand commit the result.\n\n{}",
        problems.join("\n\n")
    );
}

/// The first line where `old` and `new` differ, for the failure message.
fn first_difference(old: &str, new: &str) -> String {
    let (old_lines, new_lines): (Vec<_>, Vec<_>) = (old.lines().collect(), new.lines().collect());
    for i in 0..old_lines.len().max(new_lines.len()) {
        let (a, b) = (old_lines.get(i), new_lines.get(i));
        if a != b {
            return format!(
                "  line {}\n  - committed: {}\n  + generated: {}",
                i + 1,
                a.unwrap_or(&"(end of file)"),
                b.unwrap_or(&"(end of file)")
            );
        }
    }
    "  (only line endings differ)".to_owned()
}

fn schema_markdown_follows_the_tfplugindocs_layout() {
    let block = serde_json::json!({
        "description": "A thing.",
        "attributes": {
            "id": { "type": "string", "description": "The id.", "computed": true },
            "name": { "type": "string", "description": "The name.", "required": true },
            "tags": { "type": ["set", "string"], "optional": true, "computed": true },
            "auth": {
                "nested_type": {
                    "nesting_mode": "single",
                    "attributes": {
                        "token": { "type": "string", "optional": true, "sensitive": true,
                                   "description": "A token." },
                        "inner": {
                            "nested_type": { "nesting_mode": "single", "attributes": {
                                "x": { "type": "bool", "required": true, "deprecated": true }
                            } },
                            "optional": true
                        }
                    }
                },
                "description": "How to log in.",
                "optional": true
            }
        },
        "block_types": {
            "timeouts": {
                "nesting_mode": "single",
                "block": { "description": "How long to wait.", "attributes": {
                    "create": { "type": "string", "optional": true, "description": "On create." }
                } }
            }
        }
    });
    let expected = "\
<!-- schema generated from the provider's schema by tests/integration/docs.rs -->
## Schema

### Required

- `name` (String) The name.

### Optional

- `auth` (Attributes) How to log in. (see [below for nested schema](#nestedatt--auth))
- `tags` (Set of String)
- `timeouts` (Block, Optional) How long to wait. (see [below for nested schema](#nestedblock--timeouts))

### Read-Only

- `id` (String) The id.

<a id=\"nestedatt--auth\"></a>
### Nested Schema for `auth`

Optional:

- `inner` (Attributes) (see [below for nested schema](#nestedatt--auth--inner))
- `token` (String, Sensitive) A token.

<a id=\"nestedblock--timeouts\"></a>
### Nested Schema for `timeouts`

Optional:

- `create` (String) On create.

<a id=\"nestedatt--auth--inner\"></a>
### Nested Schema for `auth.inner`

Required:

- `x` (Boolean, Deprecated)
";
    assert_eq!(schema_markdown(&block), expected);
}

fn templates_expand_values_files_and_filters() {
    let schema = serde_json::json!({
        "block": { "description": "Reads a `thing` ([docs](https://example.com)).", "attributes": {} }
    });
    let subject = Subject::Type("infisical_thing", "Data Source", &schema);
    let read = |path: &str| {
        assert_eq!(path, "examples/x.tf");
        "data \"infisical_thing\" \"x\" {}\n\n".to_owned()
    };
    let template = "---\npage_title: \"{{ .Name }} {{.Type}} - {{ .ProviderName }}\"\n\
                    description: |-\n{{ .Description | plainmarkdown | trimspace | prefixlines \"  \" }}\n---\n\n\
                    {{ tffile \"examples/x.tf\" }}\n";
    assert_eq!(
        render(template, &subject, &read),
        "---\npage_title: \"infisical_thing Data Source - terraform-provider-infisical\"\n\
         description: |-\n  Reads a thing (docs).\n---\n\n\
         ```terraform\ndata \"infisical_thing\" \"x\" {}\n```\n"
    );
    assert_eq!(
        mark_generated("---\na: b\n---\n\n# T\n", Path::new("t.tmpl")),
        format!(
            "---\na: b\n---\n\n<!-- Generated from t.tmpl by `{REGENERATE}`: edit the template, \
             the examples or the schema's descriptions, not this file. -->\n\n# T\n"
        )
    );
}

fn an_unknown_template_action_is_an_error() {
    let panic = std::panic::catch_unwind(|| {
        render("{{ .Nmae }}", &Subject::Guide, &|_| String::new());
    })
    .expect_err("an unknown template action rendered");
    let message = panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_default();
    assert!(message.contains("unknown template action"), "{message}");
}

crate::cases! {
    once: [
        docs_are_current,
        schema_markdown_follows_the_tfplugindocs_layout,
        templates_expand_values_files_and_filters,
        an_unknown_template_action_is_an_error,
        the_readme_names_the_rust_version_cargo_toml_requires,
    ],
}

/// The README's "Rust 1.xx or later" is `rust-version` in `Cargo.toml`, which is the one place
/// the toolchain is decided: a README that promises an older Rust promises a build that fails.
fn the_readme_names_the_rust_version_cargo_toml_requires() {
    let required = env!("CARGO_PKG_RUST_VERSION");
    assert!(!required.is_empty(), "Cargo.toml sets no rust-version");
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let named: Vec<&str> = readme
        .match_indices("Rust ")
        .filter_map(|(at, prefix)| {
            let rest = &readme[at + prefix.len()..];
            let end = rest
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .unwrap_or(rest.len());
            let version = rest[..end].trim_end_matches('.');
            version.contains('.').then_some(version)
        })
        .collect();
    assert!(
        !named.is_empty(),
        "README.md names no Rust version (it should say \"Rust {required} or later\")"
    );
    for version in named {
        assert_eq!(
            version, required,
            "README.md names Rust {version}, but Cargo.toml's rust-version is {required}"
        );
    }
}
