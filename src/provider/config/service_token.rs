//! The official provider's deprecated service tokens, refused wherever one is given (the
//! block's `service_token`, `auth.token`, `INFISICAL_TOKEN`, `INFISICAL_SERVICE_TOKEN`), with
//! where it came from and never its value.

use crate::infisical::Auth;
use crate::secret::Secret;
use crate::tfplugin::path::AttrPath;

use super::reader::Reader;

/// Why a service token cannot be used, for every place one can be given.
pub(super) const SERVICE_TOKEN: &str = "Service tokens cannot manage app connections";
pub(super) const SERVICE_TOKEN_DETAIL: &str = "an Infisical service token (deprecated) grants access to one \
     project's secrets, and app connections belong to the organization, so Infisical refuses it \
     on their routes. Log in with a machine identity instead, e.g. `auth = { universal = { \
     client_id = …, client_secret = … } }`.";

/// Infisical takes a bearer token that starts with this for a service token.
pub(super) const SERVICE_TOKEN_PREFIX: &str = "st.";

impl Reader<'_> {
    /// Token auth with `token`, from `source` (reported at `path` when it is an attribute):
    /// refused when it is a service token, which Infisical would refuse on every request.
    pub(super) fn access_token(
        &mut self,
        token: String,
        path: Option<AttrPath>,
        source: &str,
    ) -> Option<Auth> {
        if !token.trim().starts_with(SERVICE_TOKEN_PREFIX) {
            return Some(Auth::Token(Secret::new(token)));
        }
        let detail = format!(
            "{source} holds a service token (it starts with {SERVICE_TOKEN_PREFIX:?}), but \
             {SERVICE_TOKEN_DETAIL}"
        );
        match path {
            Some(path) => self.diags.attr_error(path, SERVICE_TOKEN, detail),
            None => self.diags.error(SERVICE_TOKEN, detail),
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infisical::AuthMethod;
    use crate::provider::config::testing::*;
    use crate::provider::config::{env, validate};
    use crate::tfplugin::diag::Diagnostics;
    use crate::tfplugin::value::Value;

    #[test]
    fn a_service_token_is_refused_without_being_shown() {
        let mut diags = Diagnostics::new();
        validate(
            &Value::object([("service_token", s("st.secret-service-token"))]),
            &mut diags,
        );
        let errors: Vec<_> = diags.iter().collect();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].path, Some(AttrPath::new("service_token")));
        assert!(!format!("{errors:?}").contains("secret-service-token"));
    }

    #[test]
    fn service_tokens_from_anywhere_are_refused_naming_where_they_came_from() {
        let secret = "st.6f1d.secret-part.more";
        // As `auth.token`: at that attribute.
        let errors = invalid(&only(AuthMethod::Token, s(secret)), &[]);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].0, "auth.token");
        assert!(errors[0].1.starts_with(SERVICE_TOKEN), "{errors:?}");
        // As INFISICAL_TOKEN, with or without INFISICAL_AUTH_METHOD: naming the variable.
        for env in [
            vec![(env::TOKEN, secret)],
            vec![(env::TOKEN, secret), (env::AUTH_METHOD, "token")],
        ] {
            let errors = invalid(&none(), &env);
            assert_eq!(errors.len(), 1, "{errors:?}");
            assert!(errors[0].1.contains(env::TOKEN), "{errors:?}");
        }
        // The official provider's INFISICAL_SERVICE_TOKEN, when nothing else logs in: named,
        // instead of a bare "no authentication".
        let errors = invalid(&none(), &[(env::SERVICE_TOKEN, secret)]);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].0, "auth");
        assert!(errors[0].1.contains(env::SERVICE_TOKEN), "{errors:?}");
        assert!(!format!("{errors:?}").contains("secret-part"));
        // Beside a machine identity it is not in the way.
        let settings = ready(
            &none(),
            &[(env::SERVICE_TOKEN, secret), (env::TOKEN, "eyJ.a.b")],
        );
        assert_eq!(settings.auth, Auth::Token("eyJ.a.b".into()));
    }
}
