//! The provider page, in a clinician's words: the visits of theirs held for documentation this
//! week and why, the reasons their visits are held most often, and how to avoid each (the
//! rule's fix). A therapist sees their own visits; a biller or manager the visits of their
//! clinics.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, Utc};
use cleanclaim_store::{AuditOutcome, QueueFilter, QueueOrder};
use minijinja::context;

use super::{audited_render, page_user, user_view};
use crate::state::AppState;

/// The open holds a page lists at most (the reasons are counted over the same items).
const MOST: i64 = 2000;

pub(super) async fn page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let principal = match page_user(&state, &headers).await {
        Ok(principal) => principal,
        Err(response) => return response,
    };
    let filter = QueueFilter {
        queue: None,
        open_only: true,
        owner: None,
        clinic_id: None,
        limit: MOST,
        order: QueueOrder::Newest,
    };
    let items = match state
        .store()
        .list_queue_items(&principal.scope, &filter)
        .await
    {
        Ok(items) => items,
        Err(error) => return crate::ApiError::from(error).into_response(),
    };
    let today = Utc::now().date_naive();
    let monday = today - chrono::Days::new(u64::from(today.weekday().num_days_from_monday()));
    let holds: Vec<_> = items
        .iter()
        .filter(|item| item.queue != "ready_to_bill")
        .collect();
    let this_week: Vec<_> = holds
        .iter()
        .filter(|item| item.queue == "documentation_hold" && item.entered_at.date_naive() >= monday)
        .map(|item| {
            let (rule, message) = item
                .findings
                .lines()
                .next()
                .and_then(|line| line.split_once(':'))
                .unwrap_or(("", ""));
            context! {
                encounter_id => item.encounter_id,
                since => item.entered_at.format("%a %Y-%m-%d").to_string(),
                rule => rule.trim(),
                why => message.trim(),
                fix => super::fix_of(item.findings.lines().next().unwrap_or("")),
            }
        })
        .collect();
    // Every finding of every open hold counts toward its rule, so a visit held for two reasons
    // teaches both.
    let mut reasons: BTreeMap<&str, (usize, &str)> = BTreeMap::new();
    for item in &holds {
        for line in item.findings.lines() {
            if let Some((rule, _)) = line.split_once(':') {
                let rule = rule.trim();
                reasons.entry(rule).or_insert((0, super::fix_of(line))).0 += 1;
            }
        }
    }
    let mut common: Vec<_> = reasons.into_iter().collect();
    common.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.0.cmp(b.0)));
    let common: Vec<_> = common
        .into_iter()
        .take(10)
        .map(|(rule, (count, fix))| context! { rule => rule, count => count, fix => fix })
        .collect();
    audited_render(
        &state,
        principal.event("list", "queue_item", AuditOutcome::Success),
        "provider.html",
        context! {
            page => "provider", user => user_view(&principal), week_of => monday.to_string(),
            this_week => this_week, common => common, open_holds => holds.len(),
        },
    )
    .await
}
