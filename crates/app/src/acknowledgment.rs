//! Recording what TA1s, 999s and 277CAs said of the claims we sent: each verdict is tied to
//! our claims through the control numbers we recorded at submission (TA1: the interchange,
//! 999: the transaction set, 277CA: the claim id submitted by the sender the acknowledgment is
//! addressed to), and recorded once per acknowledgment.

use cleanclaim_store::{Acknowledgment as Recorded, Store, StoreError};
use cleanclaim_x12::ack::codes::{segment_error, set_error};
use cleanclaim_x12::ack::{AckFile, Acknowledgment, SetAck, StatusVerdict};

/// What recording one acknowledgment file did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AckPosting {
    /// Claim verdicts found (a rejected set or interchange rejects every claim it carried).
    pub verdicts: usize,
    /// Verdicts not recorded before.
    pub new: u64,
    /// Acknowledgments (or 277CA claims) that name nothing we submitted.
    pub unknown: usize,
}

/// One line on a transaction set's verdict: `837 set 0001: REJECTED (5: ...)`.
pub fn set_summary(set: &SetAck) -> String {
    let reasons: Vec<String> = set
        .errors
        .iter()
        .map(|e| format!("{e}: {}", set_error(e)))
        .collect();
    format!(
        "{} set {}: {}{}",
        set.code,
        set.control,
        if set.status.accepted() {
            "accepted"
        } else {
            "REJECTED"
        },
        if reasons.is_empty() {
            String::new()
        } else {
            format!(" ({})", reasons.join("; "))
        }
    )
}

/// Records the verdict of every claim of ours that `file` names.
pub async fn post_acknowledgments(store: &Store, file: &AckFile) -> Result<AckPosting, StoreError> {
    post_acknowledgments_audited(store, file, None).await
}

/// As [`post_acknowledgments`], audited as `audit` (and each claim acknowledged) in the same
/// transaction (the service).
pub async fn post_acknowledgments_audited(
    store: &Store,
    file: &AckFile,
    audit: Option<&cleanclaim_store::AuditEvent>,
) -> Result<AckPosting, StoreError> {
    let mut records = Vec::new();
    let mut unknown = 0;
    let number = |text: &str| text.trim().parse::<i64>().ok();
    for ack in &file.acknowledgments {
        match ack {
            Acknowledgment::Interchange(ta1) => {
                let ids = match number(&ta1.control) {
                    Some(control) => store.claims_in_interchange(&file.receiver, control).await?,
                    None => Vec::new(),
                };
                unknown += usize::from(ids.is_empty());
                records.extend(ids.into_iter().map(|claim_id| Recorded {
                    claim_id,
                    source: "TA1",
                    reference: format!("{}/{}", file.interchange_control, ta1.control),
                    accepted: ta1.accepted(),
                    detail: format!("TA1 {} note {}", ta1.status, ta1.note),
                }));
            }
            Acknowledgment::Functional(fa) => {
                for set in &fa.sets {
                    let ids = match number(&set.control) {
                        Some(control) => {
                            store.claims_in_transaction(&file.receiver, control).await?
                        }
                        None => Vec::new(),
                    };
                    unknown += usize::from(ids.is_empty());
                    for claim_id in ids {
                        let errors: Vec<String> = set
                            .segment_errors
                            .iter()
                            .filter(|e| e.claim_id.as_deref().is_none_or(|c| c == claim_id))
                            .map(|e| {
                                format!(
                                    "{}@{} {}",
                                    e.segment_id,
                                    e.position,
                                    segment_error(&e.code)
                                )
                            })
                            .collect();
                        records.push(Recorded {
                            reference: format!("{}/{}", file.interchange_control, fa.control),
                            source: "999",
                            accepted: set.status.accepted(),
                            detail: format!("{}; {}", set_summary(set), errors.join("; ")),
                            claim_id,
                        });
                    }
                }
            }
            Acknowledgment::Claims(ca) => {
                // Ours means submitted by the sender this acknowledgment is addressed to.
                let ids: Vec<String> = ca.claims.iter().map(|c| c.claim_id.clone()).collect();
                let known = store.already_submitted(&file.receiver, &ids).await?;
                for claim in &ca.claims {
                    if !known.contains(&claim.claim_id) {
                        unknown += 1;
                        continue;
                    }
                    if claim.verdict == StatusVerdict::Pending {
                        continue;
                    }
                    let statuses: Vec<String> =
                        claim.statuses.iter().map(|s| s.describe()).collect();
                    records.push(Recorded {
                        claim_id: claim.claim_id.clone(),
                        source: "277CA",
                        reference: format!("{}/{}", file.interchange_control, ca.control),
                        accepted: claim.verdict == StatusVerdict::Accepted,
                        detail: statuses.join("; "),
                    });
                }
            }
        }
    }
    let new = store
        .record_acknowledgments_audited(&records, audit)
        .await?;
    Ok(AckPosting {
        verdicts: records.len(),
        new,
        unknown,
    })
}
