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

pub use adjudicate::{ClaimResult, FrontEnd, Received};
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

/// Answers one 837P as of `today`: [`acknowledge`], then [`Pending::adjudicate`].
pub fn simulate(
    text: &str,
    rules: &Rules,
    state: &mut PayerState,
    today: NaiveDate,
) -> Result<Answers, SimulateError> {
    let acknowledged = acknowledge(text, rules, state, today)?;
    let remitted = acknowledged.pending.adjudicate(rules, state);
    Ok(Answers {
        ack_999: acknowledged.ack_999,
        ack_277ca: acknowledged.ack_277ca,
        remittance_835: remitted.remittance_835,
        summary: remitted.summary,
    })
}

/// The 999 and the 277CA of one 837P, and its accepted claims waiting for adjudication.
#[derive(Debug)]
pub struct Acknowledged {
    pub ack_999: String,
    /// None when the 999 rejected the file.
    pub ack_277ca: Option<String>,
    pub pending: Pending,
}

/// The claims of a file the front end received, in file order, for the 835.
#[derive(Debug)]
pub struct Pending {
    envelope: write::Envelope,
    control_835: u32,
    today: NaiveDate,
    /// (payer id, payer name, the claim as received).
    received: Vec<(String, String, Received)>,
    summary: Summary,
}

/// The 835 of one file and what it said.
#[derive(Debug, Clone)]
pub struct Remitted {
    /// None when no claim was accepted.
    pub remittance_835: Option<String>,
    pub summary: Summary,
}

/// The front end's answers to one 837P as of `today`: a 999 for its envelope and syntax, a
/// 277CA for each claim. Adjudication needs only what this returns and the payer's state
/// ([`Pending::adjudicate`]), so a caller can run it apart.
pub fn acknowledge(
    text: &str,
    rules: &Rules,
    state: &mut PayerState,
    today: NaiveDate,
) -> Result<Acknowledged, SimulateError> {
    let envelope = envelope_of(text)?;
    // The 999's syntax check and the reading of the claims are separate passes over the same
    // text: with a second core they run side by side.
    let (report, claims) = std::thread::scope(|scope| {
        let validating = scope.spawn(|| cleanclaim_x12::validate(text));
        let claims = read_claims(text);
        let report = validating
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (report, claims)
    });
    let ack_control = state.next_control();
    if !report.is_valid() {
        return Ok(Acknowledged {
            ack_999: write::ack_999(&envelope, false, ack_control, today),
            ack_277ca: None,
            pending: Pending {
                envelope,
                control_835: 0,
                today,
                received: Vec::new(),
                summary: Summary::default(),
            },
        });
    }
    let ack_999 = write::ack_999(&envelope, true, ack_control, today);
    let claims = claims.map_err(|e| SimulateError::Unreadable(e.to_string()))?;
    let control_277 = state.next_control();
    let control_835 = state.next_control();
    let mut summary = Summary {
        claims: claims.len(),
        ..Summary::default()
    };
    let mut received: Vec<(String, String, Received)> = Vec::with_capacity(claims.len());
    for (n, claim) in claims.into_iter().enumerate() {
        let front_end = adjudicate::front_end(&claim, rules);
        if front_end != FrontEnd::Accepted {
            summary.rejected_front_end += 1;
        }
        let payer_name = rules
            .payer(&claim.payer_id)
            .map_or_else(|| claim.payer_name.clone(), |p| p.name.clone());
        received.push((
            claim.payer_id.clone(),
            payer_name,
            Received {
                payer_claim_number: format!("P{control_835:09}{n:05}"),
                claim,
                front_end,
            },
        ));
    }
    let verdicts = by_payer(
        received
            .iter()
            .map(|(id, name, claim)| (id.clone(), name.clone(), claim))
            .collect(),
    );
    let ack_277ca = write::ack_277ca(&envelope, &verdicts, control_277, today);
    Ok(Acknowledged {
        ack_999,
        ack_277ca: Some(ack_277ca),
        pending: Pending {
            envelope,
            control_835,
            today,
            received,
            summary,
        },
    })
}

impl Pending {
    /// What the front end counted: the claims and those it rejected.
    pub fn summary(&self) -> &Summary {
        &self.summary
    }

    /// Adjudicates the accepted claims in file order and writes the 835 (none when no claim
    /// was accepted).
    pub fn adjudicate(self, rules: &Rules, state: &mut PayerState) -> Remitted {
        let mut summary = self.summary;
        let mut remits: Vec<(String, String, ClaimResult)> = Vec::new();
        for (payer_id, payer_name, received) in self.received {
            if received.front_end != FrontEnd::Accepted {
                continue;
            }
            let result = adjudicate::adjudicate(
                &received.claim,
                rules,
                state,
                self.today,
                received.payer_claim_number,
            );
            if result.status == "4" {
                summary.denied += 1;
            } else {
                summary.paid += 1;
                summary.paid_cents += result.paid();
            }
            remits.push((payer_id, payer_name, result));
        }
        let remits = by_payer(remits);
        let remittance_835 = (!remits.is_empty())
            .then(|| write::remittance_835(&self.envelope, &remits, self.control_835, self.today));
        Remitted {
            remittance_835,
            summary,
        }
    }
}
