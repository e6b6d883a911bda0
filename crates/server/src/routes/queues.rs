//! Work queues: the items of the caller's clinics, and working them (assign, comment, status).
//! An action and its audit row are kept in one transaction.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use cleanclaim_app::access::Principal;
use cleanclaim_store::{AuditEvent, AuditOutcome, QueueAction, QueueFilter, QueueOrder};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ErrorCode};
use crate::policy::Caller;
use crate::routes::encounters::{Finding, findings_of};
use crate::routes::page_limit;
use crate::routes::session::Done;
use crate::state::AppState;

/// The longest comment accepted.
pub(crate) const MAX_COMMENT: usize = 4_000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    queue: Option<String>,
    open: Option<bool>,
    owner: Option<String>,
    location: Option<String>,
    limit: Option<i64>,
    /// `newest` (the default), `oldest` (waiting longest first) or `dollars` (largest charges
    /// first).
    order: Option<Order>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Order {
    Newest,
    Oldest,
    Dollars,
}

impl From<Order> for QueueOrder {
    fn from(order: Order) -> Self {
        match order {
            Order::Newest => Self::Newest,
            Order::Oldest => Self::Oldest,
            Order::Dollars => Self::Dollars,
        }
    }
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Item {
    pub id: i64,
    pub encounter_id: String,
    pub queue: String,
    pub entered_at: DateTime<Utc>,
    pub left_at: Option<DateTime<Utc>>,
    pub owner: Option<String>,
    pub status: String,
    pub findings: Vec<Finding>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ItemList {
    pub items: Vec<Item>,
}

pub async fn list(
    Caller(principal): Caller,
    State(state): State<AppState>,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<ItemList>, ApiError> {
    let Query(query) =
        query.map_err(|rejection| ApiError::new(ErrorCode::InvalidInput, rejection.body_text()))?;
    let filter = QueueFilter {
        queue: query.queue,
        open_only: query.open.unwrap_or(true),
        owner: query.owner,
        clinic_id: query.location,
        limit: page_limit(query.limit)?,
        order: query.order.map_or(QueueOrder::Newest, QueueOrder::from),
    };
    let items = state
        .store()
        .list_queue_items(&principal.scope, &filter)
        .await?;
    state
        .store()
        .audit(&[principal.event("list", "queue_item", AuditOutcome::Success)])
        .await?;
    Ok(Json(ItemList {
        items: items
            .into_iter()
            .map(|item| Item {
                id: item.id,
                encounter_id: item.encounter_id,
                queue: item.queue,
                entered_at: item.entered_at,
                left_at: item.left_at,
                owner: item.owner,
                status: item.status,
                findings: findings_of(&item.findings),
            })
            .collect(),
    }))
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Assign {
    /// The user name to assign the item to.
    pub owner: String,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Comment {
    pub text: String,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetStatus {
    /// open, extension_requested, denied, patient_pay or resolved.
    pub status: String,
}

/// Statuses a person may set (`billed` is set by submitting claims).
const SETTABLE: [&str; 5] = [
    "open",
    "extension_requested",
    "denied",
    "patient_pay",
    "resolved",
];

pub async fn assign(
    Caller(principal): Caller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Json<Done>, ApiError> {
    let request: Assign = crate::json::parse(&body)?;
    if state.store().user_by_name(&request.owner).await?.is_none() {
        return Err(ApiError::field(
            ErrorCode::InvalidInput,
            "owner",
            "no user has this name",
        ));
    }
    act(
        &state,
        &principal,
        id,
        QueueAction::Assign {
            owner: request.owner,
        },
        "assign",
    )
    .await?;
    Ok(Json(Done { done: true }))
}

pub async fn comment(
    Caller(principal): Caller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<(StatusCode, Json<Done>), ApiError> {
    let request: Comment = crate::json::parse(&body)?;
    if request.text.trim().is_empty() || request.text.chars().count() > MAX_COMMENT {
        return Err(ApiError::field(
            ErrorCode::InvalidInput,
            "text",
            format!("a comment is 1 to {MAX_COMMENT} characters"),
        ));
    }
    let action = QueueAction::Comment {
        author: principal.username.clone(),
        text: request.text,
    };
    act(&state, &principal, id, action, "comment").await?;
    Ok((StatusCode::CREATED, Json(Done { done: true })))
}

pub async fn set_status(
    Caller(principal): Caller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Json<Done>, ApiError> {
    let request: SetStatus = crate::json::parse(&body)?;
    if !SETTABLE.contains(&request.status.as_str()) {
        return Err(ApiError::field(
            ErrorCode::InvalidInput,
            "status",
            format!("the status is one of {}", SETTABLE.join(", ")),
        ));
    }
    act(
        &state,
        &principal,
        id,
        QueueAction::Status {
            status: request.status,
        },
        "set_status",
    )
    .await?;
    Ok(Json(Done { done: true }))
}

/// Applies an action to an item in the caller's scope; another clinic's item is 404 and
/// audited as denied. The web pages' buttons call it too.
pub(crate) async fn act(
    state: &AppState,
    principal: &Principal,
    id: i64,
    action: QueueAction,
    name: &str,
) -> Result<(), ApiError> {
    let owner = state.store().queue_item_owner(id).await?;
    let mut event = AuditEvent {
        resource_id: Some(id.to_string()),
        ..principal.event(name, "queue_item", AuditOutcome::Success)
    };
    let Some((_, patient_id, clinic_id, rendering_npi)) = owner else {
        return Err(ApiError::not_found("queue item"));
    };
    event.patient_id = Some(patient_id);
    event.clinic_id = clinic_id.clone();
    if !principal
        .scope
        .admits(clinic_id.as_deref(), rendering_npi.as_deref())
    {
        event.outcome = AuditOutcome::Denied;
        state.store().audit(&[event]).await?;
        return Err(ApiError::not_found("queue item"));
    }
    if !state
        .store()
        .act_on_queue_item(id, &action, &[event])
        .await?
    {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            "the item has left its queue; only a comment can be added",
        ));
    }
    Ok(())
}
