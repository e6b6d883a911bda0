//! Our claims as FHIR R4 resources: a Claim for each professional claim as the 837P carried
//! it (read back from the stored file, so the export is what was sent), and a ClaimResponse
//! for each payment advice that adjudicated it.

use cleanclaim_x12::x837::Claim;
use serde_json::{Value, json};

const CPT: &str = "http://www.ama-assn.org/go/cpt";
const ICD10CM: &str = "http://hl7.org/fhir/sid/icd-10-cm";
const NPI: &str = "http://hl7.org/fhir/sid/us-npi";
const CARC: &str = "https://x12.org/codes/claim-adjustment-reason-codes";
const POS: &str =
    "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set";

fn money(cents: i64) -> Value {
    // A FHIR decimal is a JSON number. The double nearest to cents / 100 (an exactly converted
    // integer, one correctly rounded division) prints in its shortest round-trip form as
    // exactly that decimal for any amount under 10^13 dollars: no cent is lost.
    json!({"value": cents as f64 / 100.0, "currency": "USD"})
}

/// A FHIR Claim (use `claim`, type `professional`) for one claim we sent.
pub fn claim_resource(claim: &Claim, billing_npi: &str, sent: &str) -> Value {
    let patient_name = claim
        .patient
        .as_ref()
        .map_or(&claim.subscriber.name, |p| &p.name);
    let items: Vec<Value> = claim
        .lines
        .iter()
        .enumerate()
        .map(|(n, line)| {
            json!({
                "sequence": n + 1,
                "diagnosisSequence": line.diagnosis_pointers,
                "productOrService": {"coding": [{"system": CPT, "code": line.code.as_str()}]},
                "modifier": line.modifiers.iter().map(|m| json!({"coding": [{"code": m.as_str()}]})).collect::<Vec<_>>(),
                "servicedDate": line.date.to_string(),
                "locationCodeableConcept": {"coding": [{"system": POS, "code": claim.place_of_service.as_str()}]},
                "quantity": {"value": line.units},
                "net": money(line.charge.0),
                "extension": [{"url": "https://cleanclaim.dev/fhir/StructureDefinition/line-control-number", "valueString": line.control_number}],
            })
        })
        .collect();
    let first = claim.lines.iter().map(|l| l.date).min();
    let last = claim.lines.iter().map(|l| l.date).max();
    let mut resource = json!({
        "resourceType": "Claim",
        "id": claim.id,
        "identifier": [{"system": "https://cleanclaim.dev/claim-id", "value": claim.id}],
        "status": if claim.frequency == cleanclaim_x12::x837::ClaimFrequency::Void { "cancelled" } else { "active" },
        "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type", "code": "professional"}]},
        "use": "claim",
        "patient": {"display": format!("{} {}", patient_name.given, patient_name.family)},
        "billablePeriod": {"start": first.map(|d| d.to_string()), "end": last.map(|d| d.to_string())},
        "created": sent,
        "provider": {"identifier": {"system": NPI, "value": billing_npi}},
        "priority": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/processpriority", "code": "normal"}]},
        "insurer": {"identifier": {"value": claim.payer_id}, "display": claim.payer_name},
        "insurance": [{"sequence": 1, "focal": true, "identifier": {"value": claim.subscriber.member_id}, "coverage": {"display": format!("{} {}", claim.payer_name, claim.subscriber.member_id)}}],
        "diagnosis": claim.diagnoses.iter().enumerate().map(|(n, d)| json!({
            "sequence": n + 1,
            "diagnosisCodeableConcept": {"coding": [{"system": ICD10CM, "code": d.as_str()}]},
            "type": [{"coding": [{"code": if n == 0 { "principal" } else { "secondary" }}]}],
        })).collect::<Vec<_>>(),
        "item": items,
        "total": money(claim.total().0),
    });
    if let Some(map) = resource.as_object_mut() {
        if let Some(referring) = &claim.referring {
            map.insert("referral".into(), json!({"identifier": {"system": NPI, "value": referring.npi.as_str()}, "display": format!("{} {}", referring.name.given, referring.name.family)}));
        }
        if let Some(rendering) = &claim.rendering {
            map.insert("careTeam".into(), json!([{"sequence": 1, "provider": {"identifier": {"system": NPI, "value": rendering.npi.as_str()}}, "role": {"coding": [{"code": "primary"}]}, "qualification": {"coding": [{"system": "http://nucc.org/provider-taxonomy", "code": rendering.taxonomy}]}}]));
        }
        if let Some(number) = &claim.prior_authorization
            && let Some(Value::Array(insurance)) = map.get_mut("insurance")
            && let Some(Value::Object(first)) = insurance.first_mut()
        {
            first.insert("preAuthRef".into(), json!([number]));
        }
    }
    resource
}

/// One adjustment of an adjudication: CAS group, CARC, amount, and the line it is on.
#[derive(Debug, Clone)]
pub struct Adjustment {
    pub line_control: Option<String>,
    pub group: String,
    pub reason: String,
    pub amount_cents: i64,
}

/// What one payment advice said of a claim.
#[derive(Debug, Clone)]
pub struct Adjudication {
    pub claim_id: String,
    /// An id for the ClaimResponse (the remittance and claim).
    pub id: String,
    pub payer_name: String,
    pub trace_number: String,
    pub payment_date: Option<String>,
    pub posted_at: String,
    /// CLP02: 1 processed as primary, 4 denied, 22 reversal...
    pub status: String,
    pub charge_cents: i64,
    pub paid_cents: i64,
    pub patient_responsibility_cents: i64,
    pub payer_claim_number: String,
    pub denied: bool,
    /// The root cause the 835 reader assigned, for a denial.
    pub cause: Option<String>,
    pub adjustments: Vec<Adjustment>,
}

/// A FHIR ClaimResponse for one adjudication.
pub fn claim_response_resource(a: &Adjudication) -> Value {
    let adjustment = |adj: &Adjustment| {
        json!({
            "category": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/adjudication", "code": if adj.group == "PR" { "copay" } else { "deductible" }}], "text": format!("{} (CAS group {})", group_text(&adj.group), adj.group)},
            "reason": {"coding": [{"system": CARC, "code": adj.reason}]},
            "amount": money(adj.amount_cents),
        })
    };
    let mut adjudication = vec![
        json!({"category": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/adjudication", "code": "submitted"}]}, "amount": money(a.charge_cents)}),
        json!({"category": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/adjudication", "code": "benefit"}]}, "amount": money(a.paid_cents)}),
    ];
    adjudication.extend(
        a.adjustments
            .iter()
            .filter(|x| x.line_control.is_none())
            .map(adjustment),
    );
    let mut lines: Vec<(String, Vec<Value>)> = Vec::new();
    for adj in a.adjustments.iter().filter(|x| x.line_control.is_some()) {
        let control = adj.line_control.clone().unwrap_or_default();
        match lines.iter_mut().find(|(c, _)| *c == control) {
            Some((_, list)) => list.push(adjustment(adj)),
            None => lines.push((control, vec![adjustment(adj)])),
        }
    }
    let items: Vec<Value> = lines
        .into_iter()
        .map(|(control, adjudication)| {
            let sequence = control
                .rsplit('-')
                .next()
                .and_then(|n| n.parse::<u32>().ok())
                .unwrap_or(0);
            json!({"itemSequence": sequence, "adjudication": adjudication})
        })
        .collect();
    let mut resource = json!({
        "resourceType": "ClaimResponse",
        "id": a.id,
        "identifier": [{"system": "https://cleanclaim.dev/payer-claim-number", "value": a.payer_claim_number}],
        "status": "active",
        "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type", "code": "professional"}]},
        "use": "claim",
        "created": a.posted_at,
        "insurer": {"display": a.payer_name},
        "request": {"reference": format!("Claim/{}", a.claim_id)},
        "outcome": "complete",
        "disposition": disposition(a),
        "adjudication": adjudication,
        "item": items,
        "total": [
            {"category": {"coding": [{"code": "submitted"}]}, "amount": money(a.charge_cents)},
            {"category": {"coding": [{"code": "benefit"}]}, "amount": money(a.paid_cents)},
        ],
        "payment": {"amount": money(a.paid_cents), "identifier": {"value": a.trace_number}},
    });
    if let (Some(date), Some(payment)) = (
        &a.payment_date,
        resource.get_mut("payment").and_then(Value::as_object_mut),
    ) {
        payment.insert("date".into(), json!(date));
    }
    resource
}

fn group_text(group: &str) -> &'static str {
    match group {
        "CO" => "contractual obligation",
        "PR" => "patient responsibility",
        "OA" => "other adjustment",
        "PI" => "payer initiated reduction",
        "CR" => "correction or reversal",
        _ => "adjustment",
    }
}

fn disposition(a: &Adjudication) -> String {
    let status = match a.status.as_str() {
        "1" => "processed as primary",
        "2" => "processed as secondary",
        "3" => "processed as tertiary",
        "4" => "denied",
        "19" => "processed as primary, forwarded",
        "22" => "reversal of previous payment",
        _ => "adjudicated",
    };
    match (&a.cause, a.denied) {
        (Some(cause), true) => format!(
            "{status}; denial cause: {cause}; patient responsibility {}",
            dollars(a.patient_responsibility_cents)
        ),
        _ => format!(
            "{status}; paid {}; patient responsibility {}",
            dollars(a.paid_cents),
            dollars(a.patient_responsibility_cents)
        ),
    }
}

fn dollars(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!(
        "{sign}${}.{:02}",
        cents.unsigned_abs() / 100,
        cents.unsigned_abs() % 100
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]
    use super::*;
    use proptest::prelude::*;

    /// The cents a JSON number's text says, read as a decimal (no floating point).
    fn cents_of_text(text: &str) -> i64 {
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        let fraction = format!("{fraction:0<2}");
        assert!(fraction.len() == 2, "{text}");
        whole.parse::<i64>().unwrap() * 100 + fraction.parse::<i64>().unwrap()
    }

    #[test]
    fn amounts_up_to_ten_trillion_dollars_print_to_the_cent() {
        for cents in [999_999_999_999_999i64, 123_456_789_012_345, 4650, 1, 0, 10] {
            let text = money(cents)["value"].to_string();
            assert_eq!(cents_of_text(&text), cents, "{text}");
        }
    }

    proptest! {
        #[test]
        fn every_amount_prints_to_the_cent(cents in 0i64..1_000_000_000_000_000i64) {
            // 10^15 cents: far above any claim (a unit's charge is at most 10^9 cents).
            let text = money(cents)["value"].to_string();
            prop_assert_eq!(cents_of_text(&text), cents);
        }
    }
}
