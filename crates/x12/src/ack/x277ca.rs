//! The 277CA claim acknowledgment (005010X214): HL 20 (information source), 21 (receiver,
//! with the batch's status), 19 (billing provider) and PT (one claim: TRN02 is our CLM01,
//! STC its status, REF*1K the payer's claim number), with optional service lines (SVC,
//! STC, REF*FJ our line control number).

use serde::Serialize;

use crate::ack::codes::status_category;
use crate::ack::{required, structure};
use crate::error::X12Error;
use crate::token::Segment;

/// One STC composite: category, status and entity codes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusCode {
    pub category: String,
    pub status: String,
    pub entity: String,
}

/// What a status category means for the claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusVerdict {
    /// A0, A1, A2, A5: received or accepted for adjudication.
    Accepted,
    /// A3, A4, A6, A7, A8, E0, E3, E4: rejected; it must be corrected and sent again.
    Rejected,
    /// Anything else: no verdict yet.
    Pending,
}

impl StatusCode {
    pub fn verdict(&self) -> StatusVerdict {
        match self.category.as_str() {
            "A0" | "A1" | "A2" | "A5" => StatusVerdict::Accepted,
            "A3" | "A4" | "A6" | "A7" | "A8" | "E0" | "E3" | "E4" => StatusVerdict::Rejected,
            _ => StatusVerdict::Pending,
        }
    }

    pub fn describe(&self) -> String {
        format!(
            "{}:{}:{} ({})",
            self.category,
            self.status,
            self.entity,
            status_category(&self.category)
        )
    }
}

/// The worst verdict of a list: one rejection rejects.
pub(crate) fn verdict_of(statuses: &[StatusCode]) -> StatusVerdict {
    let verdicts = statuses.iter().map(StatusCode::verdict);
    if verdicts.clone().any(|v| v == StatusVerdict::Rejected) {
        StatusVerdict::Rejected
    } else if verdicts.clone().count() > 0 && verdicts.clone().all(|v| v == StatusVerdict::Accepted)
    {
        StatusVerdict::Accepted
    } else {
        StatusVerdict::Pending
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineAcknowledgment {
    /// SVC01-2.
    pub code: String,
    /// REF*FJ: our REF*6R, echoed.
    pub control_number: Option<String>,
    pub statuses: Vec<StatusCode>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClaimAcknowledgment {
    /// TRN02 at the patient level: our CLM01.
    pub claim_id: String,
    pub verdict: StatusVerdict,
    pub statuses: Vec<StatusCode>,
    /// STC04: the total the payer read.
    pub amount: String,
    /// REF*1K.
    pub payer_claim_number: Option<String>,
    pub lines: Vec<LineAcknowledgment>,
    /// STC of the billing provider level (HL 19) above the claim: a provider rejected as a
    /// whole (not enrolled, say) rejects claims that carry no verdict of their own.
    pub provider_statuses: Vec<StatusCode>,
}

#[derive(Debug)]
pub(crate) struct Builder {
    control: String,
    level: String,
    batch_status: Vec<StatusCode>,
    provider_status: Vec<StatusCode>,
    claims: Vec<ClaimAcknowledgment>,
}

fn statuses(segment: &Segment<'_>) -> Vec<StatusCode> {
    // STC01, and STC10 and STC11 for further statuses of the same claim.
    [1, 10, 11]
        .into_iter()
        .filter(|n| !segment.element(*n).is_empty())
        .map(|n| StatusCode {
            category: segment.component(n, 1).to_owned(),
            status: segment.component(n, 2).to_owned(),
            entity: segment.component(n, 3).to_owned(),
        })
        .collect()
}

impl Builder {
    pub(crate) fn new(control: &str) -> Self {
        Self {
            control: control.to_owned(),
            level: String::new(),
            batch_status: Vec::new(),
            provider_status: Vec::new(),
            claims: Vec::new(),
        }
    }

    pub(crate) fn feed(&mut self, segment: &Segment<'_>) -> Result<(), X12Error> {
        match (segment.id(), self.level.as_str()) {
            ("HL", _) => {
                self.level = required(segment, 3)?.to_owned();
                if self.level == "19" {
                    self.provider_status.clear();
                }
            }
            ("TRN", "PT") => self.claims.push(ClaimAcknowledgment {
                claim_id: required(segment, 2)?.to_owned(),
                verdict: StatusVerdict::Pending,
                statuses: Vec::new(),
                amount: String::new(),
                payer_claim_number: None,
                lines: Vec::new(),
                provider_statuses: self.provider_status.clone(),
            }),
            ("STC", "21") => self.batch_status.extend(statuses(segment)),
            ("STC", "19") => self.provider_status.extend(statuses(segment)),
            ("STC", "PT") => {
                let claim = self.claim(segment)?;
                match claim.lines.last_mut() {
                    Some(line) => line.statuses.extend(statuses(segment)),
                    None => {
                        claim.statuses.extend(statuses(segment));
                        if claim.amount.is_empty() {
                            claim.amount = segment.element(4).to_owned();
                        }
                    }
                }
            }
            ("REF", "PT") => {
                let value = segment.element(2).to_owned();
                let qualifier = segment.element(1);
                let claim = self.claim(segment)?;
                match (qualifier, claim.lines.last_mut()) {
                    ("FJ", Some(line)) => line.control_number = Some(value),
                    ("1K", None) => claim.payer_claim_number = Some(value),
                    _ => {}
                }
            }
            ("SVC", "PT") => {
                let code = segment.component(1, 2).to_owned();
                self.claim(segment)?.lines.push(LineAcknowledgment {
                    code,
                    control_number: None,
                    statuses: Vec::new(),
                });
            }
            ("BHT" | "NM1" | "TRN" | "STC" | "DTP" | "QTY" | "AMT" | "REF", _) => {}
            (other, _) => {
                return Err(structure(
                    segment,
                    format!("{other} is not a segment of the 277CA"),
                ));
            }
        }
        Ok(())
    }

    fn claim(&mut self, segment: &Segment<'_>) -> Result<&mut ClaimAcknowledgment, X12Error> {
        self.claims
            .last_mut()
            .ok_or_else(|| structure(segment, "claim detail before the patient level's TRN"))
    }

    pub(crate) fn finish(mut self, _se: &Segment<'_>) -> Result<super::ClaimsAck, X12Error> {
        for claim in &mut self.claims {
            let line_statuses: Vec<StatusCode> = claim
                .lines
                .iter()
                .flat_map(|l| l.statuses.iter().cloned())
                .collect();
            claim.verdict = match verdict_of(&claim.statuses) {
                StatusVerdict::Pending if !line_statuses.is_empty() => verdict_of(&line_statuses),
                StatusVerdict::Pending
                    if verdict_of(&claim.provider_statuses) == StatusVerdict::Rejected =>
                {
                    StatusVerdict::Rejected
                }
                verdict => verdict,
            };
        }
        Ok(super::ClaimsAck {
            control: self.control,
            batch_status: self.batch_status,
            claims: self.claims,
        })
    }
}
