//! Signing in and out, who is signed in, and health.

use axum::Json;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use cleanclaim_app::access;
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ErrorCode};
use crate::policy::{Caller, SESSION_COOKIE, bearer_token};
use crate::state::AppState;

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Health {
    pub status: &'static str,
    pub database: &'static str,
}

pub async fn health(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    state.store().user_count().await?;
    Ok(Json(Health {
        status: "ok",
        database: match state.store().backend() {
            cleanclaim_store::Backend::Postgres => "postgres",
            cleanclaim_store::Backend::Sqlite => "sqlite",
        },
    }))
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct LoginAnswer {
    /// Send as `Authorization: Bearer <token>` (or use the cookie this answer sets).
    pub token: String,
    pub role: String,
    /// When the session ends if it is not used before then.
    pub idle_expires_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Done {
    pub done: bool,
}

pub async fn login(State(state): State<AppState>, body: axum::body::Bytes) -> Response {
    let request: LoginRequest = match crate::json::parse(&body) {
        Ok(request) => request,
        Err(error) => return error.into_response(),
    };
    match access::login(
        state.store(),
        &request.username,
        &request.password,
        Utc::now(),
    )
    .await
    {
        Ok(login) => {
            let cookie = format!(
                "{SESSION_COOKIE}={}; HttpOnly; Secure; SameSite=Strict; Path=/",
                login.token
            );
            (
                StatusCode::CREATED,
                [(SET_COOKIE, cookie)],
                Json(LoginAnswer {
                    token: login.token,
                    role: login.role.to_string(),
                    idle_expires_at: login.idle_expires_at,
                }),
            )
                .into_response()
        }
        Err(error) => ApiError::from(error).into_response(),
    }
}

pub async fn logout(
    Caller(_): Caller,
    State(state): State<AppState>,
    request: Request,
) -> Response {
    let Some(token) = bearer_token(&request) else {
        return ApiError::new(ErrorCode::Unauthenticated, "sign in").into_response();
    };
    match access::logout(state.store(), &token, Utc::now()).await {
        Ok(()) => {
            let cookie =
                format!("{SESSION_COOKIE}=; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=0");
            ([(SET_COOKIE, cookie)], Json(Done { done: true })).into_response()
        }
        Err(error) => ApiError::from(error).into_response(),
    }
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Me {
    pub username: String,
    pub role: String,
    /// The clinics the user sees; absent when they see every clinic.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clinics: Option<Vec<String>>,
    /// A therapist sees the visits this NPI rendered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub own_visits_npi: Option<String>,
}

pub async fn me(Caller(principal): Caller) -> Json<Me> {
    Json(Me {
        username: principal.username,
        role: principal.role.to_string(),
        clinics: principal.scope.clinics,
        own_visits_npi: principal.scope.rendering_npi,
    })
}
