//! Logging as Terraform reads it: one hclog-shaped JSON object per line on stderr.
//!
//! go-plugin parses each stderr line as JSON with `@level`, `@message` and `@timestamp` (exactly six
//! fractional digits, else the line falls back to plain text) and re-emits it through Terraform's
//! provider logger, whose level is `TF_LOG_PROVIDER`, else `TF_LOG`. Stdout is never used: it
//! carries the handshake line alone. The provider's names in the log (its `@module`, its own level
//! variable, the code whose events are logged) come from its [`Identity`].

use std::io::Write;

use time::format_description::FormatItem;
use time::macros::format_description;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;

use super::identity::Identity;

/// Go's `2006-01-02T15:04:05.000000Z07:00` layout, in UTC.
const TIMESTAMP: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");

/// The level Terraform asked for through the environment (the provider's own variable first),
/// or `OFF` to log nothing.
fn level_from_env(provider_var: &str) -> LevelFilter {
    let setting = [provider_var, "TF_LOG_PROVIDER", "TF_LOG"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()));
    match setting {
        None => LevelFilter::OFF,
        Some(level) => parse_level(&level),
    }
}

/// Terraform's level names; anything else (including `JSON`) means trace, as Terraform does.
fn parse_level(level: &str) -> LevelFilter {
    match level.trim().to_ascii_uppercase().as_str() {
        "OFF" => LevelFilter::OFF,
        "ERROR" => LevelFilter::ERROR,
        "WARN" => LevelFilter::WARN,
        "INFO" => LevelFilter::INFO,
        "DEBUG" => LevelFilter::DEBUG,
        _ => LevelFilter::TRACE,
    }
}

/// Installs the JSON-lines logger on stderr as the global `tracing` subscriber, at the level the
/// environment asks for.
pub(crate) fn init(identity: &Identity) {
    let level = level_from_env(identity.log_level_var);
    // Logs from the provider's code and this layer only: dependencies (h2, hyper, rustls) trace
    // every frame, which would drown the provider's own lines in Terraform's log.
    let filter = identity
        .log_targets
        .iter()
        .fold(
            tracing_subscriber::filter::Targets::new(),
            |filter, target| filter.with_target(*target, level),
        )
        .with_target(super::TRACING_TARGET, level);
    let layer = HclogLayer {
        module: identity.log_module,
    };
    let _ = tracing_subscriber::registry()
        .with(layer.with_filter(filter))
        .try_init();
}

/// A `tracing` layer that writes each event as one hclog JSON line on stderr.
struct HclogLayer {
    /// The `@module` of every line.
    module: &'static str,
}

impl<S: Subscriber> Layer<S> for HclogLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let line = format_event(event, self.module);
        // A log line that cannot be written is dropped: there is nowhere else to report it.
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
    }
}

fn format_event(event: &Event<'_>, module: &str) -> String {
    let meta = event.metadata();
    let mut fields = JsonFields::default();
    event.record(&mut fields);
    let mut object = serde_json::Map::new();
    object.insert("@level".into(), level_name(*meta.level()).into());
    object.insert("@message".into(), fields.message.unwrap_or_default().into());
    object.insert("@module".into(), module.into());
    object.insert("@caller".into(), meta.target().into());
    let now = time::OffsetDateTime::now_utc();
    object.insert(
        "@timestamp".into(),
        now.format(TIMESTAMP).unwrap_or_default().into(),
    );
    for (key, value) in fields.values {
        object.insert(key, value);
    }
    let mut line = serde_json::Value::Object(object).to_string();
    line.push('\n');
    line
}

fn level_name(level: Level) -> &'static str {
    match level {
        Level::TRACE => "trace",
        Level::DEBUG => "debug",
        Level::INFO => "info",
        Level::WARN => "warn",
        Level::ERROR => "error",
    }
}

#[derive(Default)]
struct JsonFields {
    message: Option<String>,
    values: Vec<(String, serde_json::Value)>,
}

impl Visit for JsonFields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.put(field, value.into());
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.put(field, value.into());
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.put(field, value.into());
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.put(field, value.into());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.put(field, format!("{value:?}").into());
    }
}

impl JsonFields {
    fn put(&mut self, field: &Field, value: serde_json::Value) {
        if field.name() == "message" {
            self.message = Some(match value {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            });
        } else {
            self.values.push((field.name().to_owned(), value));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    struct Capture(Arc<Mutex<Vec<String>>>);

    impl<S: Subscriber> Layer<S> for Capture {
        fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
            self.0
                .lock()
                .unwrap()
                .push(format_event(event, "provider.test"));
        }
    }

    #[test]
    fn lines_are_hclog_json_with_six_digit_timestamps() {
        let lines = Arc::new(Mutex::new(Vec::new()));
        let subscriber = tracing_subscriber::registry().with(Capture(lines.clone()));
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!(rpc = "PlanResourceChange", attempt = 2, "planning {}", "x");
        });
        let lines = lines.lock().unwrap();
        let line: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
        assert_eq!(line["@level"], "info");
        assert_eq!(line["@message"], "planning x");
        assert_eq!(line["rpc"], "PlanResourceChange");
        assert_eq!(line["attempt"], 2);
        let ts = line["@timestamp"].as_str().unwrap();
        let fraction = ts.split('.').nth(1).unwrap();
        assert_eq!(fraction.len(), "000000Z".len(), "{ts}");
        assert!(lines[0].ends_with('\n') && !lines[0].trim_end().contains('\n'));
    }

    #[test]
    fn lines_name_the_module_the_provider_gives() {
        let lines = Arc::new(Mutex::new(Vec::new()));
        let subscriber = tracing_subscriber::registry().with(Capture(lines.clone()));
        tracing::subscriber::with_default(subscriber, || tracing::info!("hello"));
        let line: serde_json::Value = serde_json::from_str(&lines.lock().unwrap()[0]).unwrap();
        assert_eq!(line["@module"], "provider.test");
    }

    #[test]
    fn levels_follow_terraforms_names() {
        assert_eq!(parse_level("debug"), LevelFilter::DEBUG);
        assert_eq!(parse_level("JSON"), LevelFilter::TRACE);
        assert_eq!(parse_level("off"), LevelFilter::OFF);
    }
}
