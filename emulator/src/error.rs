//! Infisical's error bodies, `{reqId, statusCode, message, error}`, built in this one place so
//! every emulated failure has the shape of the real server's error handler.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rand::Rng;
use rand::distr::Alphanumeric;
use serde_json::{Value, json};

/// The message Infisical's error handler gives an expired JWT (403 `TokenError`).
pub(crate) const TOKEN_EXPIRED: &str = "Your token has expired. Please re-authenticate.";
/// The message Infisical's error handler gives a token that is not a JWT it signed.
pub(crate) const TOKEN_MALFORMED: &str = "The provided access token is malformed. Please use a valid token or generate a new one and try again.";

/// An error answer: status, Infisical's error name and its message (a string, or for 422 the array
/// of zod issues).
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    status: StatusCode,
    name: String,
    message: Value,
    retry_after: Option<String>,
    /// `details`, which CASL's denials carry.
    details: Option<Value>,
}

impl ApiError {
    /// Any status with an explicit error name and message.
    pub(crate) fn new(
        status: StatusCode,
        name: impl Into<String>,
        message: impl Into<Value>,
    ) -> Self {
        Self {
            status,
            name: name.into(),
            message: message.into(),
            retry_after: None,
            details: None,
        }
    }

    /// 403 `PermissionDenied`: what a CASL `ForbiddenError` becomes, "You are not allowed to
    /// <action> on <subject>", with `details` (the rules for that action and subject; the
    /// built-in roles have none a denial could list).
    pub(crate) fn permission_denied(action: &str, subject: &str) -> Self {
        Self {
            details: Some(Value::Array(Vec::new())),
            ..Self::new(
                StatusCode::FORBIDDEN,
                "PermissionDenied",
                format!("You are not allowed to {action} on {subject}"),
            )
        }
    }

    /// 400 `BadRequest` (Infisical's `BadRequestError`).
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BadRequest", message.into())
    }

    /// 404 `NotFound`.
    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "NotFound", message.into())
    }

    /// 500 `InternalServerError`, e.g. a `github-app` connection on an instance without a shared
    /// GitHub App.
    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerError",
            message.into(),
        )
    }

    /// 401 `UnauthorizedError`.
    pub(crate) fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "UnauthorizedError",
            message.into(),
        )
    }

    /// 403 `ForbiddenError` (Infisical's `ForbiddenRequestError`, e.g. GitHub installation access).
    pub(crate) fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "ForbiddenError", message.into())
    }

    /// 403 `TokenError`: what a failed `jwt.verify` becomes.
    pub(crate) fn token_error(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "TokenError", message.into())
    }

    /// 422 `ValidationFailure` whose message is the array of zod issues.
    pub(crate) fn validation(issues: Vec<Value>) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "ValidationFailure",
            Value::Array(issues),
        )
    }

    /// The message: a string, or for 422 the array of zod issues.
    #[cfg(test)]
    pub(crate) fn message(&self) -> &Value {
        &self.message
    }

    /// Adds a `Retry-After` header (used by injected 429s).
    pub(crate) fn with_retry_after(mut self, retry_after: Option<String>) -> Self {
        self.retry_after = retry_after;
        self
    }
}

/// A request id in the style of Fastify's `req-…` ids, fresh for every error answer.
pub(crate) fn request_id() -> String {
    let suffix: String = rand::rng()
        .sample_iter(&Alphanumeric)
        .take(14)
        .map(char::from)
        .collect();
    format!("req-{suffix}")
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = json!({
            "reqId": request_id(),
            "statusCode": self.status.as_u16(),
            "message": self.message,
            "error": self.name,
        });
        if let (Some(details), Some(object)) = (self.details, body.as_object_mut()) {
            object.insert("details".to_owned(), details);
        }
        let mut response = (self.status, Json(body)).into_response();
        if let Some(value) = self
            .retry_after
            .and_then(|v| HeaderValue::from_str(&v).ok())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}
