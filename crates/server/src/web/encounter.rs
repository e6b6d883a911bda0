//! The encounter trace page: one visit from its appointment to its payment (see
//! `cleanclaim_app::trace`), shown only within the user's scope and audited like the API's
//! read of an encounter.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use cleanclaim_app::trace::encounter_trace;
use cleanclaim_store::AuditOutcome;
use minijinja::context;

use super::{audited_render, page_user, user_view};
use crate::state::AppState;

pub(super) async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let principal = match page_user(&state, &headers).await {
        Ok(principal) => principal,
        Err(response) => return response,
    };
    let trace = match encounter_trace(state.store(), state.engine(), &id).await {
        Ok(trace) => trace,
        Err(error) => {
            tracing::error!(%error, "an encounter trace could not be read");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the encounter could not be read",
            )
                .into_response();
        }
    };
    let mut event = principal.event("read", "encounter", AuditOutcome::Success);
    event.resource_id = Some(id.clone());
    let in_scope = trace.as_ref().is_some_and(|trace| {
        principal.scope.admits(
            trace.view.clinic_id.as_deref(),
            trace.view.rendering_npi.as_deref(),
        )
    });
    if let Some(trace) = &trace {
        event.patient_id = Some(trace.view.patient_id.clone());
        event.clinic_id.clone_from(&trace.view.clinic_id);
    }
    let (Some(trace), true) = (trace, in_scope) else {
        // Another clinic's visit is as absent as one that does not exist.
        event.outcome = AuditOutcome::Denied;
        if let Err(error) = state.store().audit(&[event]).await {
            return crate::ApiError::from(error).into_response();
        }
        return (StatusCode::NOT_FOUND, "no such encounter").into_response();
    };
    audited_render(&state, event, "encounter.html", values(&trace, &principal)).await
}

fn values(
    trace: &cleanclaim_app::trace::EncounterTrace,
    principal: &cleanclaim_app::access::Principal,
) -> minijinja::Value {
    let view = &trace.view;
    let time = |at: &chrono::DateTime<chrono::Utc>| at.format("%Y-%m-%d %H:%M").to_string();
    let scrub = trace.scrub.as_ref().map(|scrub| {
        context! {
            queue => scrub.queue, pack => scrub.pack, unit_method => scrub.unit_method,
            place_of_service => scrub.place_of_service,
            authorization => scrub.authorization, benefits => scrub.benefits,
            lines => scrub.lines.iter().map(|line| context! {
                code => line.code, units => line.units, modifiers => line.modifiers,
                minutes => line.minutes, charge_cents => line.charge_cents,
                explanation => line.explanation,
            }).collect::<Vec<_>>(),
            findings => scrub.findings.iter().map(|f| context! {
                rule => f.rule, severity => f.severity, message => f.message,
                fix => f.fix, source => f.source,
            }).collect::<Vec<_>>(),
        }
    });
    context! {
        page => "encounter",
        user => user_view(principal),
        e => context! {
            encounter_id => view.encounter_id, version => view.version,
            patient_id => view.patient_id, date_of_service => view.date_of_service.to_string(),
            clinic => view.clinic_id, rendering_npi => view.rendering_npi,
            payer_id => view.payer_id, received_at => time(&view.received_at),
        },
        appointments => trace.appointments.iter().map(|a| context! {
            id => a.appointment_id, start => a.start_time, status => a.status,
            codes => serde_json::from_str::<Vec<String>>(&a.planned_codes)
                .unwrap_or_default()
                .join(", "),
        }).collect::<Vec<_>>(),
        scrub => scrub,
        results => trace.results.iter().map(|r| context! {
            version => r.encounter_version, queue => r.queue, reason => r.reason,
            findings => r.findings.lines().map(|line| line.split(':').next().unwrap_or(line)).collect::<Vec<_>>().join(", "),
        }).collect::<Vec<_>>(),
        stays => trace.stays.iter().map(|(stay, comments)| context! {
            id => stay.id, queue => stay.queue, entered => time(&stay.entered_at),
            left => stay.left_at.as_ref().map(time), owner => stay.owner, status => stay.status,
            comments => comments.iter().map(|(by, text, _)| context! { by => by, text => text }).collect::<Vec<_>>(),
        }).collect::<Vec<_>>(),
        submissions => trace.submissions.iter().map(|(interchange, frequency)| context! {
            interchange => interchange, frequency => frequency,
        }).collect::<Vec<_>>(),
        acknowledgments => trace.acknowledgments.iter().map(|(source, accepted, detail)| context! {
            source => source, accepted => accepted, detail => detail,
        }).collect::<Vec<_>>(),
        adjudications => trace.adjudications.iter().map(|p| context! {
            denied => p.denied, payer => p.payer_name, trace => p.trace_number,
            date => p.payment_date.map(|d| d.to_string()), charge => p.charge_cents,
            paid => p.paid_cents, patient => p.patient_responsibility_cents, cause => p.cause,
            adjustments => p.adjustments.iter()
                .map(|a| format!("{}-{} {}", a.group, a.reason, cleanclaim_model::Cents(a.amount_cents).decimal()))
                .collect::<Vec<_>>().join(", "),
        }).collect::<Vec<_>>(),
    }
}
