//! One JSON error envelope for every failure:
//! `{"error": {"code": "...", "message": "...", "field": "..."}}`. The code is stable (clients
//! and tests match on it); the message is for people; `field` names the JSON path or parameter
//! at fault. Messages never repeat a submitted value, and nothing of an error is logged but its
//! code.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cleanclaim_app::access::AccessError;
use cleanclaim_app::intake::IntakeError;
use cleanclaim_app::record::RecordError;
use cleanclaim_store::StoreError;
use serde::Serialize;

/// A stable error code; its HTTP status follows from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// No credentials, or credentials that are not valid (401).
    Unauthenticated,
    /// The session ended after inactivity or its lifetime (401).
    SessionExpired,
    /// Too many failed logins (423).
    AccountLocked,
    /// The caller's role may not use this route (403).
    Forbidden,
    /// The role may, but this needs a user who sees every clinic (403).
    NeedsAllClinics,
    /// No such resource, or not one the caller may see (404).
    NotFound,
    /// The method is not served on this path (405).
    MethodNotAllowed,
    /// The body is not what the route takes (400).
    BadRequest,
    /// The body parsed but a value is not acceptable (422).
    InvalidInput,
    /// The request conflicts with what is stored (409).
    Conflict,
    /// An idempotency key was sent again with a different request (422).
    IdempotencyKeyReused,
    /// The body is larger than the route accepts (413).
    PayloadTooLarge,
    /// The database was busy beyond its lock timeout (503).
    Busy,
    /// Something failed on the server; the log says what, by request id (500).
    Internal,
}

impl ErrorCode {
    pub fn status(self) -> StatusCode {
        match self {
            Self::Unauthenticated | Self::SessionExpired => StatusCode::UNAUTHORIZED,
            Self::AccountLocked => StatusCode::LOCKED,
            Self::Forbidden | Self::NeedsAllClinics => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::BadRequest => StatusCode::BAD_REQUEST,
            Self::InvalidInput | Self::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Conflict => StatusCode::CONFLICT,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Busy => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unauthenticated => "unauthenticated",
            Self::SessionExpired => "session_expired",
            Self::AccountLocked => "account_locked",
            Self::Forbidden => "forbidden",
            Self::NeedsAllClinics => "needs_all_clinics",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::BadRequest => "bad_request",
            Self::InvalidInput => "invalid_input",
            Self::Conflict => "conflict",
            Self::IdempotencyKeyReused => "idempotency_key_reused",
            Self::PayloadTooLarge => "payload_too_large",
            Self::Busy => "busy",
            Self::Internal => "internal",
        }
    }
}

/// An error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    pub field: Option<String>,
    /// Seconds a client should wait before asking again (`Retry-After`), when the answer is
    /// "not yet" rather than "no".
    pub retry_after: Option<u64>,
}

/// The envelope's shape, for the OpenAPI document.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ErrorEnvelope {
    pub error: ErrorBody,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ErrorBody {
    pub code: ErrorCode,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            field: None,
            retry_after: None,
        }
    }

    /// The same answer, telling the client when to ask again.
    pub fn retry_after(self, seconds: u64) -> Self {
        Self {
            retry_after: Some(seconds),
            ..self
        }
    }

    /// An error about one field; an empty path (the whole body) names none.
    pub fn field(code: ErrorCode, field: impl Into<String>, message: impl Into<String>) -> Self {
        let field = field.into();
        Self {
            code,
            message: message.into(),
            field: (!field.is_empty()).then_some(field),
            retry_after: None,
        }
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(ErrorCode::NotFound, format!("no such {what}"))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.code.status();
        let body = ErrorEnvelope {
            error: ErrorBody {
                code: self.code,
                message: self.message,
                field: self.field,
            },
        };
        let mut response = (status, axum::Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        // The log line of this request carries the code, never the message.
        response.extensions_mut().insert(self.code);
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::LockTimeout { .. } => {
                Self::new(ErrorCode::Busy, "the database is busy; try again")
            }
            StoreError::Conflict { what, .. } => {
                Self::new(ErrorCode::Conflict, format!("that {what} exists already"))
            }
            StoreError::NotFound { what, key } => Self::field(
                ErrorCode::InvalidInput,
                what,
                format!("no {what} `{key}` exists"),
            ),
            other => {
                tracing::error!(error = %other, "store failed");
                Self::new(ErrorCode::Internal, "the server failed; see its log")
            }
        }
    }
}

impl From<AccessError> for ApiError {
    fn from(error: AccessError) -> Self {
        match error {
            AccessError::Store(store) => store.into(),
            AccessError::Expired => Self::new(ErrorCode::SessionExpired, error.to_string()),
            AccessError::Locked { .. } => Self::new(ErrorCode::AccountLocked, error.to_string()),
            AccessError::BadCredentials | AccessError::InvalidToken | AccessError::Disabled => {
                Self::new(ErrorCode::Unauthenticated, error.to_string())
            }
            AccessError::UnknownRole(_) => {
                Self::field(ErrorCode::InvalidInput, "role", error.to_string())
            }
            AccessError::WeakPassword => {
                Self::field(ErrorCode::InvalidInput, "password", error.to_string())
            }
            AccessError::TherapistWithoutNpi => {
                Self::field(ErrorCode::InvalidInput, "npi", error.to_string())
            }
            AccessError::Hash(_) | AccessError::Random(_) => {
                tracing::error!(error = %error, "access failed");
                Self::new(ErrorCode::Internal, "the server failed; see its log")
            }
        }
    }
}

impl From<IntakeError> for ApiError {
    fn from(error: IntakeError) -> Self {
        match error {
            IntakeError::Store(store) => store.into(),
            other => {
                tracing::error!(error_kind = other.kind(), "intake failed");
                Self::new(ErrorCode::Internal, "the server failed; see its log")
            }
        }
    }
}

/// An intake error's kind: its message can quote stored records, so only this is logged.
impl From<RecordError> for ApiError {
    fn from(error: RecordError) -> Self {
        match error {
            RecordError::Intake(intake) => intake.into(),
            // Another clinic's record is answered as if it did not exist.
            RecordError::OutOfScope | RecordError::NotFound(_) => Self::not_found("encounter"),
            RecordError::KeyReused(_) => Self::field(
                ErrorCode::IdempotencyKeyReused,
                "Idempotency-Key",
                "this idempotency key was used with a different request",
            ),
        }
    }
}
