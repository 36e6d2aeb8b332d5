//! Schemas: the attributes of a provider, resource or data source, with the flags Terraform and
//! the shared planning rules read (required/optional/computed, sensitive, write-only, replacement).

use std::collections::BTreeMap;

use super::diag::Diagnostics;
use super::path::AttrPath;
use super::value::{Type, Value};

/// Whether the user sets an attribute, the provider does, or both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The configuration must set it.
    Required,
    /// The configuration may set it; null otherwise.
    Optional,
    /// Only the provider sets it.
    Computed,
    /// The configuration may set it; the provider fills it in otherwise.
    OptionalComputed,
}

/// How a nested attribute holds its objects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nesting {
    /// One object.
    Single,
    /// A list of objects.
    List,
    /// A set of objects.
    Set,
    /// A map of objects.
    Map,
}

/// What an attribute holds: a value of a plain type, or objects with attributes of their own.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    /// A plain value.
    Plain(Type),
    /// Nested objects.
    Nested(Nesting, Vec<Attribute>),
    /// A single nested block (`name { … }` in HCL, not `name = { … }`): optional, and what the
    /// configuration says, never computed. For settings that convention writes as a block, such
    /// as `timeouts`.
    Block(Vec<Attribute>),
}

/// One attribute and everything Terraform and the planning rules need to know about it.
#[derive(Clone, Debug, PartialEq)]
pub struct Attribute {
    /// The attribute's name.
    pub name: &'static str,
    /// Its type.
    pub kind: Kind,
    /// Who sets it.
    pub mode: Mode,
    /// Markdown description, shown in docs and editors.
    pub description: &'static str,
    /// Hidden in Terraform's output.
    pub sensitive: bool,
    /// Only in configuration, never in plan or state (Terraform ≥ 1.11).
    pub write_only: bool,
    /// For a write-only attribute: the attribute users set instead on a Terraform without
    /// write-only support (its plain, stored counterpart), named when such a Terraform is refused.
    pub stored_form: Option<&'static str>,
    /// A deprecation message, if the attribute is deprecated.
    pub deprecation: Option<&'static str>,
    /// A change of this attribute replaces the resource instead of updating it.
    pub requires_replace: bool,
    /// For computed attributes: keep the prior state's value when the resource changes, instead
    /// of showing "(known after apply)" (the framework's UseStateForUnknown).
    pub use_state_for_unknown: bool,
    /// The value an optional and computed attribute takes where the configuration leaves it
    /// null (plugin-framework's `Default`): planned, filled into stored state that lacks it, and
    /// left out of generated configuration.
    pub default: Option<Value>,
}

impl Attribute {
    fn new(name: &'static str, kind: Kind) -> Self {
        Self {
            name,
            kind,
            mode: Mode::Optional,
            description: "",
            sensitive: false,
            write_only: false,
            stored_form: None,
            deprecation: None,
            requires_replace: false,
            use_state_for_unknown: false,
            default: None,
        }
    }

    /// A string attribute (optional until told otherwise).
    pub fn string(name: &'static str) -> Self {
        Self::new(name, Kind::Plain(Type::String))
    }

    /// A number attribute (optional until told otherwise).
    pub fn number(name: &'static str) -> Self {
        Self::new(name, Kind::Plain(Type::Number))
    }

    /// A boolean attribute (optional until told otherwise).
    pub fn bool(name: &'static str) -> Self {
        Self::new(name, Kind::Plain(Type::Bool))
    }

    /// A list attribute of `element`s (optional until told otherwise).
    pub fn list(name: &'static str, element: Type) -> Self {
        Self::new(name, Kind::Plain(Type::List(Box::new(element))))
    }

    /// A set attribute of `element`s (optional until told otherwise).
    pub fn set(name: &'static str, element: Type) -> Self {
        Self::new(name, Kind::Plain(Type::Set(Box::new(element))))
    }

    /// A map attribute of `element`s (optional until told otherwise).
    pub fn map(name: &'static str, element: Type) -> Self {
        Self::new(name, Kind::Plain(Type::Map(Box::new(element))))
    }

    /// A single nested object.
    pub fn single(name: &'static str, attributes: Vec<Attribute>) -> Self {
        Self::new(name, Kind::Nested(Nesting::Single, attributes))
    }

    /// A list of nested objects (`list(object)`, written `name = [{ … }, …]`).
    pub fn nested_list(name: &'static str, attributes: Vec<Attribute>) -> Self {
        Self::new(name, Kind::Nested(Nesting::List, attributes))
    }

    /// A set of nested objects (`set(object)`, written `name = [{ … }, …]`).
    pub fn set_nested(name: &'static str, attributes: Vec<Attribute>) -> Self {
        Self::new(name, Kind::Nested(Nesting::Set, attributes))
    }

    /// Nested objects keyed by string (`map(object)`, written `name = { key = { … } }`).
    pub fn map_nested(name: &'static str, attributes: Vec<Attribute>) -> Self {
        Self::new(name, Kind::Nested(Nesting::Map, attributes))
    }

    /// A single nested block, optional (see [`Kind::Block`]).
    pub fn block(name: &'static str, attributes: Vec<Attribute>) -> Self {
        Self::new(name, Kind::Block(attributes))
    }

    /// Must be set in configuration.
    pub fn required(mut self) -> Self {
        self.mode = Mode::Required;
        self
    }

    /// Set by the provider only.
    pub fn computed(mut self) -> Self {
        self.mode = Mode::Computed;
        self
    }

    /// May be set in configuration, else set by the provider.
    pub fn optional_computed(mut self) -> Self {
        self.mode = Mode::OptionalComputed;
        self
    }

    /// Sets the markdown description.
    pub fn description(mut self, text: &'static str) -> Self {
        self.description = text;
        self
    }

    /// Hides the value in Terraform's output.
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    /// Only in configuration (Terraform ≥ 1.11): never in plan or state, so it may take an
    /// ephemeral value. The shared planning rules null it in every plan and result; Terraform
    /// cannot compare it, so pair it with a versioned attribute that says when to send it again.
    pub fn write_only(mut self) -> Self {
        self.write_only = true;
        self
    }

    /// Names the plain attribute that stores what this write-only one sends, for users whose
    /// Terraform has no write-only attributes.
    pub fn stored_form(mut self, name: &'static str) -> Self {
        self.stored_form = Some(name);
        self
    }

    /// Changing it replaces the resource.
    pub fn requires_replace(mut self) -> Self {
        self.requires_replace = true;
        self
    }

    /// Keeps the prior value across updates (computed attributes that never change once set).
    pub fn use_state_for_unknown(mut self) -> Self {
        self.use_state_for_unknown = true;
        self
    }

    /// The value planned where the configuration leaves the attribute null. Only for optional
    /// and computed attributes: Terraform rejects a plan that differs from the configuration
    /// anywhere else ([`Schema::misplaced_defaults`] finds the others).
    pub fn default(mut self, value: Value) -> Self {
        self.default = Some(value);
        self
    }

    /// Marks the attribute deprecated.
    pub fn deprecated(mut self, message: &'static str) -> Self {
        self.deprecation = Some(message);
        self
    }

    /// Whether a configuration may leave it null and the provider fills it in.
    pub(crate) fn is_computed(&self) -> bool {
        matches!(self.mode, Mode::Computed | Mode::OptionalComputed)
    }

    /// The value type of the attribute.
    pub(crate) fn value_type(&self) -> Type {
        match &self.kind {
            Kind::Plain(ty) => ty.clone(),
            Kind::Nested(nesting, attrs) => {
                let object = object_type(attrs);
                match nesting {
                    Nesting::Single => object,
                    Nesting::List => Type::List(Box::new(object)),
                    Nesting::Set => Type::Set(Box::new(object)),
                    Nesting::Map => Type::Map(Box::new(object)),
                }
            }
            Kind::Block(attrs) => object_type(attrs),
        }
    }
}

fn object_type(attrs: &[Attribute]) -> Type {
    Type::Object(
        attrs
            .iter()
            .map(|a| (a.name.to_owned(), a.value_type()))
            .collect::<BTreeMap<_, _>>(),
    )
}

/// The object of `attrs`' defaults, null for an attribute without one: the default of a nested
/// attribute whose own attributes each say theirs, so that each is written once.
pub fn defaults_of(attrs: &[Attribute]) -> Value {
    Value::object(
        attrs
            .iter()
            .map(|a| (a.name, a.default.clone().unwrap_or(Value::Null))),
    )
}

/// The schema of a provider, resource or data source: a version and its top-level attributes.
#[derive(Clone, Debug, PartialEq)]
pub struct Schema {
    /// Bumped when the stored state's shape changes (state upgrades key on it).
    pub version: i64,
    /// Markdown description.
    pub description: &'static str,
    /// The top-level attributes.
    pub attributes: Vec<Attribute>,
}

impl Schema {
    /// The object type of a whole value of this schema.
    pub(crate) fn value_type(&self) -> Type {
        object_type(&self.attributes)
    }

    /// Visits every attribute, nested ones included, with its path. Attributes inside list, set
    /// and map nesting are visited once with the collection's path.
    pub(crate) fn walk(&self, mut visit: impl FnMut(&AttrPath, &Attribute)) {
        fn go(attrs: &[Attribute], base: &AttrPath, visit: &mut dyn FnMut(&AttrPath, &Attribute)) {
            for attr in attrs {
                let path = base.attr(attr.name);
                visit(&path, attr);
                if let Kind::Nested(Nesting::Single, children) | Kind::Block(children) = &attr.kind
                {
                    go(children, &path, visit);
                }
            }
        }
        go(&self.attributes, &AttrPath::root(), &mut visit);
    }

    /// Warns about each deprecated attribute `config` sets, with its path and message, as
    /// plugin frameworks do: Terraform itself only marks deprecated attributes in its docs.
    pub(crate) fn warn_deprecated(&self, config: &Value, diags: &mut Diagnostics) {
        self.walk(|path, attr| {
            if let Some(message) = attr.deprecation
                && !config.at(path).is_null()
            {
                diags.attr_warning(
                    path.clone(),
                    "Deprecated attribute",
                    format!("`{path}` is deprecated. {message}"),
                );
            }
        });
    }

    /// The paths of defaults on attributes that are not optional and computed, where Terraform
    /// would reject the planned default ("planned value for a non-computed attribute", or one
    /// that differs from the configuration). A schema's unit test asserts there are none.
    pub fn misplaced_defaults(&self) -> Vec<AttrPath> {
        let mut misplaced = Vec::new();
        self.walk(|path, attr| {
            if attr.default.is_some() && attr.mode != Mode::OptionalComputed {
                misplaced.push(path.clone());
            }
        });
        misplaced
    }

    /// A value of this schema with every attribute null.
    pub fn null_object(&self) -> Value {
        Value::object(self.attributes.iter().map(|a| (a.name, Value::Null)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deprecated_attributes_warn_only_when_set() {
        let schema = Schema {
            version: 0,
            description: "",
            attributes: vec![
                Attribute::string("old").deprecated("Use `new`."),
                Attribute::single(
                    "auth",
                    vec![Attribute::string("legacy").deprecated("Gone soon.")],
                ),
            ],
        };
        let mut diags = Diagnostics::new();
        schema.warn_deprecated(
            &Value::object([("old", Value::Null), ("auth", Value::Null)]),
            &mut diags,
        );
        assert!(diags.is_empty());
        schema.warn_deprecated(
            &Value::object([
                ("old", Value::string("x")),
                ("auth", Value::object([("legacy", Value::Unknown)])),
            ]),
            &mut diags,
        );
        let warnings: Vec<_> = diags
            .iter()
            .map(|d| (d.path.clone(), d.detail.clone()))
            .collect();
        assert_eq!(
            warnings,
            vec![
                (
                    Some(AttrPath::new("old")),
                    "`old` is deprecated. Use `new`.".to_owned()
                ),
                (
                    Some(AttrPath::new("auth").attr("legacy")),
                    "`auth.legacy` is deprecated. Gone soon.".to_owned()
                ),
            ]
        );
    }

    #[test]
    fn defaults_belong_on_optional_computed_attributes_only() {
        let schema = Schema {
            version: 0,
            description: "",
            attributes: vec![
                Attribute::bool("fine")
                    .optional_computed()
                    .default(Value::Bool(true)),
                Attribute::bool("optional").default(Value::Bool(true)),
                Attribute::string("required")
                    .required()
                    .default(Value::string("x")),
                Attribute::single(
                    "nested",
                    vec![
                        Attribute::string("computed")
                            .computed()
                            .default(Value::string("y")),
                    ],
                )
                .optional_computed(),
            ],
        };
        assert_eq!(
            schema.misplaced_defaults(),
            [
                AttrPath::new("optional"),
                AttrPath::new("required"),
                AttrPath::new("nested").attr("computed"),
            ]
        );
    }

    #[test]
    fn nested_single_attributes_are_objects() {
        let schema = Schema {
            version: 0,
            description: "",
            attributes: vec![
                Attribute::string("id").computed(),
                Attribute::single("auth", vec![Attribute::string("token").sensitive()]),
            ],
        };
        let Type::Object(attrs) = schema.value_type() else {
            panic!("object expected")
        };
        assert_eq!(attrs["id"], Type::String);
        assert_eq!(
            attrs["auth"],
            Type::Object(BTreeMap::from([("token".to_owned(), Type::String)]))
        );
        let mut seen = Vec::new();
        schema.walk(|path, _| seen.push(path.to_string()));
        assert_eq!(seen, ["id", "auth", "auth.token"]);
    }
}
