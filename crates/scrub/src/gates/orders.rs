//! Verbal and telephone orders: a practitioner's order taken down by the clinic must be signed
//! by them within the payer's deadline (the pack's `verbal_order_signature_days`). Judged as of
//! the date the caller names (`--as-of`), else the date of service.

use chrono::{Days, NaiveDate};
use cleanclaim_billing::rules;
use cleanclaim_model::OrderKind;

use super::{Raised, Visit};

pub(crate) fn check(visit: &Visit<'_, '_>, raised: &mut Vec<Raised>) {
    let Some(days) = visit.period.documentation.verbal_order_signature_days else {
        return;
    };
    let Some(order) = &visit.encounter.administrative.referring_provider else {
        return;
    };
    let kind = match order.order_kind {
        Some(OrderKind::Verbal) => "verbal",
        Some(OrderKind::Telephone) => "telephone",
        Some(OrderKind::Written) | None => return,
    };
    let date = visit.encounter.date_of_service;
    // Without the date it was taken down, the visit itself is the latest it can have been.
    let received = order.order_received_on.unwrap_or(date).min(date);
    let Some(deadline) = received.checked_add_days(Days::new(u64::from(days))) else {
        return;
    };
    let judged_on: NaiveDate = visit.as_of.unwrap_or(date);
    match order.order_signed_on {
        None if judged_on > deadline => raised.push(Raised::new(
            &rules::VERBAL_ORDER_UNSIGNED,
            format!(
                "the {kind} order taken on {received} is not signed; {} wants it signed within {days} days, by {deadline}",
                visit.period.billing.name
            ),
        )),
        Some(signed) if signed > deadline => raised.push(Raised::new(
            &rules::VERBAL_ORDER_UNSIGNED,
            format!(
                "the {kind} order taken on {received} was signed on {signed}, after the {days} days {} allows (by {deadline})",
                visit.period.billing.name
            ),
        )),
        _ => {}
    }
}
