//! Claim data gate (queue `documentation_hold`): every field the 837P needs that an encounter
//! may lack, checked at once, so that `ready_to_bill` means the claim can be written and a
//! biller sees every gap in one pass rather than one error per `claims` run. Each finding
//! names the encounter field and the 837P loop that carries it. The X12 writer checks the
//! same things again as a last line of defence. A visit with no procedure, member id or payer
//! id is a real visit whose record is incomplete: it is held here, not refused on input. (More than 12 diagnoses, which HI cannot
//! carry, never gets here: the encounter format rejects it on input.)

use cleanclaim_billing::rules;
use cleanclaim_model::ProviderRole;

use super::{Raised, Visit};

pub(crate) fn check(visit: &Visit<'_, '_>, raised: &mut Vec<Raised>) {
    let encounter = visit.encounter;
    let missing = |field: &str, carrier: &str| {
        Raised::new(
            &rules::CLAIM_FIELD_MISSING,
            format!("`{field}` is missing; the 837P carries it in {carrier}"),
        )
    };
    if encounter.timing.lines.is_empty() {
        raised.push(Raised::new(
            &rules::PROCEDURES_MISSING,
            "no procedure is documented; the 837P needs at least one service line (loop 2400)"
                .to_owned(),
        ));
    }
    if encounter.administrative.member_id.trim().is_empty() {
        raised.push(missing(
            "administrative.member_id",
            "loop 2010BA (subscriber id, NM109)",
        ));
    }
    if encounter.administrative.payer.id.trim().is_empty() {
        raised.push(missing(
            "administrative.payer.id",
            "loop 2010BB (payer id, NM109)",
        ));
    }
    if encounter.patient.address.is_none() {
        let carrier = if encounter.administrative.subscriber.is_some() {
            "loop 2010CA (patient address, N3/N4)"
        } else {
            "loop 2010BA (subscriber address, N3/N4)"
        };
        raised.push(missing("patient.address", carrier));
    }
    if let Some(rendering) = &encounter.compliance.rendering {
        if rendering.name.is_none() {
            raised.push(missing(
                "compliance.rendering.name",
                "loop 2310B (rendering provider name, NM1*82)",
            ));
        }
        // The supervising therapist's NPI is the documentation gate's (every payer); the
        // name matters only where the payer wants loop 2310D.
        if visit.period.billing.supervising_provider_loop
            && rendering.role.is_assistant()
            && rendering.supervising_name.is_none()
        {
            raised.push(missing(
                "compliance.rendering.supervising_name",
                "loop 2310D (supervising provider name, NM1*DQ)",
            ));
        }
        if rendering.role == ProviderRole::Student {
            raised.push(Raised::new(
                &rules::CLAIM_FIELD_INVALID,
                "`compliance.rendering.role` is a student; loop 2310B names the licensed therapist who bills".to_owned(),
            ));
        }
    }
    if let Some(referring) = &encounter.administrative.referring_provider
        && referring.name.is_none()
    {
        raised.push(missing(
            "administrative.referring_provider.name",
            "loop 2310A (referring provider name, NM1*DN)",
        ));
    }
    for line in &visit.derivation.lines {
        if line.units > 0 && line.charge.is_none() {
            raised.push(Raised::on(
                &rules::CLAIM_FIELD_MISSING,
                line.code,
                format!(
                    "{} bills {} unit(s) but `timing.lines[].charge_per_unit` is missing; the 837P carries the line charge in loop 2400 (SV102)",
                    line.code, line.units
                ),
            ));
        }
    }
    nothing_billable(visit, raised);
}

/// Every line came out at 0 units although its minutes are documented (a missing time is
/// its own finding): there is no service line to send.
fn nothing_billable(visit: &Visit<'_, '_>, raised: &mut Vec<Raised>) {
    let lines = &visit.derivation.lines;
    if lines.is_empty() || lines.iter().any(|line| line.units > 0) {
        return;
    }
    if lines.iter().any(|line| line.minutes.is_none()) {
        return;
    }
    let minutes: u32 = lines.iter().filter_map(|line| line.minutes).sum();
    let pooled_with = lines
        .iter()
        .find(|line| !line.pooled_with.is_empty())
        .map(|line| line.pooled_with.join(", "));
    raised.push(Raised::new(
        &rules::NOTHING_BILLABLE,
        match pooled_with {
            Some(earlier) => format!(
                "no line earns a unit: this visit's {minutes} timed minute(s) were pooled with the day's earlier visit(s) {earlier}, which bill the day's units; there is nothing more to bill (close the visit as billed with them)"
            ),
            None => format!(
                "no line earns a unit ({minutes} timed minute(s) in all); there is nothing to bill"
            ),
        },
    ));
}
