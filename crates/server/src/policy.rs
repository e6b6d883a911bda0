//! Who may call a route. Every route in the table ([`crate::routes::table`]) declares its
//! policy, and the router wraps each route in [`enforce`] with it: authorization is a property
//! of the router, not something a handler remembers to check (the lesson of CVE-2026-33915).
//! What a permitted caller then sees is narrowed by their scope (clinics, own visits), in the
//! store's queries.

use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use cleanclaim_app::access::{self, Principal, Role};
use cleanclaim_store::AuditOutcome;

use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

/// The cookie a browser session is carried in (the bearer header works as well).
pub const SESSION_COOKIE: &str = "cleanclaim_session";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// Anyone: login, health, the OpenAPI document. No PHI.
    Public,
    /// Signed-in callers with one of these roles.
    Roles(&'static [Role]),
}

impl Policy {
    pub fn admits(self, role: Role) -> bool {
        match self {
            Self::Public => true,
            Self::Roles(roles) => roles.contains(&role),
        }
    }
}

use Role::{Admin, Auditor, Biller, FrontDesk, Integration, Therapist};

/// Every role.
pub const ANYONE_SIGNED_IN: Policy = Policy::Roles(&Role::ALL);
/// People who read visits: a therapist their own, the others their clinics'.
pub const READ_VISITS: Policy = Policy::Roles(&[Admin, Biller, Therapist, FrontDesk, Auditor]);
/// Who stores visits: the EMR's integration, and billers correcting them.
pub const WRITE_VISITS: Policy = Policy::Roles(&[Admin, Biller, Integration]);
/// Who keeps authorizations and plans of care (the front desk enters authorizations).
pub const WRITE_PATIENT_RECORDS: Policy = Policy::Roles(&[Admin, Biller, FrontDesk, Integration]);
/// Who works the queues (front desk: authorizations).
pub const WORK_QUEUES: Policy = Policy::Roles(&[Admin, Biller, FrontDesk]);
/// Who comments on queue items (a therapist answers why their visit was held).
pub const COMMENT_QUEUES: Policy = Policy::Roles(&[Admin, Biller, FrontDesk, Therapist]);
/// Who bills: claim batches, remittances, acknowledgments.
pub const BILL: Policy = Policy::Roles(&[Admin, Biller]);
/// Who manages rule packs.
pub const MANAGE_PACKS: Policy = Policy::Roles(&[Admin, Biller]);
/// Who reads the audit log.
pub const READ_AUDIT: Policy = Policy::Roles(&[Admin, Auditor]);
/// Who manages clinics and users.
pub const ADMINISTER: Policy = Policy::Roles(&[Admin]);

/// The bearer token of a request: `Authorization: Bearer ...`, else the session cookie.
pub fn bearer_token(request: &Request) -> Option<String> {
    let headers = request.headers();
    if let Some(value) = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        return value.strip_prefix("Bearer ").map(|t| t.trim().to_owned());
    }
    session_cookie(headers)
}

/// The session cookie's token, when the request carries a non-empty one.
pub fn session_cookie(headers: &axum::http::HeaderMap) -> Option<String> {
    cookie(headers, SESSION_COOKIE)
}

/// The value of cookie `wanted`, when the request carries it non-empty.
pub fn cookie(headers: &axum::http::HeaderMap, wanted: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == wanted && !value.is_empty()).then(|| value.to_owned())
        })
}

/// Authenticates the caller and checks the route's policy; the handler finds the
/// [`Principal`] in the request's extensions. A role the route does not admit is refused
/// (403) and audited.
pub async fn enforce(
    State((state, policy, route)): State<(AppState, Policy, &'static str)>,
    mut request: Request,
    next: Next,
) -> Response {
    if policy == Policy::Public {
        return next.run(request).await;
    }
    let Some(token) = bearer_token(&request) else {
        return ApiError::new(
            ErrorCode::Unauthenticated,
            "sign in: send `Authorization: Bearer <token>`",
        )
        .into_response();
    };
    let principal = match access::authenticate(state.store(), &token, chrono::Utc::now()).await {
        Ok(principal) => principal,
        Err(error) => return ApiError::from(error).into_response(),
    };
    if !policy.admits(principal.role) {
        let mut event = principal.event("call", "route", AuditOutcome::Denied);
        event.resource_id = Some(format!("{} {route}", request.method()));
        if let Err(error) = state.store().audit(&[event]).await {
            return ApiError::from(error).into_response();
        }
        return ApiError::new(
            ErrorCode::Forbidden,
            format!("the {} role may not use this route", principal.role),
        )
        .into_response();
    }
    request.extensions_mut().insert(principal);
    next.run(request).await
}

/// The signed-in caller, as [`enforce`] left it: a handler that takes this cannot run for a
/// caller the policy did not admit.
#[derive(Debug, Clone)]
pub struct Caller(pub Principal);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Principal>()
            .cloned()
            .map(Caller)
            .ok_or_else(|| ApiError::new(ErrorCode::Unauthenticated, "sign in"))
    }
}
