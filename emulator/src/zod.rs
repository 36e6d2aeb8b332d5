//! A small imitation of zod v3, the validator behind Infisical's routes: just the schema kinds the
//! emulated routes need, reporting failures with the issue objects (`code`, `message`, `path`, …)
//! that the real server puts in its 422 bodies.
//!
//! The point of imitating zod rather than hand-checking fields is fidelity in the awkward places a
//! client trips over: a `null` sent for an `.optional()` field is an error, unknown keys are
//! silently stripped, a union reports the issues of its first "dirty" branch (one that only failed
//! a refinement such as `min(1)`) or else a single `invalid_union` issue, and every field of an
//! object is checked before the object fails, so one 422 lists all the problems.

use serde_json::{Map, Value, json};

/// How far a value got through a schema, as zod tracks it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Status {
    /// Passed every check.
    Valid,
    /// Has the right shape but failed a refinement (`min`, `max`, `uuid`, a custom check); the
    /// value is still usable, and a union prefers this branch's issues.
    Dirty,
    /// Wrong type, missing, or wrong literal: no value came out.
    Aborted,
}

/// A schema: the subset of zod the emulated routes use.
pub(crate) enum Schema {
    /// `z.string()` with its checks.
    Str(StrRules),
    /// `z.literal(value)`, optionally with a custom error message (zod's `errorMap`).
    Literal {
        value: Value,
        message: Option<&'static str>,
    },
    /// `.optional()`: a missing key is fine, `null` is not.
    Optional(Box<Schema>),
    /// `.nullish()`: a missing key and `null` are both fine.
    Nullish(Box<Schema>),
    /// `z.undefined({ message })`: only a missing key passes.
    Undefined(&'static str),
    /// `z.null({ message })`: only `null` passes.
    Null(&'static str),
    /// `z.object({...})` in zod's default "strip" mode: unknown keys are dropped.
    Object(Vec<(&'static str, Schema)>),
    /// `z.union([...])`.
    Union(Vec<Schema>),
    /// Another schema, shared rather than rebuilt (zod schemas are values reused by reference).
    Ref(&'static Schema),
    /// `z.boolean()`.
    Bool,
    /// `z.number()`.
    Number,
    /// `z.number()` with its checks (`.int()`, `.min(n)`, `.max(n)`).
    Num(NumRules),
    /// `z.array(item)`: each item is checked, its index in the issue's path.
    Array(Box<Schema>),
    /// `z.array(item).min(n)`: as [`Schema::Array`], then at least `n` items.
    ArrayMin(Box<Schema>, usize),
    /// `z.record(value)`: an object whose every value is checked, its key in the issue's path.
    Record(Box<Schema>),
    /// `z.nativeEnum(E)` of a string enum: one of these values.
    Enum(&'static [&'static str]),
    /// `schema.default(value)`: a missing key becomes `value` (then passes as valid).
    Default(Box<Schema>, Value),
    /// `schema.superRefine(check)`: `check` runs on the parsed value unless the inner schema
    /// aborted, and may add issues (which make the value dirty).
    Refine(Box<Schema>, Refinement),
    /// `z.discriminatedUnion(key, [...])`: the option whose `key` literal matches is parsed; an
    /// unknown discriminator is one `invalid_union_discriminator` issue at `key`.
    Discriminated {
        /// The discriminator key.
        key: &'static str,
        /// Each option: its discriminator value and its object schema (which should include
        /// the key as a literal so the output keeps it).
        options: Vec<(&'static str, Schema)>,
    },
}

/// A refinement: given the parsed value and its path, pushes issues; returns whether it did.
pub(crate) type Refinement = fn(&Value, &[Value], &mut Vec<Value>) -> bool;

/// The checks of a `z.string()`, applied in this order (the order Infisical declares them in).
#[derive(Default)]
pub(crate) struct StrRules {
    lowercase: bool,
    trim: bool,
    min: Option<(usize, &'static str)>,
    max: Option<(usize, &'static str)>,
    uuid: bool,
    slug: Option<&'static str>,
}

/// The checks of a `z.number()`, applied in this order (the order Infisical declares them in):
/// `.int()`, `.min(n)`, `.max(n)`, with zod's default messages.
#[derive(Default)]
pub(crate) struct NumRules {
    int: bool,
    min: Option<f64>,
    max: Option<f64>,
}

/// `z.number()` with checks to add.
pub(crate) fn number() -> NumRules {
    NumRules::default()
}

impl NumRules {
    /// `.int()`.
    pub(crate) fn int(mut self) -> Self {
        self.int = true;
        self
    }

    /// `.min(n)`: "Number must be greater than or equal to n".
    pub(crate) fn min(mut self, n: f64) -> Self {
        self.min = Some(n);
        self
    }

    /// `.max(n)`: "Number must be less than or equal to n".
    pub(crate) fn max(mut self, n: f64) -> Self {
        self.max = Some(n);
        self
    }
}

impl From<NumRules> for Schema {
    fn from(rules: NumRules) -> Self {
        Schema::Num(rules)
    }
}

/// `z.string()`.
pub(crate) fn string() -> StrRules {
    StrRules::default()
}

impl StrRules {
    /// `.toLowerCase()`: the value is lower-cased before the other checks and in the output.
    pub(crate) fn lowercase(mut self) -> Self {
        self.lowercase = true;
        self
    }

    /// `.trim()`: the value is trimmed before the length checks and in the output.
    pub(crate) fn trim(mut self) -> Self {
        self.trim = true;
        self
    }

    /// `.min(n, message)`.
    pub(crate) fn min(mut self, n: usize, message: &'static str) -> Self {
        self.min = Some((n, message));
        self
    }

    /// `.max(n, message)`.
    pub(crate) fn max(mut self, n: usize, message: &'static str) -> Self {
        self.max = Some((n, message));
        self
    }

    /// `.uuid()`.
    pub(crate) fn uuid(mut self) -> Self {
        self.uuid = true;
        self
    }

    /// `.refine(v => slugify(v) === v, message)`, as Infisical's `slugSchema` does.
    pub(crate) fn slug(mut self, message: &'static str) -> Self {
        self.slug = Some(message);
        self
    }
}

impl From<StrRules> for Schema {
    fn from(rules: StrRules) -> Self {
        Schema::Str(rules)
    }
}

/// `z.literal(value)`.
pub(crate) fn literal(value: impl Into<Value>) -> Schema {
    Schema::Literal {
        value: value.into(),
        message: None,
    }
}

/// `z.literal(value, { errorMap: () => ({ message }) })`.
pub(crate) fn literal_with_message(value: impl Into<Value>, message: &'static str) -> Schema {
    Schema::Literal {
        value: value.into(),
        message: Some(message),
    }
}

/// `schema.optional()`.
pub(crate) fn optional(schema: impl Into<Schema>) -> Schema {
    Schema::Optional(Box::new(schema.into()))
}

/// `schema.default(value)`.
pub(crate) fn with_default(schema: impl Into<Schema>, value: impl Into<Value>) -> Schema {
    Schema::Default(Box::new(schema.into()), value.into())
}

/// `schema.superRefine(check)`.
pub(crate) fn refine(schema: impl Into<Schema>, check: Refinement) -> Schema {
    Schema::Refine(Box::new(schema.into()), check)
}

/// `z.array(item)`.
pub(crate) fn array(item: impl Into<Schema>) -> Schema {
    Schema::Array(Box::new(item.into()))
}

/// `z.array(item).min(n)`.
pub(crate) fn array_min(item: impl Into<Schema>, n: usize) -> Schema {
    Schema::ArrayMin(Box::new(item.into()), n)
}

/// `z.record(value)`.
pub(crate) fn record(value: impl Into<Schema>) -> Schema {
    Schema::Record(Box::new(value.into()))
}

/// What JavaScript's `String.prototype.trim` removes: ECMAScript's WhiteSpace and
/// LineTerminator. Unicode's White_Space (Rust's `char::is_whitespace`) differs in two code
/// points: it has U+0085 (NEXT LINE), which JavaScript keeps, and lacks U+FEFF (the byte-order
/// mark), which JavaScript removes.
pub(crate) fn is_js_whitespace(c: char) -> bool {
    c == '\u{feff}' || (c.is_whitespace() && c != '\u{85}')
}

/// JavaScript's `trim()`.
pub(crate) fn js_trim(text: &str) -> &str {
    text.trim_matches(is_js_whitespace)
}

/// zod's `util.joinValues`: `'a' | 'b'`, as enum and discriminator messages list options.
pub(crate) fn join_values(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| format!("'{v}'"))
        .collect::<Vec<_>>()
        .join(" | ")
}

/// A `custom` issue, as `ctx.addIssue({ code: "custom", message, path })` adds one.
pub(crate) fn custom_issue(path: &[Value], message: &str) -> Value {
    json!({ "code": "custom", "message": message, "path": path })
}

/// `schema.nullish()`.
pub(crate) fn nullish(schema: impl Into<Schema>) -> Schema {
    Schema::Nullish(Box::new(schema.into()))
}

/// `z.undefined({ message }).or(z.null({ message }))`: how Infisical refuses a field an app does
/// not support (e.g. GitHub's `rotation`). Anything but absent or `null` is one `invalid_union`
/// issue ("Invalid input") whose two branches carry `message`.
pub(crate) fn absent_or_null(message: &'static str) -> Schema {
    Schema::Union(vec![Schema::Undefined(message), Schema::Null(message)])
}

/// The result of parsing one value.
pub(crate) struct Parsed {
    /// How it went.
    pub(crate) status: Status,
    /// The output value (trimmed strings, stripped objects); `None` is JavaScript's `undefined`.
    pub(crate) value: Option<Value>,
}

impl Parsed {
    fn new(status: Status, value: Option<Value>) -> Self {
        Self { status, value }
    }

    fn aborted() -> Self {
        Self::new(Status::Aborted, None)
    }
}

/// The `description` every create and update body takes: `z.string().trim().max(256).nullish()`.
pub(crate) fn description_schema() -> Schema {
    nullish(
        string()
            .trim()
            .max(256, "Description cannot exceed 256 characters"),
    )
}

/// Parses a whole input (a body or a query) as a route does: the value that came out (`None`
/// when the schema let an absent input through), or every issue found.
pub(crate) fn check(schema: &Schema, input: Option<&Value>) -> Result<Option<Value>, Vec<Value>> {
    let mut issues = Vec::new();
    let parsed = parse(schema, input, &[], &mut issues);
    if issues.is_empty() {
        Ok(parsed.value)
    } else {
        Err(issues)
    }
}

/// Parses `input` (`None` meaning the key was absent) against `schema`, appending zod issues.
pub(crate) fn parse(
    schema: &Schema,
    input: Option<&Value>,
    path: &[Value],
    issues: &mut Vec<Value>,
) -> Parsed {
    match schema {
        Schema::Str(rules) => match input {
            Some(Value::String(raw)) => parse_string(rules, raw, path, issues),
            _ => fail(invalid_type("string", input, path), issues),
        },
        Schema::Literal { value, message } => {
            if input == Some(value) {
                return Parsed::new(Status::Valid, Some(value.clone()));
            }
            let message = message.map_or_else(
                || format!("Invalid literal value, expected {value}"),
                str::to_owned,
            );
            let mut issue = json!({
                "code": "invalid_literal",
                "expected": value,
                "path": path,
                "message": message,
            });
            // zod copies the received value; `undefined` vanishes from the JSON.
            if let (Some(received), Some(object)) = (input, issue.as_object_mut()) {
                object.insert("received".to_owned(), received.clone());
            }
            fail(issue, issues)
        }
        Schema::Optional(inner) => match input {
            None => Parsed::new(Status::Valid, None),
            Some(_) => parse(inner, input, path, issues),
        },
        Schema::Nullish(inner) => match input {
            None => Parsed::new(Status::Valid, None),
            Some(Value::Null) => Parsed::new(Status::Valid, Some(Value::Null)),
            Some(_) => parse(inner, input, path, issues),
        },
        Schema::Undefined(message) => match input {
            None => Parsed::new(Status::Valid, None),
            Some(_) => fail(invalid_type_with("undefined", input, path, message), issues),
        },
        Schema::Null(message) => match input {
            Some(Value::Null) => Parsed::new(Status::Valid, Some(Value::Null)),
            _ => fail(invalid_type_with("null", input, path, message), issues),
        },
        Schema::Object(fields) => match input {
            Some(Value::Object(object)) => parse_object(fields, object, path, issues),
            _ => fail(invalid_type("object", input, path), issues),
        },
        Schema::Union(options) => parse_union(options, input, path, issues),
        Schema::Ref(schema) => parse(schema, input, path, issues),
        Schema::Bool => match input {
            Some(Value::Bool(_)) => Parsed::new(Status::Valid, input.cloned()),
            _ => fail(invalid_type("boolean", input, path), issues),
        },
        Schema::Number => match input {
            Some(Value::Number(_)) => Parsed::new(Status::Valid, input.cloned()),
            _ => fail(invalid_type("number", input, path), issues),
        },
        Schema::Num(rules) => match input {
            Some(Value::Number(n)) => parse_number(rules, n, path, issues),
            _ => fail(invalid_type("number", input, path), issues),
        },
        Schema::Array(item) => match input {
            Some(Value::Array(items)) => parse_array(item, items, path, issues),
            _ => fail(invalid_type("array", input, path), issues),
        },
        Schema::ArrayMin(item, min) => match input {
            Some(Value::Array(items)) => {
                let parsed = parse_array(item, items, path, issues);
                if parsed.status == Status::Aborted || items.len() >= *min {
                    return parsed;
                }
                issues.push(json!({
                    "code": "too_small", "minimum": min, "type": "array", "inclusive": true,
                    "exact": false,
                    "message": format!("Array must contain at least {min} element(s)"),
                    "path": path,
                }));
                Parsed::new(Status::Dirty, parsed.value)
            }
            _ => fail(invalid_type("array", input, path), issues),
        },
        Schema::Record(value) => match input {
            Some(Value::Object(object)) => parse_record(value, object, path, issues),
            _ => fail(invalid_type("object", input, path), issues),
        },
        Schema::Enum(values) => parse_enum(values, input, path, issues),
        Schema::Default(inner, value) => match input {
            None => Parsed::new(Status::Valid, Some(value.clone())),
            Some(_) => parse(inner, input, path, issues),
        },
        Schema::Refine(inner, check) => {
            let parsed = parse(inner, input, path, issues);
            match (&parsed.status, &parsed.value) {
                (Status::Aborted, _) | (_, None) => parsed,
                (status, Some(value)) => {
                    let status = if check(value, path, issues) {
                        Status::Dirty
                    } else {
                        *status
                    };
                    Parsed::new(status, parsed.value)
                }
            }
        }
        Schema::Discriminated { key, options } => match input {
            Some(Value::Object(object)) => match choose(key, options, object, path) {
                Ok(chosen) => parse(chosen, input, path, issues),
                Err(issue) => fail(issue, issues),
            },
            _ => fail(invalid_type("object", input, path), issues),
        },
    }
}

/// zod's number checks, in declaration order; every failed one is an issue (the value is dirty).
fn parse_number(
    rules: &NumRules,
    n: &serde_json::Number,
    path: &[Value],
    issues: &mut Vec<Value>,
) -> Parsed {
    let value = n.as_f64().unwrap_or_default();
    let mut status = Status::Valid;
    if rules.int && value.fract() != 0.0 {
        issues.push(json!({
            "code": "invalid_type", "expected": "integer", "received": "float",
            "message": "Expected integer, received float", "path": path,
        }));
        status = Status::Dirty;
    }
    if let Some(min) = rules.min
        && value < min
    {
        issues.push(json!({
            "code": "too_small", "minimum": js_number(min), "type": "number", "inclusive": true,
            "exact": false,
            "message": format!("Number must be greater than or equal to {min}"),
            "path": path,
        }));
        status = Status::Dirty;
    }
    if let Some(max) = rules.max
        && value > max
    {
        issues.push(json!({
            "code": "too_big", "maximum": js_number(max), "type": "number", "inclusive": true,
            "exact": false,
            "message": format!("Number must be less than or equal to {max}"),
            "path": path,
        }));
        status = Status::Dirty;
    }
    Parsed::new(status, Some(Value::Number(n.clone())))
}

/// A number as JSON.stringify writes it: whole numbers without a fraction.
fn js_number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9e15 {
        Value::from(n as i64)
    } else {
        Value::from(n)
    }
}

/// The issue's record, and the parse of this value goes no further.
fn fail(issue: Value, issues: &mut Vec<Value>) -> Parsed {
    issues.push(issue);
    Parsed::aborted()
}

fn parse_array(item: &Schema, items: &[Value], path: &[Value], issues: &mut Vec<Value>) -> Parsed {
    let mut status = Status::Valid;
    let mut output = Vec::with_capacity(items.len());
    for (index, value) in items.iter().enumerate() {
        let mut child = path.to_vec();
        child.push(Value::from(index));
        let parsed = parse(item, Some(value), &child, issues);
        status = status.max(parsed.status);
        output.extend(parsed.value);
    }
    if status == Status::Aborted {
        return Parsed::aborted();
    }
    Parsed::new(status, Some(Value::Array(output)))
}

fn parse_record(
    value: &Schema,
    object: &Map<String, Value>,
    path: &[Value],
    issues: &mut Vec<Value>,
) -> Parsed {
    let mut status = Status::Valid;
    let mut output = Map::new();
    for (key, item) in object {
        let mut child = path.to_vec();
        child.push(Value::String(key.clone()));
        let parsed = parse(value, Some(item), &child, issues);
        status = status.max(parsed.status);
        if let Some(parsed) = parsed.value {
            output.insert(key.clone(), parsed);
        }
    }
    if status == Status::Aborted {
        return Parsed::aborted();
    }
    Parsed::new(status, Some(Value::Object(output)))
}

/// `z.nativeEnum`: a value of another type is `invalid_type` (expected: the joined values), a
/// string that is not one of them `invalid_enum_value`.
fn parse_enum(
    values: &[&str],
    input: Option<&Value>,
    path: &[Value],
    issues: &mut Vec<Value>,
) -> Parsed {
    match input {
        Some(Value::String(text)) if values.contains(&text.as_str()) => {
            Parsed::new(Status::Valid, input.cloned())
        }
        Some(Value::String(text)) => fail(
            json!({
                "received": text,
                "code": "invalid_enum_value",
                "options": values,
                "path": path,
                "message": format!(
                    "Invalid enum value. Expected {}, received '{text}'",
                    join_values(values)
                ),
            }),
            issues,
        ),
        _ => {
            let expected = join_values(values);
            let mut issue = invalid_type(&expected, input, path);
            if input.is_some()
                && let Some(object) = issue.as_object_mut()
            {
                object.insert(
                    "message".to_owned(),
                    format!("Expected {expected}, received {}", type_name(input)).into(),
                );
            }
            fail(issue, issues)
        }
    }
}

/// `z.discriminatedUnion`: the option `object`'s `key` names, or the issue listing the names.
fn choose<'s>(
    key: &str,
    options: &'s [(&'static str, Schema)],
    object: &Map<String, Value>,
    path: &[Value],
) -> Result<&'s Schema, Value> {
    let given = object.get(key).and_then(Value::as_str);
    if let Some((_, schema)) = options.iter().find(|(name, _)| Some(*name) == given) {
        return Ok(schema);
    }
    let names: Vec<&str> = options.iter().map(|(name, _)| *name).collect();
    let mut at = path.to_vec();
    at.push(Value::String(key.to_owned()));
    Err(json!({
        "code": "invalid_union_discriminator",
        "options": names,
        "path": at,
        "message": format!(
            "Invalid discriminator value. Expected {}",
            join_values(&names)
        ),
    }))
}

fn parse_string(rules: &StrRules, raw: &str, path: &[Value], issues: &mut Vec<Value>) -> Parsed {
    let lowered;
    let raw = if rules.lowercase {
        lowered = raw.to_lowercase();
        lowered.as_str()
    } else {
        raw
    };
    let text = if rules.trim { js_trim(raw) } else { raw };
    // JavaScript measures strings in UTF-16 code units.
    let length = text.encode_utf16().count();
    let mut status = Status::Valid;
    if let Some((min, message)) = rules.min
        && length < min
    {
        issues.push(json!({
            "code": "too_small", "minimum": min, "type": "string", "inclusive": true,
            "exact": false, "message": message, "path": path,
        }));
        status = Status::Dirty;
    }
    if let Some((max, message)) = rules.max
        && length > max
    {
        issues.push(json!({
            "code": "too_big", "maximum": max, "type": "string", "inclusive": true,
            "exact": false, "message": message, "path": path,
        }));
        status = Status::Dirty;
    }
    if rules.uuid && !is_uuid(text) {
        issues.push(json!({
            "validation": "uuid", "code": "invalid_string", "message": "Invalid uuid", "path": path,
        }));
        status = Status::Dirty;
    }
    // A zod refinement still runs on a dirty value, so a too-long name with capitals gets both.
    if let Some(message) = rules.slug
        && !is_slug(text)
    {
        issues.push(json!({ "code": "custom", "message": message, "path": path }));
        status = Status::Dirty;
    }
    Parsed::new(status, Some(Value::String(text.to_owned())))
}

fn parse_object(
    fields: &[(&'static str, Schema)],
    object: &Map<String, Value>,
    path: &[Value],
    issues: &mut Vec<Value>,
) -> Parsed {
    let mut status = Status::Valid;
    let mut output = Map::new();
    for (key, schema) in fields {
        let mut child = path.to_vec();
        child.push(Value::String((*key).to_owned()));
        let parsed = parse(schema, object.get(*key), &child, issues);
        status = status.max(parsed.status);
        if let Some(value) = parsed.value {
            output.insert((*key).to_owned(), value);
        }
    }
    if status == Status::Aborted {
        return Parsed::aborted();
    }
    Parsed::new(status, Some(Value::Object(output)))
}

fn parse_union(
    options: &[Schema],
    input: Option<&Value>,
    path: &[Value],
    issues: &mut Vec<Value>,
) -> Parsed {
    let mut dirty: Option<(Parsed, Vec<Value>)> = None;
    let mut per_option = Vec::new();
    for option in options {
        let mut own = Vec::new();
        let parsed = parse(option, input, path, &mut own);
        match parsed.status {
            Status::Valid => return parsed,
            Status::Dirty if dirty.is_none() => dirty = Some((parsed, own.clone())),
            _ => {}
        }
        if !own.is_empty() {
            per_option.push(json!({ "issues": own, "name": "ZodError" }));
        }
    }
    if let Some((parsed, own)) = dirty {
        issues.extend(own);
        return parsed;
    }
    fail(
        json!({
            "code": "invalid_union", "unionErrors": per_option, "path": path, "message": "Invalid input",
        }),
        issues,
    )
}

/// zod's `invalid_type` issue; "Required" is its message for a missing value.
pub(crate) fn invalid_type(expected: &str, input: Option<&Value>, path: &[Value]) -> Value {
    let received = type_name(input);
    let message = if input.is_none() {
        "Required".to_owned()
    } else {
        format!("Expected {expected}, received {received}")
    };
    json!({
        "code": "invalid_type", "expected": expected, "received": received,
        "path": path, "message": message,
    })
}

/// zod's `invalid_type` issue for a schema built with `{ message }`, which replaces both
/// "Required" and "Expected …, received …".
fn invalid_type_with(
    expected: &str,
    input: Option<&Value>,
    path: &[Value],
    message: &str,
) -> Value {
    json!({
        "code": "invalid_type", "expected": expected, "received": type_name(input),
        "path": path, "message": message,
    })
}

/// The name zod's `getParsedType` gives a JSON value.
fn type_name(value: Option<&Value>) -> &'static str {
    match value {
        None => "undefined",
        Some(Value::Null) => "null",
        Some(Value::Bool(_)) => "boolean",
        Some(Value::Number(_)) => "number",
        Some(Value::String(_)) => "string",
        Some(Value::Array(_)) => "array",
        Some(Value::Object(_)) => "object",
    }
}

/// zod's uuid check: 8-4-4-4-12 hexadecimal digits, any case.
pub(crate) fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Whether `slugify(text, { lowercase: true }) === text`: lowercase ASCII letters and digits in
/// runs separated by single hyphens. The empty string slugifies to itself (`min(1)` catches it).
fn is_slug(text: &str) -> bool {
    text.is_empty()
        || text.split('-').all(|run| {
            !run.is_empty()
                && run
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(schema: &Schema, input: Value) -> (Status, Vec<Value>) {
        let mut issues = Vec::new();
        let parsed = parse(schema, Some(&input), &[], &mut issues);
        (parsed.status, issues)
    }

    #[test]
    fn slug_rules_match_slugify_equality() {
        for good in ["a", "my-conn", "a1-b2-c3", "123"] {
            assert!(is_slug(good), "{good}");
        }
        for bad in ["A", "a_b", "a--b", "-a", "a-", "a b", "é"] {
            assert!(!is_slug(bad), "{bad}");
        }
    }

    #[test]
    fn optional_rejects_null_but_nullish_accepts_it() {
        let (status, issues) = check(
            &Schema::Object(vec![("projectId", optional(string()))]),
            json!({ "projectId": null }),
        );
        assert_eq!(status, Status::Aborted);
        assert_eq!(issues[0]["message"], "Expected string, received null");
        let (status, _) = check(
            &Schema::Object(vec![("description", nullish(string()))]),
            json!({ "description": null }),
        );
        assert_eq!(status, Status::Valid);
    }

    #[test]
    fn absent_or_null_refuses_anything_else_with_one_invalid_union() {
        let schema = Schema::Object(vec![("rotation", absent_or_null("Not here"))]);
        assert_eq!(check(&schema, json!({})).0, Status::Valid);
        assert_eq!(check(&schema, json!({ "rotation": null })).0, Status::Valid);
        let (status, issues) = check(&schema, json!({ "rotation": {} }));
        assert_eq!(status, Status::Aborted);
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0]["code"], "invalid_union");
        assert_eq!(issues[0]["message"], "Invalid input");
        let branches = &issues[0]["unionErrors"];
        assert_eq!(branches[0]["issues"][0]["expected"], "undefined");
        assert_eq!(branches[1]["issues"][0]["expected"], "null");
        assert_eq!(branches[1]["issues"][0]["message"], "Not here");
        assert_eq!(branches[1]["issues"][0]["received"], "object");
    }

    #[test]
    fn union_prefers_the_dirty_branch_issues() {
        let union = Schema::Union(vec![
            Schema::Object(vec![
                ("kind", literal("server")),
                ("host", string().min(1, "host!").into()),
            ]),
            Schema::Object(vec![("kind", literal("cloud"))]),
        ]);
        let (status, issues) = check(&union, json!({ "kind": "server", "host": "" }));
        assert_eq!(status, Status::Dirty);
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0]["message"], "host!");
        let (status, issues) = check(&union, json!({ "kind": "other" }));
        assert_eq!(status, Status::Aborted);
        assert_eq!(issues[0]["code"], "invalid_union");
        assert_eq!(issues[0]["unionErrors"].as_array().map(Vec::len), Some(2));
    }
}
