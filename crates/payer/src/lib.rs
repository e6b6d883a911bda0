//! A payer simulator: it reads an 837P we wrote and answers as a payer and its clearinghouse
//! would, by rules of its own (`rules`, a data file; deliberately not the scrubber's packs):
//!
//! - a 999 that accepts the file or rejects it for envelope or syntax errors (our validator);
//! - a 277CA per payer that accepts each claim or rejects it at the front end (unknown payer,
//!   a member id of the wrong shape, a member the payer cannot find);
//! - an 835 per payer that adjudicates each accepted claim (`adjudicate`): fee schedule,
//!   contractual write-down, deductible and coinsurance, and denials with real CARC/RARC
//!   codes (authorization, modifiers, units per day, NCCI pairs, KX threshold, timely filing,
//!   duplicates, and a diagnosis rule the scrubber does not know).
//!
//! What the payer remembers between files (`state`) makes a second original a duplicate and
//! carries deductibles and the KX total through the year.
//!
//! Invariant: no I/O. Text in, text out.

pub mod adjudicate;
pub mod rules;
pub mod state;
pub mod write;

use chrono::NaiveDate;
use cleanclaim_model::Cents;
use cleanclaim_x12::x837::read_claims;

pub use adjudicate::{ClaimResult, FrontEnd};
pub use rules::{Rules, RulesError};
pub use state::PayerState;
pub use write::PayerBatch;

/// What the payer sends back for one 837P.
#[derive(Debug, Clone)]
pub struct Answers {
    pub ack_999: String,
    /// None when the 999 rejected the file.
    pub ack_277ca: Option<String>,
    /// None when no claim was accepted.
    pub remittance_835: Option<String>,
    pub summary: Summary,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub claims: usize,
    pub rejected_front_end: usize,
    pub paid: usize,
    pub denied: usize,
    pub paid_cents: Cents,
}

#[derive(Debug, thiserror::Error)]
pub enum SimulateError {
    #[error("the file is not an 837P this simulator can read: {0}")]
    Unreadable(String),
}

/// The envelope facts of an 837P: who sent it to whom, its control numbers, submitter and
/// billing provider.
fn envelope_of(text: &str) -> Result<write::Envelope, SimulateError> {
    let segments =
        cleanclaim_x12::tokenize(text).map_err(|e| SimulateError::Unreadable(e.to_string()))?;
    let mut envelope = write::Envelope::default();
    for segment in segments {
        let segment = segment.map_err(|e| SimulateError::Unreadable(e.to_string()))?;
        match segment.id() {
            "ISA" => {
                envelope.receiver = segment.element(6).trim().to_owned();
                envelope.sender = segment.element(8).trim().to_owned();
            }
            "GS" => envelope.group_control = segment.element(6).to_owned(),
            "ST" => envelope
                .transaction_controls
                .push(segment.element(2).to_owned()),
            "NM1" if segment.element(1) == "41" => {
                envelope.submitter_name = segment.element(3).to_owned()
            }
            "NM1" if segment.element(1) == "85" => {
                envelope.billing_name = segment.element(3).to_owned();
                envelope.billing_npi = segment.element(9).to_owned();
            }
            _ => {}
        }
    }
    if envelope.sender.is_empty() || envelope.group_control.is_empty() {
        return Err(SimulateError::Unreadable("no ISA or GS envelope".into()));
    }
    Ok(envelope)
}

/// Items grouped by payer, payers in the order they first appear.
fn by_payer<T>(items: Vec<(String, String, T)>) -> Vec<PayerBatch<T>> {
    let mut batches: Vec<PayerBatch<T>> = Vec::new();
    for (id, name, item) in items {
        match batches.iter_mut().find(|b| b.id == id) {
            Some(batch) => batch.claims.push(item),
            None => batches.push(PayerBatch {
                id,
                name,
                claims: vec![item],
            }),
        }
    }
    batches
}

/// Answers one 837P as of `today`.
pub fn simulate(
    text: &str,
    rules: &Rules,
    state: &mut PayerState,
    today: NaiveDate,
) -> Result<Answers, SimulateError> {
    let envelope = envelope_of(text)?;
    let report = cleanclaim_x12::validate(text);
    let ack_control = state.next_control();
    if !report.is_valid() {
        return Ok(Answers {
            ack_999: write::ack_999(&envelope, false, ack_control, today),
            ack_277ca: None,
            remittance_835: None,
            summary: Summary::default(),
        });
    }
    let ack_999 = write::ack_999(&envelope, true, ack_control, today);
    let claims = read_claims(text).map_err(|e| SimulateError::Unreadable(e.to_string()))?;
    let control_277 = state.next_control();
    let control_835 = state.next_control();
    let mut summary = Summary {
        claims: claims.len(),
        ..Summary::default()
    };
    // Claims by payer, in the order payers first appear.
    let mut verdicts: Vec<(String, String, (ClaimResult, FrontEnd))> = Vec::new();
    let mut remits: Vec<(String, String, ClaimResult)> = Vec::new();
    for (n, claim) in claims.iter().enumerate() {
        let verdict = adjudicate::front_end(claim, rules);
        let payer_name = rules
            .payer(&claim.payer_id)
            .map_or_else(|| claim.payer_name.clone(), |p| p.name.clone());
        let number = format!("P{control_835:09}{n:05}");
        let result = if verdict == FrontEnd::Accepted {
            let result = adjudicate::adjudicate(claim, rules, state, today, number);
            if result.status == "4" {
                summary.denied += 1;
            } else {
                summary.paid += 1;
                summary.paid_cents += result.paid();
            }
            remits.push((claim.payer_id.clone(), payer_name.clone(), result.clone()));
            result
        } else {
            summary.rejected_front_end += 1;
            ClaimResult {
                claim: claim.clone(),
                status: "4",
                lines: Vec::new(),
                payer_claim_number: number,
            }
        };
        verdicts.push((claim.payer_id.clone(), payer_name, (result, verdict)));
    }
    let (verdicts, remits) = (by_payer(verdicts), by_payer(remits));
    let ack_277ca = write::ack_277ca(&envelope, &verdicts, control_277, today);
    let remittance_835 =
        (!remits.is_empty()).then(|| write::remittance_835(&envelope, &remits, control_835, today));
    Ok(Answers {
        ack_999,
        ack_277ca: Some(ack_277ca),
        remittance_835,
        summary,
    })
}
