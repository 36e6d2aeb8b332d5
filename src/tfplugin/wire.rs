//! Wire conversion for the provider service: values to and from `DynamicValue`, and diagnostics,
//! attribute paths and schemas to their protocol messages. The only place these become protobuf.

use super::diag::{Diagnostic, Diagnostics, Severity};
use super::framework::IdentitySchema;
use super::path::{AttrPath, PathStep};
use super::proto::tfplugin6 as pb;
use super::schema::{Attribute, Kind, Mode, Nesting, Schema};
use super::value::{self, Type, Value};

/// Decodes a DynamicValue: msgpack when present, else JSON, else null.
pub(crate) fn decode(dv: Option<&pb::DynamicValue>, ty: &Type) -> Result<Value, Diagnostic> {
    match dv {
        Some(dv) if !dv.msgpack.is_empty() => Ok(value::from_msgpack(&dv.msgpack, ty)?),
        Some(dv) if !dv.json.is_empty() => Ok(value::from_json(&dv.json, ty)?),
        _ => Ok(Value::Null),
    }
}

/// Encodes a value as msgpack, the only form this provider sends.
pub(crate) fn encode(v: &Value, ty: &Type) -> Result<pb::DynamicValue, Diagnostic> {
    Ok(pb::DynamicValue {
        msgpack: value::to_msgpack(v, ty)?,
        json: Vec::new(),
    })
}

/// Decodes several values at once, stopping at the first problem (reported in `diags`).
pub(crate) fn decode_all<const N: usize>(
    inputs: [(Option<&pb::DynamicValue>, &Type); N],
    diags: &mut Diagnostics,
) -> Option<[Value; N]> {
    let mut out: [Value; N] = std::array::from_fn(|_| Value::Null);
    for (slot, (dv, ty)) in out.iter_mut().zip(inputs) {
        match decode(dv, ty) {
            Ok(v) => *slot = v,
            Err(d) => {
                diags.add(d);
                return None;
            }
        }
    }
    Some(out)
}

/// Encodes a value, reporting a failure in `diags`.
pub(crate) fn encode_into(
    v: &Value,
    ty: &Type,
    diags: &mut Diagnostics,
) -> Option<pb::DynamicValue> {
    encode(v, ty).map_err(|d| diags.add(d)).ok()
}

/// A point in time as the protocol's `google.protobuf.Timestamp` (an ephemeral resource's
/// `renew_at`).
pub(crate) fn timestamp(at: std::time::SystemTime) -> prost_types::Timestamp {
    prost_types::Timestamp::from(at)
}

/// The one place where diagnostics become protocol messages.
pub(crate) fn diags_to_proto(diags: &Diagnostics) -> Vec<pb::Diagnostic> {
    diags
        .iter()
        .map(|d| pb::Diagnostic {
            severity: match d.severity {
                Severity::Error => pb::diagnostic::Severity::Error,
                Severity::Warning => pb::diagnostic::Severity::Warning,
            } as i32,
            summary: d.summary.clone(),
            detail: d.detail.clone(),
            attribute: d.path.as_ref().map(path_to_proto),
        })
        .collect()
}

/// An attribute path as the protocol spells it.
pub(crate) fn path_to_proto(path: &AttrPath) -> pb::AttributePath {
    use pb::attribute_path::step::Selector;
    pb::AttributePath {
        steps: path
            .steps()
            .iter()
            .map(|step| pb::attribute_path::Step {
                selector: Some(match step {
                    PathStep::Attr(name) => Selector::AttributeName(name.clone()),
                    PathStep::Key(key) => Selector::ElementKeyString(key.clone()),
                    PathStep::Index(i) => Selector::ElementKeyInt(*i),
                }),
            })
            .collect(),
    }
}

/// A schema as `GetProviderSchema` answers it.
pub(crate) fn schema_to_proto(schema: &Schema) -> pb::Schema {
    pb::Schema {
        version: schema.version,
        block: Some(pb::schema::Block {
            version: schema.version,
            attributes: schema
                .attributes
                .iter()
                .filter(|a| !matches!(a.kind, Kind::Block(_)))
                .map(attribute_to_proto)
                .collect(),
            block_types: schema
                .attributes
                .iter()
                .filter_map(block_to_proto)
                .collect(),
            description: schema.description.to_owned(),
            description_kind: pb::StringKind::Markdown as i32,
            ..Default::default()
        }),
    }
}

/// A [`Kind::Block`] attribute as the single nested block Terraform knows; `None` for the others.
fn block_to_proto(attr: &Attribute) -> Option<pb::schema::NestedBlock> {
    let Kind::Block(children) = &attr.kind else {
        return None;
    };
    Some(pb::schema::NestedBlock {
        type_name: attr.name.to_owned(),
        block: Some(pb::schema::Block {
            attributes: children.iter().map(attribute_to_proto).collect(),
            description: attr.description.to_owned(),
            description_kind: pb::StringKind::Markdown as i32,
            ..Default::default()
        }),
        nesting: pb::schema::nested_block::NestingMode::Single as i32,
        ..Default::default()
    })
}

fn attribute_to_proto(attr: &Attribute) -> pb::schema::Attribute {
    let (ty, nested_type) = match &attr.kind {
        Kind::Plain(ty) => (ty.to_json().to_string().into_bytes(), None),
        // Blocks are answered as blocks (`block_to_proto`); this is never reached for them.
        Kind::Block(_) => (attr.value_type().to_json().to_string().into_bytes(), None),
        Kind::Nested(nesting, children) => {
            use pb::schema::object::NestingMode;
            let nesting = match nesting {
                Nesting::Single => NestingMode::Single,
                Nesting::List => NestingMode::List,
                Nesting::Set => NestingMode::Set,
                Nesting::Map => NestingMode::Map,
            };
            let object = pb::schema::Object {
                attributes: children.iter().map(attribute_to_proto).collect(),
                nesting: nesting as i32,
                ..Default::default()
            };
            (Vec::new(), Some(object))
        }
    };
    pb::schema::Attribute {
        name: attr.name.to_owned(),
        r#type: ty,
        nested_type,
        description: attr.description.to_owned(),
        description_kind: pb::StringKind::Markdown as i32,
        required: attr.mode == Mode::Required,
        optional: matches!(attr.mode, Mode::Optional | Mode::OptionalComputed),
        computed: attr.is_computed(),
        sensitive: attr.sensitive,
        write_only: attr.write_only,
        deprecated: attr.deprecation.is_some(),
        deprecation_message: attr.deprecation.unwrap_or_default().to_owned(),
    }
}

/// An identity schema as `GetResourceIdentitySchemas` answers it.
pub(crate) fn identity_schema_to_proto(schema: &IdentitySchema) -> pb::ResourceIdentitySchema {
    pb::ResourceIdentitySchema {
        version: schema.version,
        identity_attributes: schema
            .attributes
            .iter()
            .map(|a| pb::resource_identity_schema::IdentityAttribute {
                name: a.name.to_owned(),
                r#type: a.ty.to_json().to_string().into_bytes(),
                required_for_import: a.required_for_import,
                optional_for_import: !a.required_for_import,
                description: a.description.to_owned(),
            })
            .collect(),
    }
}

/// An identity as the protocol carries it, reporting a failure in `diags`.
pub(crate) fn identity_into(
    identity: &Value,
    ty: &Type,
    diags: &mut Diagnostics,
) -> Option<pb::ResourceIdentityData> {
    encode_into(identity, ty, diags).map(|data| pb::ResourceIdentityData {
        identity_data: Some(data),
    })
}
