//! Resource `infisical_project_identity`: a machine identity's membership of a project, with its
//! roles, with the official provider's attributes (schema version 0), on
//! `/api/v1/projects/{project_id}/memberships/identities/{identity_id}`.
//!
//! Unlike the official resource, changing `project_id` or `identity_id` replaces the membership
//! (the official one PATCHes a membership that does not exist, or fails), roles are compared by
//! what they mean (their order and the values Infisical fills in are not changes), and a role's
//! computed values are known after apply only where the role changes.

use std::collections::BTreeSet;

use crate::infisical::{Membership, MembershipRole, RoleRequest};
use crate::tfplugin::diag::{Diagnostic, Diagnostics, Severity};
use crate::tfplugin::framework::{PlanInput, ReadOutcome, Stored};
use crate::tfplugin::path::AttrPath;
use crate::tfplugin::schema::{Attribute, Schema};
use crate::tfplugin::value::{Type, Value};

use super::configured::Configured;
use super::errors::Area;
use super::model::{Computed, Fields, Model, missing};
use super::plain::{Lifecycle, Unfinished};
use super::validate;

/// The resource's type name.
const TYPE_NAME: &str = "infisical_project_identity";

/// Attribute names (the official provider's).
mod attr {
    pub(super) const PROJECT_ID: &str = "project_id";
    pub(super) const IDENTITY_ID: &str = "identity_id";
    pub(super) const MEMBERSHIP_ID: &str = "membership_id";
    pub(super) const ADOPT_EXISTING: &str = "adopt_existing";
    pub(super) const IDENTITY: &str = "identity";
    pub(super) const ID: &str = "id";
    pub(super) const NAME: &str = "name";
    pub(super) const AUTH_METHODS: &str = "auth_methods";
    pub(super) const ROLES: &str = "roles";
    pub(super) const ROLE_SLUG: &str = "role_slug";
    pub(super) const CUSTOM_ROLE_ID: &str = "custom_role_id";
    pub(super) const IS_TEMPORARY: &str = "is_temporary";
    pub(super) const TEMPORARY_MODE: &str = "temporary_mode";
    pub(super) const TEMPORARY_RANGE: &str = "temporary_range";
    pub(super) const TEMPORARY_START: &str = "temporary_access_start_time";
    pub(super) const TEMPORARY_END: &str = "temporary_access_end_time";
}

/// The role fields a configuration sets (what a role means), in a comparable form.
const ROLE_INPUTS: [&str; 5] = [
    attr::ROLE_SLUG,
    attr::IS_TEMPORARY,
    attr::TEMPORARY_MODE,
    attr::TEMPORARY_RANGE,
    attr::TEMPORARY_START,
];
/// The role fields Infisical fills in.
const ROLE_OUTPUTS: [&str; 3] = [attr::ID, attr::CUSTOM_ROLE_ID, attr::TEMPORARY_END];

/// The resource, as the provider registers it.
pub(crate) struct ProjectIdentity;

/// The resource's schema: the official v0.19.24 attributes, names and types.
pub(crate) fn schema() -> Schema {
    use attr::*;
    let computed_text = |name, text| {
        Attribute::string(name)
            .optional_computed()
            .description(text)
    };
    Schema {
        version: 0,
        description: "A machine identity's membership of a project, with its roles: what the \
                      identity may read and write there.",
        attributes: vec![
            Attribute::string(PROJECT_ID)
                .required()
                .requires_replace()
                .description("The project's id."),
            Attribute::string(IDENTITY_ID)
                .required()
                .requires_replace()
                .description("The identity's id."),
            Attribute::string(MEMBERSHIP_ID)
                .computed()
                .use_state_for_unknown()
                .description("The membership's id."),
            Attribute::bool(ADOPT_EXISTING)
                .optional_computed()
                .default(Value::Bool(false))
                .description(
                    "When the identity is already a member (as the identity that creates a \
                     project is, as its admin), take that membership over and set its roles \
                     instead of failing.",
                ),
            Attribute::single(
                IDENTITY,
                vec![
                    Attribute::string(ID)
                        .computed()
                        .description("The identity's id."),
                    Attribute::string(NAME)
                        .computed()
                        .description("The identity's name."),
                    Attribute::list(AUTH_METHODS, Type::String)
                        .computed()
                        .description("The identity's auth methods."),
                ],
            )
            .computed()
            .use_state_for_unknown()
            .description("The identity."),
            Attribute::nested_list(
                ROLES,
                vec![
                    Attribute::string(ID)
                        .computed()
                        .description("The role assignment's id."),
                    Attribute::string(ROLE_SLUG).required().description(
                        "The role: `admin`, `member`, `viewer`, `no-access` or a custom role's \
                         slug.",
                    ),
                    computed_text(CUSTOM_ROLE_ID, "The custom role's id, for a custom role."),
                    Attribute::bool(IS_TEMPORARY)
                        .optional_computed()
                        .description("Whether the role is temporary (false when left out)."),
                    computed_text(TEMPORARY_MODE, "`relative`, for a temporary role."),
                    computed_text(
                        TEMPORARY_RANGE,
                        "How long a temporary role lasts, e.g. `1h` or `7d`.",
                    ),
                    computed_text(
                        TEMPORARY_START,
                        "When a temporary role starts (RFC 3339); the time of the apply when \
                         left out.",
                    ),
                    computed_text(TEMPORARY_END, "When a temporary role ends."),
                ],
            )
            .required()
            .description("The roles: at least one permanent one."),
        ],
    }
}

/// One role of a plan or state.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Role {
    id: Computed,
    slug: String,
    custom_role_id: Computed,
    is_temporary: Option<bool>,
    mode: Computed,
    range: Computed,
    start: Computed,
    end: Computed,
}

impl Role {
    fn read(value: &Value, at: &AttrPath) -> Result<Self, Diagnostic> {
        use attr::*;
        let fields = Fields::new(value, at);
        Ok(Self {
            id: fields.computed(ID)?,
            slug: fields.required(ROLE_SLUG)?,
            custom_role_id: fields.computed(CUSTOM_ROLE_ID)?,
            is_temporary: match fields.get(IS_TEMPORARY) {
                Value::Bool(b) => Some(*b),
                _ => None,
            },
            mode: fields.computed(TEMPORARY_MODE)?,
            range: fields.computed(TEMPORARY_RANGE)?,
            start: fields.computed(TEMPORARY_START)?,
            end: fields.computed(TEMPORARY_END)?,
        })
    }

    fn to_value(&self) -> Value {
        use attr::*;
        Value::object([
            (ID, self.id.to_value()),
            (ROLE_SLUG, Value::string(&self.slug)),
            (CUSTOM_ROLE_ID, self.custom_role_id.to_value()),
            (
                IS_TEMPORARY,
                self.is_temporary.map_or(Value::Unknown, Value::Bool),
            ),
            (TEMPORARY_MODE, self.mode.to_value()),
            (TEMPORARY_RANGE, self.range.to_value()),
            (TEMPORARY_START, self.start.to_value()),
            (TEMPORARY_END, self.end.to_value()),
        ])
    }

    fn request(&self) -> RoleRequest {
        let temporary = self.is_temporary.unwrap_or(false);
        RoleRequest {
            role: self.slug.clone(),
            is_temporary: temporary,
            temporary_mode: temporary.then(|| self.mode.known().unwrap_or("relative").to_owned()),
            temporary_range: temporary
                .then(|| self.range.known().map(str::to_owned))
                .flatten(),
            temporary_access_start_time: temporary
                .then(|| self.start.known().map(str::to_owned))
                .flatten(),
        }
    }

    /// The role as Infisical holds it, keeping what this role says where it means the same.
    fn answered(&self, role: &MembershipRole) -> Self {
        let text = |mine: &Computed, theirs: &Option<String>| match (mine, theirs) {
            (Computed::Known(m), Some(t)) if m == t => mine.clone(),
            (_, Some(t)) => Computed::Known(t.clone()),
            (_, None) => Computed::Null,
        };
        Self {
            id: Computed::Known(role.id.clone()),
            slug: role.slug().to_owned(),
            custom_role_id: text(&self.custom_role_id, &role.custom_role_id),
            is_temporary: Some(role.is_temporary),
            mode: text(&self.mode, &role.temporary_mode),
            range: text(&self.range, &role.temporary_range),
            start: match (&self.start, &role.temporary_access_start_time) {
                // Infisical may write the time in another form: the same instant is kept.
                (Computed::Known(m), Some(t)) if same_instant(m, t) => self.start.clone(),
                _ => text(&Computed::Unknown, &role.temporary_access_start_time),
            },
            end: text(&self.end, &role.temporary_access_end_time),
        }
    }
}

fn same_instant(a: &str, b: &str) -> bool {
    use time::OffsetDateTime;
    use time::format_description::well_known::Rfc3339;
    match (
        OffsetDateTime::parse(a, &Rfc3339),
        OffsetDateTime::parse(b, &Rfc3339),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// A plan or state, typed.
#[derive(Debug, Clone, PartialEq)]
struct MembershipState {
    project_id: String,
    identity_id: String,
    membership_id: Computed,
    adopt_existing: bool,
    identity: Value,
    roles: Vec<Role>,
}

impl Model for MembershipState {
    fn read(value: &Value, at: &AttrPath) -> Result<Self, Diagnostic> {
        use attr::*;
        let fields = Fields::new(value, at);
        let roles = match fields.get(ROLES) {
            Value::List(items) => items
                .iter()
                .enumerate()
                .map(|(i, item)| Role::read(item, &fields.path(ROLES).index(i)))
                .collect::<Result<_, _>>()?,
            other => return Err(missing(&fields.path(ROLES), other)),
        };
        Ok(Self {
            project_id: fields.required(PROJECT_ID)?,
            identity_id: fields.required(IDENTITY_ID)?,
            membership_id: fields.computed(MEMBERSHIP_ID)?,
            adopt_existing: matches!(fields.get(ADOPT_EXISTING), Value::Bool(true)),
            identity: fields.get(IDENTITY).clone(),
            roles,
        })
    }

    fn attributes(&self) -> Vec<(&'static str, Value)> {
        use attr::*;
        vec![
            (PROJECT_ID, Value::string(&self.project_id)),
            (IDENTITY_ID, Value::string(&self.identity_id)),
            (MEMBERSHIP_ID, self.membership_id.to_value()),
            (ADOPT_EXISTING, Value::Bool(self.adopt_existing)),
            (IDENTITY, self.identity.clone()),
            (
                ROLES,
                Value::List(self.roles.iter().map(Role::to_value).collect()),
            ),
        ]
    }
}

impl MembershipState {
    /// The state after Infisical answered with `membership`: its roles in this state's order
    /// (matched by slug), each kept in this state's form where it means the same.
    fn answered(&self, membership: &Membership) -> Self {
        let mut remaining: Vec<&MembershipRole> = membership.roles.iter().collect();
        let mut roles = Vec::new();
        for mine in &self.roles {
            if let Some(at) = remaining.iter().position(|r| r.slug() == mine.slug) {
                roles.push(mine.answered(remaining.remove(at)));
            }
        }
        let blank = |role: &MembershipRole| Role {
            id: Computed::Unknown,
            slug: role.slug().to_owned(),
            custom_role_id: Computed::Unknown,
            is_temporary: None,
            mode: Computed::Unknown,
            range: Computed::Unknown,
            start: Computed::Unknown,
            end: Computed::Unknown,
        };
        roles.extend(remaining.into_iter().map(|r| blank(r).answered(r)));
        let identity = membership.identity.as_ref().map_or_else(
            || self.identity.clone(),
            |i| {
                Value::object([
                    (attr::ID, Value::string(&i.id)),
                    (attr::NAME, Value::string(&i.name)),
                    (
                        attr::AUTH_METHODS,
                        Value::List(i.auth_methods.iter().map(Value::string).collect()),
                    ),
                ])
            },
        );
        Self {
            project_id: self.project_id.clone(),
            identity_id: membership.identity_id.clone(),
            membership_id: Computed::Known(membership.id.clone()),
            adopt_existing: self.adopt_existing,
            identity,
            roles,
        }
    }

    fn requests(&self) -> Vec<RoleRequest> {
        self.roles.iter().map(Role::request).collect()
    }
}

/// The inputs of a role value, for comparing a planned role with a prior one.
fn role_inputs(role: &Value) -> Vec<Value> {
    ROLE_INPUTS
        .iter()
        .map(|name| match (*name, role.get(name)) {
            // Left out, a role is permanent.
            (attr::IS_TEMPORARY, Value::Null | Value::Unknown) => Value::Bool(false),
            (_, value) => value.clone(),
        })
        .collect()
}

/// Plans the roles: a role whose inputs match the prior role at its place keeps what Infisical
/// filled in; a new or changed one has those values known after apply (or as configured).
fn plan_roles(input: &PlanInput<'_>, planned: &mut Value) {
    let prior_roles = match input.prior.get(attr::ROLES) {
        Value::List(items) => items.clone(),
        _ => Vec::new(),
    };
    let (Value::List(config_roles), Some(Value::List(planned_roles))) =
        (input.config.get(attr::ROLES), planned.get_mut(attr::ROLES))
    else {
        return;
    };
    for (index, (planned_role, config_role)) in
        planned_roles.iter_mut().zip(config_roles).enumerate()
    {
        let unchanged = prior_roles
            .get(index)
            .is_some_and(|prior| role_inputs(prior) == role_inputs(config_role));
        for name in ROLE_OUTPUTS.iter().chain(&ROLE_INPUTS[1..]) {
            let configured = config_role.get(name);
            let value = if !configured.is_null() {
                configured.clone()
            } else if unchanged {
                prior_roles[index].get(name).clone()
            } else if *name == attr::IS_TEMPORARY {
                Value::Bool(false)
            } else {
                Value::Unknown
            };
            planned_role.set(name, value);
        }
    }
    let roles_changed = prior_roles.len() != config_roles.len()
        || prior_roles
            .iter()
            .zip(config_roles)
            .any(|(p, c)| role_inputs(p) != role_inputs(c));
    if input.prior.is_null() {
        planned.set(attr::IDENTITY, Value::Unknown);
    } else if !roles_changed {
        planned.set(attr::IDENTITY, input.prior.get(attr::IDENTITY).clone());
    }
}

fn validate_config(config: &Value, diags: &mut Diagnostics) {
    use attr::*;
    validate::not_blank(config.get(PROJECT_ID), AttrPath::new(PROJECT_ID), diags);
    validate::not_blank(config.get(IDENTITY_ID), AttrPath::new(IDENTITY_ID), diags);
    let Value::List(roles) = config.get(ROLES) else {
        return;
    };
    if roles.is_empty() {
        diags.attr_error(
            AttrPath::new(ROLES),
            "No role",
            "roles must hold at least one role.",
        );
        return;
    }
    let mut slugs = BTreeSet::new();
    let mut permanent = false;
    let mut all_known = true;
    for (index, role) in roles.iter().enumerate() {
        let at = AttrPath::new(ROLES).index(index);
        if let Some(slug) = role.get(ROLE_SLUG).as_str()
            && !slugs.insert(slug.to_owned())
        {
            diags.attr_error(
                at.attr(ROLE_SLUG),
                "Duplicate role",
                format!("the role {slug:?} is given twice."),
            );
        }
        match role.get(IS_TEMPORARY) {
            Value::Bool(true) => {
                if role.get(TEMPORARY_RANGE).is_null() {
                    diags.attr_error(
                        at.attr(TEMPORARY_RANGE),
                        "Missing temporary_range",
                        "a temporary role needs temporary_range, e.g. \"1h\" or \"7d\".",
                    );
                }
                if let Some(mode) = role.get(TEMPORARY_MODE).as_str()
                    && mode != "relative"
                {
                    diags.attr_error(
                        at.attr(TEMPORARY_MODE),
                        "Invalid temporary_mode",
                        format!("temporary_mode {mode:?} must be \"relative\"."),
                    );
                }
            }
            Value::Unknown => all_known = false,
            _ => permanent = true,
        }
    }
    if all_known && !permanent {
        diags.attr_error(
            AttrPath::new(ROLES),
            "No permanent role",
            "roles must hold at least one permanent role (is_temporary = false), as Infisical \
             requires.",
        );
    }
}

fn membership_error(api: &Configured, action: &str, err: &crate::infisical::Error) -> Diagnostic {
    api.error_in(Area::Projects, action, err)
}

/// Whether `err` says the identity is a member already.
fn already_member(err: &crate::infisical::Error) -> bool {
    err.api().is_some_and(|api| {
        let message = api.message.to_lowercase();
        message.contains("already") && (message.contains("member") || message.contains("exist"))
    })
}

#[tonic::async_trait]
impl Lifecycle for ProjectIdentity {
    const TYPE_NAME: &'static str = TYPE_NAME;

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        validate_config(config, diags);
    }

    fn modify_plan(&self, input: &PlanInput<'_>, planned: &mut Value, _diags: &mut Diagnostics) {
        plan_roles(input, planned);
    }

    async fn create(&self, api: &Configured, planned: &Value) -> Result<Stored, Unfinished> {
        let plan = MembershipState::from_value(planned)?;
        let client = api.client_or_error()?;
        let action = format!(
            "add the identity {} to the project {}",
            plan.identity_id, plan.project_id
        );
        let roles = plan.requests();
        match client
            .memberships()
            .add(&plan.project_id, &plan.identity_id, &roles)
            .await
        {
            Ok(_) => {}
            Err(err) if plan.adopt_existing && already_member(&err) => {
                client
                    .memberships()
                    .set_roles(&plan.project_id, &plan.identity_id, &roles)
                    .await
                    .map_err(|err| membership_error(api, &action, &err))?;
            }
            Err(err) => {
                let mut diag = membership_error(api, &action, &err);
                if already_member(&err) {
                    diag.detail.push_str(
                        "\n\nThe identity is a member already (the identity that creates a \
                         project is its admin): set adopt_existing = true to take that \
                         membership over, or import it.",
                    );
                }
                return Err(diag.into());
            }
        }
        let membership = client
            .memberships()
            .get(&plan.project_id, &plan.identity_id)
            .await
            .map_err(|err| membership_error(api, &action, &err))?;
        Ok(Stored {
            state: plan.answered(&membership).to_value(),
            private: Vec::new(),
        })
    }

    async fn read(
        &self,
        api: &Configured,
        state: &Value,
        private: &[u8],
    ) -> Result<ReadOutcome, Diagnostic> {
        let client = match api.client_or_keep(state, private) {
            Ok(client) => client,
            Err(kept) => return Ok(kept),
        };
        let known = MembershipState::from_value(state)?;
        match client
            .memberships()
            .get(&known.project_id, &known.identity_id)
            .await
        {
            Ok(membership) => Ok(ReadOutcome::Found(Stored {
                state: known.answered(&membership).to_value(),
                private: Vec::new(),
            })),
            Err(err) if err.is_not_found() => Ok(ReadOutcome::Gone),
            Err(err) => Err(membership_error(
                api,
                &format!(
                    "read the membership of the identity {} in the project {}",
                    known.identity_id, known.project_id
                ),
                &err,
            )),
        }
    }

    async fn update(
        &self,
        api: &Configured,
        prior: &Value,
        planned: &Value,
    ) -> Result<Stored, Diagnostic> {
        let before = MembershipState::from_value(prior)?;
        let after = MembershipState::from_value(planned)?;
        let client = api.client_or_error()?;
        let action = format!(
            "set the roles of the identity {} in the project {}",
            after.identity_id, after.project_id
        );
        if before.requests() != after.requests() {
            client
                .memberships()
                .set_roles(&after.project_id, &after.identity_id, &after.requests())
                .await
                .map_err(|err| membership_error(api, &action, &err))?;
        }
        let membership = client
            .memberships()
            .get(&after.project_id, &after.identity_id)
            .await
            .map_err(|err| membership_error(api, &action, &err))?;
        Ok(Stored {
            state: after.answered(&membership).to_value(),
            private: Vec::new(),
        })
    }

    async fn delete(&self, api: &Configured, prior: &Value) -> Result<(), Diagnostic> {
        let known = MembershipState::from_value(prior)?;
        match api
            .client_or_error()?
            .memberships()
            .remove(&known.project_id, &known.identity_id)
            .await
        {
            Ok(()) => Ok(()),
            Err(err) if err.is_not_found() => Ok(()),
            Err(err) => Err(membership_error(
                api,
                &format!(
                    "remove the identity {} from the project {}",
                    known.identity_id, known.project_id
                ),
                &err,
            )),
        }
    }

    /// Imports by `<project_id>/<identity_id>` (or with a comma).
    async fn import(&self, api: &Configured, id: &str) -> Result<Value, Diagnostic> {
        let Some((project, identity)) = id
            .split_once('/')
            .or_else(|| id.split_once(','))
            .filter(|(p, i)| !p.trim().is_empty() && !i.trim().is_empty())
        else {
            return Err(Diagnostic {
                severity: Severity::Error,
                summary: "Invalid import id".to_owned(),
                detail: format!(
                    "import a project identity by \"<project_id>/<identity_id>\"; got {id:?}."
                ),
                path: None,
            });
        };
        let membership = api
            .client_or_error()?
            .memberships()
            .get(project, identity)
            .await
            .map_err(|err| membership_error(api, &format!("import the membership {id:?}"), &err))?;
        let blank = MembershipState {
            project_id: project.to_owned(),
            identity_id: identity.to_owned(),
            membership_id: Computed::Unknown,
            adopt_existing: false,
            identity: Value::Null,
            roles: Vec::new(),
        };
        Ok(blank.answered(&membership).to_value())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(slug: &str) -> Value {
        let mut role = Value::object(
            ROLE_OUTPUTS
                .iter()
                .chain(&ROLE_INPUTS)
                .map(|name| (*name, Value::Null)),
        );
        role.set(attr::ROLE_SLUG, Value::string(slug));
        role
    }

    fn with_roles(roles: Vec<Value>) -> Value {
        let mut value = schema().null_object();
        value.set(attr::PROJECT_ID, Value::string("p1"));
        value.set(attr::IDENTITY_ID, Value::string("i1"));
        value.set(attr::ROLES, Value::List(roles));
        value
    }

    #[test]
    fn unchanged_roles_keep_what_infisical_filled_in_and_changed_ones_are_unknown() {
        let mut stored = role("viewer");
        stored.set(attr::ID, Value::string("r1"));
        stored.set(attr::IS_TEMPORARY, Value::Bool(false));
        let prior = with_roles(vec![stored]);
        let config = with_roles(vec![role("viewer"), role("member")]);
        let mut planned = config.clone();
        plan_roles(
            &PlanInput {
                prior: &prior,
                config: &config,
                prior_private: &[],
            },
            &mut planned,
        );
        let Value::List(roles) = planned.get(attr::ROLES) else {
            panic!("no roles")
        };
        assert_eq!(roles[0].get(attr::ID), &Value::string("r1"));
        assert_eq!(roles[1].get(attr::ID), &Value::Unknown);
        assert_eq!(roles[1].get(attr::IS_TEMPORARY), &Value::Bool(false));
    }

    #[test]
    fn roles_need_a_permanent_one_no_duplicate_and_a_range_when_temporary() {
        let errors = |roles: Vec<Value>| {
            let mut diags = Diagnostics::new();
            validate_config(&with_roles(roles), &mut diags);
            diags.iter().map(|d| d.summary.clone()).collect::<Vec<_>>()
        };
        assert!(errors(vec![role("viewer")]).is_empty());
        assert_eq!(
            errors(vec![role("viewer"), role("viewer")]),
            ["Duplicate role"]
        );
        let mut temporary = role("admin");
        temporary.set(attr::IS_TEMPORARY, Value::Bool(true));
        assert_eq!(
            errors(vec![temporary.clone()]),
            ["Missing temporary_range", "No permanent role"]
        );
        temporary.set(attr::TEMPORARY_RANGE, Value::string("1h"));
        assert!(errors(vec![role("viewer"), temporary]).is_empty());
        assert_eq!(errors(vec![]), ["No role"]);
    }

    #[test]
    fn roles_are_answered_in_the_configured_order_with_custom_slugs() {
        let state =
            MembershipState::from_value(&with_roles(vec![role("ci-reader"), role("viewer")]))
                .unwrap();
        let api_role = |id: &str, role: &str, custom: Option<&str>| MembershipRole {
            id: id.into(),
            role: role.into(),
            custom_role_id: custom.map(|_| "cr1".to_owned()),
            custom_role_slug: custom.map(str::to_owned),
            is_temporary: false,
            temporary_mode: None,
            temporary_range: None,
            temporary_access_start_time: None,
            temporary_access_end_time: None,
        };
        let membership = Membership {
            id: "m1".into(),
            identity_id: "i1".into(),
            roles: vec![
                api_role("r2", "viewer", None),
                api_role("r1", "custom", Some("ci-reader")),
            ],
            identity: None,
        };
        let answered = state.answered(&membership);
        let slugs: Vec<&str> = answered.roles.iter().map(|r| r.slug.as_str()).collect();
        assert_eq!(slugs, ["ci-reader", "viewer"]);
        assert_eq!(
            answered.roles[0].custom_role_id,
            Computed::Known("cr1".into())
        );
    }
}
