//! The rule packs page: each pack the engine runs, its dated periods with the settings a
//! biller asks about (unit method, modifiers, filing limit, authorization, benefit limits)
//! and its expression rules; billers and admins can paste a pack to check it the way
//! `cleanclaim rules check` does (the running engine is unchanged). No PHI.

use axum::Form;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use cleanclaim_billing::RulePacks;
use cleanclaim_billing::pack::BUILTIN_PACKS;
use cleanclaim_store::AuditOutcome;
use minijinja::context;
use serde::Deserialize;

use super::{audited_render, page_user, user_view};
use crate::policy::MANAGE_PACKS;
use crate::state::AppState;

/// The largest pack the form checks (as the API's).
const MAX_PACK_BYTES: usize = 1 << 20;

pub(super) async fn page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    show(&state, &headers, None).await
}

#[derive(Debug, Deserialize)]
pub(super) struct CheckForm {
    #[serde(default)]
    text: String,
}

pub(super) async fn check(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<CheckForm>,
) -> Response {
    show(&state, &headers, Some(form.text)).await
}

async fn show(state: &AppState, headers: &HeaderMap, upload: Option<String>) -> Response {
    let principal = match page_user(state, headers).await {
        Ok(principal) => principal,
        Err(response) => return response,
    };
    let can_check = MANAGE_PACKS.admits(principal.role);
    let verdict = match (&upload, can_check) {
        (Some(_), false) => {
            return (
                axum::http::StatusCode::FORBIDDEN,
                "this role may not check rule packs",
            )
                .into_response();
        }
        (Some(text), true) if text.len() > MAX_PACK_BYTES => {
            Some(context! { valid => false, message => "a rule pack is at most 1 MiB" })
        }
        (Some(text), true) => {
            const UPLOAD: &str = "upload.toml";
            Some(
                match RulePacks::load(
                    &BUILTIN_PACKS,
                    &[(UPLOAD, text)],
                    state.engine().diagnoses(),
                ) {
                    Ok(packs) => context! {
                        valid => true,
                        message => format!(
                            "valid: pack `{}` loads beside the built-in packs",
                            packs.all().iter().find(|p| p.file == UPLOAD).map_or("", |p| p.id.as_str())
                        ),
                    },
                    Err(error) => context! { valid => false, message => error.to_string() },
                },
            )
        }
        (None, _) => None,
    };
    let packs: Vec<_> = state
        .engine()
        .packs()
        .all()
        .iter()
        .map(|pack| {
            context! {
                id => pack.id, name => pack.name, version => pack.version, source => pack.source,
                file => pack.file, payer_ids => pack.payer_ids.join(", "),
                default_for => pack.default_for.iter().map(|plan| format!("{plan:?}")).collect::<Vec<_>>().join(", "),
                periods => pack.periods().iter().map(|p| {
                    let billing = &p.billing;
                    let benefits = &p.benefits;
                    let limits: Vec<String> = [
                        benefits.visits_per_year.map(|n| format!("{n} visits a year")),
                        benefits.spend_cap_cents.map(|c| format!("{} a year", cleanclaim_model::Cents(c))),
                        benefits.lifetime_visits.map(|n| format!("{n} visits in all")),
                        benefits.lifetime_spend_cap_cents.map(|c| format!("{} in all", cleanclaim_model::Cents(c))),
                    ].into_iter().flatten().collect();
                    context! {
                        from => p.from.to_string(),
                        to => p.to.map(|d| d.to_string()),
                        unit_method => billing.unit_method.name(),
                        assistant_modifiers => billing.assistant_modifiers,
                        kx => billing.kx_threshold,
                        ncci => billing.ncci.then(|| billing.ncci_modifier.to_string()),
                        telehealth => billing.telehealth_modifier.map(|m| m.to_string()),
                        filing => billing.filing_limit_days,
                        authorization => p.authorization.required,
                        limits => limits.join("; "),
                        plan_of_care => p.documentation.plan_of_care_required,
                    }
                }).collect::<Vec<_>>(),
                rules => pack.expression_rules().iter().map(|r| context! {
                    id => r.rule.id.to_string(), when => r.when, message => r.message,
                    fix => r.rule.fix.to_string(),
                }).collect::<Vec<_>>(),
            }
        })
        .collect();
    audited_render(
        state,
        principal.event("read", "rule_packs", AuditOutcome::Success),
        "packs.html",
        context! {
            page => "packs", user => user_view(&principal), packs => packs,
            can_check => can_check, verdict => verdict, upload => upload.unwrap_or_default(),
        },
    )
    .await
}
