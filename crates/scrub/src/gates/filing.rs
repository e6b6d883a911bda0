//! Timely filing: a claim filed after the payer's limit is denied (CARC 29). Judged only as of
//! a date the caller names (`ScrubOptions::as_of`, on the visit), so the same batch gives the same findings
//! whenever it is run for the same date.

use chrono::Days;
use cleanclaim_billing::rules;

use super::{Raised, Visit};

pub(crate) fn check(visit: &Visit<'_, '_>, raised: &mut Vec<Raised>) {
    let billing = &visit.period.billing;
    let (Some(as_of), Some(limit)) = (visit.as_of, billing.filing_limit_days) else {
        return;
    };
    let date = visit.encounter.date_of_service;
    let Some(deadline) = date.checked_add_days(Days::new(u64::from(limit))) else {
        return;
    };
    let left = (deadline - as_of).num_days();
    if left < 0 {
        raised.push(Raised::new(
            &rules::FILING_LIMIT_PASSED,
            format!(
                "{} allows {limit} days from the date of service {date} to file: the limit passed on {deadline}, {} day(s) before {as_of}",
                billing.name,
                -left
            ),
        ));
    } else if billing
        .filing_warn_days
        .is_some_and(|warn| left <= i64::from(warn))
    {
        raised.push(Raised::new(
            &rules::FILING_LIMIT_NEAR,
            format!(
                "file by {deadline}: {left} day(s) left of the {limit} days {} allows from the date of service {date}",
                billing.name
            ),
        ));
    }
}
