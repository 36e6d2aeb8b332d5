//! Terraform values and their two wire forms: schema-driven MessagePack (`DynamicValue.msgpack`)
//! and the JSON that `UpgradeResourceState` receives in `raw_state.json`.
//!
//! Wire rules (Terraform's `object-wire-format.md`): an object is a map with every attribute present
//! (null when unset); null is msgpack nil; an unknown value is *any* msgpack extension (code 0 plain,
//! code 12 refined — refinements are read and dropped); a number may arrive as an integer, a float or
//! a decimal string. Responses are always MessagePack. Nothing here panics on bad input: every
//! problem is a `ValueError` naming the attribute path.

use std::collections::BTreeMap;
use std::fmt;

use super::path::{AttrPath, PathStep};

/// The type of a value, as Terraform's type system (cty) knows it.
#[derive(Clone, Debug, PartialEq)]
pub enum Type {
    /// A UTF-8 string.
    String,
    /// An arbitrary-precision number.
    Number,
    /// A boolean.
    Bool,
    /// A list of one element type.
    List(Box<Type>),
    /// A set of one element type.
    Set(Box<Type>),
    /// A map from strings to one element type.
    Map(Box<Type>),
    /// An object with named attributes.
    Object(BTreeMap<String, Type>),
    /// A fixed-length sequence of typed elements.
    Tuple(Vec<Type>),
    /// Any type, decided by the value (not used by this provider's schemas; rejected on the wire).
    Dynamic,
}

impl Type {
    /// cty's compact JSON form, used in `Schema.Attribute.type`.
    pub(crate) fn to_json(&self) -> serde_json::Value {
        use serde_json::json;
        match self {
            Type::String => json!("string"),
            Type::Number => json!("number"),
            Type::Bool => json!("bool"),
            Type::Dynamic => json!("dynamic"),
            Type::List(t) => json!(["list", t.to_json()]),
            Type::Set(t) => json!(["set", t.to_json()]),
            Type::Map(t) => json!(["map", t.to_json()]),
            Type::Object(attrs) => {
                let attrs: serde_json::Map<_, _> = attrs
                    .iter()
                    .map(|(k, t)| (k.clone(), t.to_json()))
                    .collect();
                json!(["object", attrs])
            }
            Type::Tuple(elems) => {
                json!(["tuple", elems.iter().map(Type::to_json).collect::<Vec<_>>()])
            }
        }
    }
}

/// A number as it arrived or will be sent: integers stay integers, fractions stay floats, and
/// anything beyond 64 bits is kept as its decimal text (Terraform numbers are arbitrary precision).
#[derive(Clone, Debug, PartialEq)]
pub enum Number {
    /// A signed integer.
    Int(i64),
    /// An unsigned integer above `i64::MAX`.
    UInt(u64),
    /// A finite float.
    Float(f64),
    /// A decimal number too large or too precise for the other forms.
    Decimal(String),
}

/// A Terraform value. Objects, maps, lists and sets hold values of their schema's types.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum Value {
    /// No value.
    #[default]
    Null,
    /// Not known until apply.
    Unknown,
    /// A boolean.
    Bool(bool),
    /// A number.
    Number(Number),
    /// A string.
    String(String),
    /// A list or tuple.
    List(Vec<Value>),
    /// A set (order as received; equality is by content, see [`Value::same_as`]).
    Set(Vec<Value>),
    /// A map or an object, keyed by element key or attribute name.
    Map(BTreeMap<String, Value>),
}

/// Why a value could not be decoded or encoded.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
#[error("{message}")]
pub(crate) struct ValueError {
    /// Where in the value the problem is.
    pub(crate) path: AttrPath,
    /// What is wrong, as a lowercase phrase.
    pub(crate) message: String,
}

impl ValueError {
    fn new(path: &AttrPath, message: impl Into<String>) -> Self {
        Self {
            path: path.clone(),
            message: message.into(),
        }
    }
}

impl Value {
    /// A string value.
    pub fn string(s: impl Into<String>) -> Self {
        Value::String(s.into())
    }

    /// A string value, or null for `None`.
    pub fn opt_string(s: Option<impl Into<String>>) -> Self {
        s.map_or(Value::Null, |s| Value::String(s.into()))
    }

    /// A whole-number value.
    pub fn int(i: i64) -> Self {
        Value::Number(Number::Int(i))
    }

    /// The value as a whole number: `None` unless it is a known number without a fraction that
    /// fits in 64 bits.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Number(Number::Int(i)) => Some(*i),
            Value::Number(Number::UInt(u)) => i64::try_from(*u).ok(),
            Value::Number(Number::Float(f)) if f.fract() == 0.0 && f.abs() < 9.0e15 => {
                // Exact: |f| < 2^53, and it has no fraction.
                #[allow(clippy::cast_possible_truncation)]
                Some(*f as i64)
            }
            Value::Number(Number::Decimal(text)) => text.parse().ok(),
            _ => None,
        }
    }

    /// An object value from `(attribute, value)` pairs.
    pub fn object<K: Into<String>>(attrs: impl IntoIterator<Item = (K, Value)>) -> Self {
        Value::Map(attrs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// Whether the value is null.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// Whether the value is unknown.
    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown)
    }

    /// Whether the value or anything inside it is unknown.
    pub(crate) fn contains_unknown(&self) -> bool {
        match self {
            Value::Unknown => true,
            Value::List(v) | Value::Set(v) => v.iter().any(Value::contains_unknown),
            Value::Map(m) => m.values().any(Value::contains_unknown),
            _ => false,
        }
    }

    /// The bool inside, if this is a known bool.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The string inside, if this is a known string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// An attribute of an object (null when absent or when this is not a known object).
    pub fn get(&self, name: &str) -> &Value {
        const NULL: &Value = &Value::Null;
        match self {
            Value::Map(m) => m.get(name).unwrap_or(NULL),
            _ => NULL,
        }
    }

    /// A mutable attribute of a known object (`None` when this is not an object).
    pub(crate) fn get_mut(&mut self, name: &str) -> Option<&mut Value> {
        match self {
            Value::Map(m) => m.get_mut(name),
            _ => None,
        }
    }

    /// Sets an attribute of a known object; does nothing on other values.
    pub fn set(&mut self, name: &str, value: Value) {
        if let Value::Map(m) = self {
            m.insert(name.to_owned(), value);
        }
    }

    /// The value at `path`, or null where the path leads nowhere.
    pub fn at(&self, path: &AttrPath) -> &Value {
        const NULL: &Value = &Value::Null;
        let mut here = self;
        for step in path.steps() {
            here = match (step, here) {
                (PathStep::Attr(name) | PathStep::Key(name), Value::Map(m)) => {
                    m.get(name).unwrap_or(NULL)
                }
                (PathStep::Index(i), Value::List(v)) => usize::try_from(*i)
                    .ok()
                    .and_then(|i| v.get(i))
                    .unwrap_or(NULL),
                _ => return NULL,
            };
        }
        here
    }

    /// Equality that treats sets as unordered.
    pub fn same_as(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Set(a), Value::Set(b)) => {
                a.len() == b.len() && a.iter().all(|x| b.iter().any(|y| x.same_as(y)))
            }
            (Value::List(a), Value::List(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same_as(y))
            }
            (Value::Map(a), Value::Map(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .all(|(k, x)| b.get(k).is_some_and(|y| x.same_as(y)))
            }
            _ => self == other,
        }
    }
}

impl fmt::Display for Value {
    /// A short description of the value's kind, for error messages (never the content: it may be a secret).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Value::Null => "null",
            Value::Unknown => "an unknown value",
            Value::Bool(_) => "a bool",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::List(_) => "a list",
            Value::Set(_) => "a set",
            Value::Map(_) => "a map or object",
        })
    }
}

/// The msgpack extension code Terraform uses for an unknown value without refinements.
const UNKNOWN_EXT: i8 = 0;
/// Deeper nesting than this is refused instead of risking the stack on hostile input.
const MAX_DEPTH: usize = 256;

/// Decodes a MessagePack `DynamicValue` of type `ty`. Empty input is null, as Terraform treats it.
pub(crate) fn from_msgpack(bytes: &[u8], ty: &Type) -> Result<Value, ValueError> {
    if bytes.is_empty() {
        return Ok(Value::Null);
    }
    let root = AttrPath::root();
    let mut reader = bytes;
    let raw = rmpv::decode::read_value_with_max_depth(&mut reader, MAX_DEPTH)
        .map_err(|e| ValueError::new(&root, format!("malformed msgpack: {e}")))?;
    if !reader.is_empty() {
        return Err(ValueError::new(
            &root,
            "malformed msgpack: trailing bytes after the value",
        ));
    }
    if let Some(offset) = reserved_marker(bytes) {
        return Err(ValueError::new(
            &root,
            format!("malformed msgpack: the reserved byte 0xc1 at offset {offset}"),
        ));
    }
    decode_msgpack(raw, ty, &root)
}

/// Where the marker 0xc1, which MessagePack reserves (it never encodes anything), stands in
/// `bytes`; rmpv reads it as nil. Walks the encoding's markers and lengths without decoding.
fn reserved_marker(bytes: &[u8]) -> Option<usize> {
    // The big-endian length of `n` bytes at `at`; `usize::MAX` past the end, which ends the walk.
    let length = |at: usize, n: usize| {
        bytes.get(at..at + n).map_or(usize::MAX, |b| {
            b.iter()
                .fold(0usize, |len, byte| (len << 8) | usize::from(*byte))
        })
    };
    let (mut at, mut pending) = (0usize, 1usize);
    while pending > 0 && at < bytes.len() {
        let marker = bytes[at];
        pending -= 1;
        // (bytes of header after the marker, bytes of payload, values that follow)
        let (header, payload, values) = match marker {
            0xc1 => return Some(at),
            0x80..=0x8f => (0, 0, 2 * usize::from(marker & 0x0f)),
            0x90..=0x9f => (0, 0, usize::from(marker & 0x0f)),
            0xa0..=0xbf => (0, usize::from(marker & 0x1f), 0),
            0xc4 | 0xd9 => (1, length(at + 1, 1), 0),
            0xc5 | 0xda => (2, length(at + 1, 2), 0),
            0xc6 | 0xdb => (4, length(at + 1, 4), 0),
            0xc7 => (2, length(at + 1, 1), 0),
            0xc8 => (3, length(at + 1, 2), 0),
            0xc9 => (5, length(at + 1, 4), 0),
            0xca | 0xd2 | 0xce => (0, 4, 0),
            0xcb | 0xd3 | 0xcf => (0, 8, 0),
            0xcc | 0xd0 => (0, 1, 0),
            0xcd | 0xd1 => (0, 2, 0),
            0xd4..=0xd8 => (1, 1 << (marker - 0xd4), 0),
            0xdc => (2, 0, length(at + 1, 2)),
            0xdd => (4, 0, length(at + 1, 4)),
            0xde => (2, 0, length(at + 1, 2).saturating_mul(2)),
            0xdf => (4, 0, length(at + 1, 4).saturating_mul(2)),
            // fixints, nil, false, true
            _ => (0, 0, 0),
        };
        at = at.saturating_add(1 + header).saturating_add(payload);
        pending = pending.saturating_add(values);
    }
    None
}

fn decode_msgpack(raw: rmpv::Value, ty: &Type, path: &AttrPath) -> Result<Value, ValueError> {
    use rmpv::Value as M;
    match (raw, ty) {
        (M::Nil, _) => Ok(Value::Null),
        (M::Ext(_, _), _) => Ok(Value::Unknown),
        (_, Type::Dynamic) => Err(ValueError::new(path, "dynamic values are not supported")),
        (M::String(s), Type::String) => s
            .into_str()
            .map(Value::String)
            .ok_or_else(|| ValueError::new(path, "string is not valid UTF-8")),
        (M::Boolean(b), Type::Bool) => Ok(Value::Bool(b)),
        (M::Integer(i), Type::Number) => Ok(Value::Number(match i.as_i64() {
            Some(i) => Number::Int(i),
            None => Number::UInt(i.as_u64().unwrap_or_default()),
        })),
        (M::F32(f), Type::Number) => number_from_float(f64::from(f), path),
        (M::F64(f), Type::Number) => number_from_float(f, path),
        (M::String(s), Type::Number) => {
            let text = s.into_str().unwrap_or_default();
            parse_decimal(&text).ok_or_else(|| ValueError::new(path, "number is not a decimal"))
        }
        (M::Array(items), Type::List(elem) | Type::Set(elem)) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                out.push(decode_msgpack(item, elem, &path.index(i))?);
            }
            Ok(if matches!(ty, Type::Set(_)) {
                Value::Set(out)
            } else {
                Value::List(out)
            })
        }
        (M::Array(items), Type::Tuple(elems)) => {
            if items.len() != elems.len() {
                return Err(ValueError::new(
                    path,
                    format!("tuple needs {} elements, got {}", elems.len(), items.len()),
                ));
            }
            let mut out = Vec::with_capacity(items.len());
            for (i, (item, ty)) in items.into_iter().zip(elems).enumerate() {
                out.push(decode_msgpack(item, ty, &path.index(i))?);
            }
            Ok(Value::List(out))
        }
        (M::Map(entries), Type::Map(elem)) => {
            let mut out = BTreeMap::new();
            for (k, v) in entries {
                let key = map_key(k, path)?;
                let value = decode_msgpack(v, elem, &path.key(&key))?;
                out.insert(key, value);
            }
            Ok(Value::Map(out))
        }
        (M::Map(entries), Type::Object(attrs)) => {
            let mut out: BTreeMap<String, Value> =
                attrs.keys().map(|k| (k.clone(), Value::Null)).collect();
            for (k, v) in entries {
                let key = map_key(k, path)?;
                let Some(attr_ty) = attrs.get(&key) else {
                    return Err(ValueError::new(
                        path,
                        format!("unsupported attribute {key:?}"),
                    ));
                };
                let value = decode_msgpack(v, attr_ty, &path.attr(&key))?;
                out.insert(key, value);
            }
            Ok(Value::Map(out))
        }
        (other, ty) => Err(ValueError::new(
            path,
            format!(
                "expected {}, got msgpack {}",
                type_name(ty),
                msgpack_kind(&other)
            ),
        )),
    }
}

fn map_key(key: rmpv::Value, path: &AttrPath) -> Result<String, ValueError> {
    match key {
        rmpv::Value::String(s) => s
            .into_str()
            .ok_or_else(|| ValueError::new(path, "map key is not valid UTF-8")),
        other => Err(ValueError::new(
            path,
            format!(
                "map key must be a string, got msgpack {}",
                msgpack_kind(&other)
            ),
        )),
    }
}

fn number_from_float(f: f64, path: &AttrPath) -> Result<Value, ValueError> {
    if !f.is_finite() {
        return Err(ValueError::new(path, "number is not finite"));
    }
    Ok(Value::Number(Number::Float(f)))
}

/// Parses a decimal number's text into the tightest [`Number`] form that keeps it exactly.
fn parse_decimal(text: &str) -> Option<Value> {
    let text = text.trim();
    if let Ok(i) = text.parse::<i64>() {
        return Some(Value::Number(Number::Int(i)));
    }
    if let Ok(u) = text.parse::<u64>() {
        return Some(Value::Number(Number::UInt(u)));
    }
    let valid = {
        let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
        let (mantissa, exponent) = match digits.split_once(['e', 'E']) {
            Some((m, e)) => (m, Some(e.strip_prefix(['-', '+']).unwrap_or(e))),
            None => (digits, None),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        !(int.is_empty() && frac.is_empty())
            && int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
            && exponent.is_none_or(|e| !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit()))
    };
    valid.then(|| Value::Number(Number::Decimal(text.to_owned())))
}

fn type_name(ty: &Type) -> &'static str {
    match ty {
        Type::String => "a string",
        Type::Number => "a number",
        Type::Bool => "a bool",
        Type::List(_) => "a list",
        Type::Set(_) => "a set",
        Type::Map(_) => "a map",
        Type::Object(_) => "an object",
        Type::Tuple(_) => "a tuple",
        Type::Dynamic => "a dynamic value",
    }
}

fn msgpack_kind(v: &rmpv::Value) -> &'static str {
    use rmpv::Value as M;
    match v {
        M::Nil => "nil",
        M::Boolean(_) => "bool",
        M::Integer(_) => "integer",
        M::F32(_) | M::F64(_) => "float",
        M::String(_) => "string",
        M::Binary(_) => "binary",
        M::Array(_) => "array",
        M::Map(_) => "map",
        M::Ext(_, _) => "extension",
    }
}

/// Encodes a value of type `ty` as MessagePack, checking it against the type.
pub(crate) fn to_msgpack(value: &Value, ty: &Type) -> Result<Vec<u8>, ValueError> {
    let raw = encode_msgpack(value, ty, &AttrPath::root())?;
    let mut out = Vec::new();
    rmpv::encode::write_value(&mut out, &raw)
        .map_err(|e| ValueError::new(&AttrPath::root(), format!("msgpack encoding failed: {e}")))?;
    Ok(out)
}

fn encode_msgpack(value: &Value, ty: &Type, path: &AttrPath) -> Result<rmpv::Value, ValueError> {
    use rmpv::Value as M;
    Ok(match (value, ty) {
        (Value::Null, _) => M::Nil,
        (Value::Unknown, _) => M::Ext(UNKNOWN_EXT, vec![0]),
        (Value::String(s), Type::String) => M::from(s.as_str()),
        (Value::Bool(b), Type::Bool) => M::Boolean(*b),
        (Value::Number(n), Type::Number) => match n {
            Number::Int(i) => M::from(*i),
            Number::UInt(u) => M::from(*u),
            Number::Float(f) => M::F64(*f),
            Number::Decimal(s) => M::from(s.as_str()),
        },
        (Value::List(items) | Value::Set(items), Type::List(elem) | Type::Set(elem)) => M::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| encode_msgpack(v, elem, &path.index(i)))
                .collect::<Result<_, _>>()?,
        ),
        (Value::List(items), Type::Tuple(elems)) if items.len() == elems.len() => M::Array(
            items
                .iter()
                .zip(elems)
                .enumerate()
                .map(|(i, (v, t))| encode_msgpack(v, t, &path.index(i)))
                .collect::<Result<_, _>>()?,
        ),
        (Value::Map(entries), Type::Map(elem)) => M::Map(
            entries
                .iter()
                .map(|(k, v)| Ok((M::from(k.as_str()), encode_msgpack(v, elem, &path.key(k))?)))
                .collect::<Result<_, ValueError>>()?,
        ),
        (Value::Map(entries), Type::Object(attrs)) => {
            if let Some(extra) = entries.keys().find(|k| !attrs.contains_key(*k)) {
                return Err(ValueError::new(
                    path,
                    format!("unsupported attribute {extra:?}"),
                ));
            }
            M::Map(
                attrs
                    .iter()
                    .map(|(k, t)| {
                        let v = entries.get(k).unwrap_or(&Value::Null);
                        Ok((M::from(k.as_str()), encode_msgpack(v, t, &path.attr(k))?))
                    })
                    .collect::<Result<_, ValueError>>()?,
            )
        }
        (value, ty) => {
            return Err(ValueError::new(
                path,
                format!("expected {}, got {value}", type_name(ty)),
            ));
        }
    })
}

/// Decodes the JSON form of a stored state (`RawState.json`). Attributes missing from the JSON are
/// null; attributes the schema does not know (e.g. removed in a newer version) are dropped.
pub(crate) fn from_json(bytes: &[u8], ty: &Type) -> Result<Value, ValueError> {
    let root = AttrPath::root();
    let raw: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| ValueError::new(&root, format!("malformed JSON: {e}")))?;
    decode_json(raw, ty, &root, 0)
}

fn decode_json(
    raw: serde_json::Value,
    ty: &Type,
    path: &AttrPath,
    depth: usize,
) -> Result<Value, ValueError> {
    use serde_json::Value as J;
    if depth > MAX_DEPTH {
        return Err(ValueError::new(path, "value is nested too deeply"));
    }
    match (raw, ty) {
        (J::Null, _) => Ok(Value::Null),
        (_, Type::Dynamic) => Err(ValueError::new(path, "dynamic values are not supported")),
        (J::String(s), Type::String) => Ok(Value::String(s)),
        (J::Bool(b), Type::Bool) => Ok(Value::Bool(b)),
        (J::Number(n), Type::Number) => Ok(Value::Number(if let Some(i) = n.as_i64() {
            Number::Int(i)
        } else if let Some(u) = n.as_u64() {
            Number::UInt(u)
        } else {
            Number::Float(n.as_f64().unwrap_or_default())
        })),
        (J::String(s), Type::Number) => {
            parse_decimal(&s).ok_or_else(|| ValueError::new(path, "number is not a decimal"))
        }
        (J::Array(items), Type::List(elem) | Type::Set(elem)) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                out.push(decode_json(item, elem, &path.index(i), depth + 1)?);
            }
            Ok(if matches!(ty, Type::Set(_)) {
                Value::Set(out)
            } else {
                Value::List(out)
            })
        }
        (J::Array(items), Type::Tuple(elems)) if items.len() == elems.len() => {
            let mut out = Vec::with_capacity(items.len());
            for (i, (item, ty)) in items.into_iter().zip(elems).enumerate() {
                out.push(decode_json(item, ty, &path.index(i), depth + 1)?);
            }
            Ok(Value::List(out))
        }
        (J::Object(entries), Type::Map(elem)) => {
            let mut out = BTreeMap::new();
            for (k, v) in entries {
                let value = decode_json(v, elem, &path.key(&k), depth + 1)?;
                out.insert(k, value);
            }
            Ok(Value::Map(out))
        }
        (J::Object(mut entries), Type::Object(attrs)) => {
            let mut out = BTreeMap::new();
            for (name, attr_ty) in attrs {
                let raw = entries.remove(name).unwrap_or(J::Null);
                out.insert(
                    name.clone(),
                    decode_json(raw, attr_ty, &path.attr(name), depth + 1)?,
                );
            }
            Ok(Value::Map(out))
        }
        (other, ty) => {
            let got = match other {
                J::Null => "null",
                J::Bool(_) => "a bool",
                J::Number(_) => "a number",
                J::String(_) => "a string",
                J::Array(_) => "an array",
                J::Object(_) => "an object",
            };
            Err(ValueError::new(
                path,
                format!("expected {}, got {got}", type_name(ty)),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn object_type() -> Type {
        let creds = Type::Object(BTreeMap::from([
            ("code".to_owned(), Type::String),
            ("host".to_owned(), Type::String),
        ]));
        Type::Object(BTreeMap::from([
            ("name".to_owned(), Type::String),
            ("count".to_owned(), Type::Number),
            ("enabled".to_owned(), Type::Bool),
            ("tags".to_owned(), Type::List(Box::new(Type::String))),
            ("ids".to_owned(), Type::Set(Box::new(Type::Number))),
            ("labels".to_owned(), Type::Map(Box::new(Type::String))),
            ("credentials".to_owned(), creds.clone()),
            ("many".to_owned(), Type::List(Box::new(creds.clone()))),
            ("by_key".to_owned(), Type::Map(Box::new(creds))),
            (
                "pair".to_owned(),
                Type::Tuple(vec![Type::String, Type::Bool]),
            ),
        ]))
    }

    fn every_kind() -> Value {
        let creds =
            |code: &str| Value::object([("code", Value::string(code)), ("host", Value::Null)]);
        Value::object([
            ("name", Value::string("héllo")),
            ("count", Value::Number(Number::Int(-42))),
            ("enabled", Value::Bool(true)),
            (
                "tags",
                Value::List(vec![Value::string("a"), Value::Unknown, Value::Null]),
            ),
            (
                "ids",
                Value::Set(vec![
                    Value::Number(Number::Float(1.5)),
                    Value::Number(Number::UInt(u64::MAX)),
                    Value::Number(Number::Decimal("123456789012345678901234567890".into())),
                ]),
            ),
            ("labels", Value::object([("k", Value::string("v"))])),
            ("credentials", creds("c1")),
            ("many", Value::List(vec![creds("c2"), Value::Unknown])),
            ("by_key", Value::object([("x", creds("c3"))])),
            (
                "pair",
                Value::List(vec![Value::string("p"), Value::Bool(false)]),
            ),
        ])
    }

    #[test]
    fn every_value_kind_round_trips_through_msgpack() {
        let ty = object_type();
        let value = every_kind();
        let bytes = to_msgpack(&value, &ty).unwrap();
        assert_eq!(from_msgpack(&bytes, &ty).unwrap(), value);
    }

    #[test]
    fn unknown_and_null_round_trip_at_the_top() {
        let ty = object_type();
        for value in [Value::Null, Value::Unknown] {
            let bytes = to_msgpack(&value, &ty).unwrap();
            assert_eq!(from_msgpack(&bytes, &ty).unwrap(), value);
        }
        // Terraform writes an unrefined unknown as fixext1 d4 00 00.
        assert_eq!(
            to_msgpack(&Value::Unknown, &Type::String).unwrap(),
            vec![0xd4, 0, 0]
        );
        assert_eq!(from_msgpack(&[], &ty).unwrap(), Value::Null);
    }

    #[test]
    fn refined_unknowns_and_other_extensions_decode_as_unknown() {
        // ext 12 with a refinement map {1: false, 2: "ab"} (definitely not null, prefix "ab").
        let mut payload = Vec::new();
        let refinements = rmpv::Value::Map(vec![
            (rmpv::Value::from(1), rmpv::Value::Boolean(false)),
            (rmpv::Value::from(2), rmpv::Value::from("ab")),
        ]);
        rmpv::encode::write_value(&mut payload, &refinements).unwrap();
        for ext in [
            rmpv::Value::Ext(12, payload),
            rmpv::Value::Ext(7, vec![1, 2, 3]),
        ] {
            let mut bytes = Vec::new();
            rmpv::encode::write_value(&mut bytes, &ext).unwrap();
            assert_eq!(from_msgpack(&bytes, &Type::String).unwrap(), Value::Unknown);
        }
    }

    #[test]
    fn numbers_arrive_as_int_float_or_decimal_string() {
        let cases: Vec<(rmpv::Value, Value)> = vec![
            (rmpv::Value::from(7), Value::Number(Number::Int(7))),
            (rmpv::Value::F64(0.25), Value::Number(Number::Float(0.25))),
            (rmpv::Value::F32(0.5), Value::Number(Number::Float(0.5))),
            (rmpv::Value::from("12"), Value::Number(Number::Int(12))),
            (
                rmpv::Value::from("1e400"),
                Value::Number(Number::Decimal("1e400".into())),
            ),
        ];
        for (raw, want) in cases {
            let mut bytes = Vec::new();
            rmpv::encode::write_value(&mut bytes, &raw).unwrap();
            assert_eq!(from_msgpack(&bytes, &Type::Number).unwrap(), want);
        }
        let mut bytes = Vec::new();
        rmpv::encode::write_value(&mut bytes, &rmpv::Value::from("twelve")).unwrap();
        assert!(from_msgpack(&bytes, &Type::Number).is_err());
    }

    #[test]
    fn type_errors_name_the_attribute_path() {
        let ty = object_type();
        let mut bytes = Vec::new();
        let raw = rmpv::Value::Map(vec![(
            rmpv::Value::from("credentials"),
            rmpv::Value::Map(vec![(rmpv::Value::from("code"), rmpv::Value::from(5))]),
        )]);
        rmpv::encode::write_value(&mut bytes, &raw).unwrap();
        let err = from_msgpack(&bytes, &ty).unwrap_err();
        assert_eq!(err.path.to_string(), "credentials.code");
        assert!(err.message.contains("expected a string"), "{}", err.message);
    }

    #[test]
    fn the_reserved_marker_is_malformed_wherever_it_stands_as_a_value() {
        let ty = Type::List(Box::new(Type::String));
        for bytes in [&[0xc1][..], &[0x92, 0xc0, 0xc1], &[0xdc, 0x00, 0x01, 0xc1]] {
            let err = from_msgpack(bytes, &ty).unwrap_err();
            assert!(
                err.message.contains("reserved byte 0xc1"),
                "{bytes:x?}: {err:?}"
            );
        }
        let map = Type::Map(Box::new(Type::String));
        let err = from_msgpack(&[0x81, 0xa1, b'k', 0xc1], &map).unwrap_err();
        assert!(err.message.contains("offset 3"), "{err:?}");
        // As data it is just a byte: inside an unknown value's extension, after a float's bytes.
        assert_eq!(from_msgpack(&[0xd4, 0x00, 0xc1], &ty), Ok(Value::Unknown));
        let mut bytes = vec![0x92, 0xd4, 0x00, 0xc1];
        rmpv::encode::write_value(&mut bytes, &rmpv::Value::from("after")).unwrap();
        assert_eq!(
            from_msgpack(&bytes, &ty),
            Ok(Value::List(vec![Value::Unknown, Value::string("after")]))
        );
        let number = Type::List(Box::new(Type::Number));
        let float = [0x91, 0xcb, 0xc1, 0, 0, 0, 0, 0, 0, 0];
        assert!(from_msgpack(&float, &number).is_ok());
    }

    #[test]
    fn json_state_fills_missing_attributes_and_drops_unknown_ones() {
        let ty = object_type();
        let json = br#"{"name":"x","count":3,"removed_attribute":"old","credentials":{"code":"c","gone":1}}"#;
        let value = from_json(json, &ty).unwrap();
        assert_eq!(value.get("name"), &Value::string("x"));
        assert_eq!(value.get("count"), &Value::Number(Number::Int(3)));
        assert_eq!(value.get("enabled"), &Value::Null);
        assert_eq!(
            value.get("credentials"),
            &Value::object([("code", Value::string("c")), ("host", Value::Null)])
        );
        let Value::Map(attrs) = &value else {
            panic!("object expected")
        };
        assert!(!attrs.contains_key("removed_attribute"));
        assert!(from_json(b"{not json", &ty).is_err());
    }

    #[test]
    fn encoding_rejects_values_of_the_wrong_type() {
        let err = to_msgpack(
            &Value::object([("name", Value::Bool(true))]),
            &object_type(),
        );
        assert_eq!(err.unwrap_err().path.to_string(), "name");
    }

    /// Any MessagePack value rmpv can encode, with payloads full of 0xc1 bytes among others.
    fn any_msgpack() -> impl Strategy<Value = rmpv::Value> {
        use rmpv::Value as M;
        let bytes = || proptest::collection::vec(prop_oneof![Just(0xc1u8), any::<u8>()], 0..300);
        let leaf = prop_oneof![
            Just(M::Nil),
            any::<bool>().prop_map(M::from),
            any::<i64>().prop_map(M::from),
            any::<u64>().prop_map(M::from),
            any::<f32>().prop_map(M::F32),
            any::<f64>().prop_map(M::F64),
            ".{0,300}".prop_map(M::from),
            bytes().prop_map(M::Binary),
            (any::<i8>(), bytes()).prop_map(|(tag, data)| M::Ext(tag, data)),
        ];
        leaf.prop_recursive(4, 64, 20, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..20).prop_map(M::Array),
                proptest::collection::vec((inner.clone(), inner), 0..20).prop_map(M::Map),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn the_reserved_marker_walk_passes_every_encodable_value(value in any_msgpack()) {
            let mut bytes = Vec::new();
            rmpv::encode::write_value(&mut bytes, &value).unwrap();
            prop_assert_eq!(reserved_marker(&bytes), None);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        #[test]
        fn random_bytes_never_panic_the_decoder(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let _ = from_msgpack(&bytes, &object_type());
            let _ = from_msgpack(&bytes, &Type::Map(Box::new(Type::List(Box::new(Type::Number)))));
            let _ = from_json(&bytes, &object_type());
        }

        #[test]
        fn strings_and_numbers_round_trip(s in ".*", i in any::<i64>(), f in -1e300f64..1e300) {
            let ty = Type::Object(BTreeMap::from([
                ("s".to_owned(), Type::String),
                ("i".to_owned(), Type::Number),
                ("f".to_owned(), Type::Number),
            ]));
            let value = Value::object([
                ("s", Value::String(s)),
                ("i", Value::Number(Number::Int(i))),
                ("f", Value::Number(Number::Float(f))),
            ]);
            let bytes = to_msgpack(&value, &ty).unwrap();
            prop_assert_eq!(from_msgpack(&bytes, &ty).unwrap(), value);
        }
    }
}
