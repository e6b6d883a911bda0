//! Reading an 835 and posting it: every claim is assessed (causes and explanations from the
//! category map) and handed to a [`RemitSink`] as it streams (the CLI prints; the server will
//! answer a request), and with a [`RemittancePoster`] each claim is linked to what we
//! submitted and posted. A file is posted in one database transaction: whole or not at all.
//! A payment already posted (same payer, same trace number) is reported and skipped.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;

use chrono::{DateTime, Utc};
use cleanclaim_model::Cents;
use cleanclaim_remit::{Category, CategoryMap, ClaimOutcome, LineLink, Submitted, assess, link};
use cleanclaim_store::{
    AuditEvent, PostedAdjustment, PostedClaim, Posting, ProviderAdjustmentRecord, RemittanceId,
    RemittanceRecord, Started, Store, StoreError,
};
use cleanclaim_x12::ReadError;
use cleanclaim_x12::x835::{
    ClaimPayment, ClaimStatus, PayeeIds, Payment, ProviderAdjustment, RemitItem, RemitReader,
    TransactionTotals,
};

/// Claims looked up and inserted together when posting.
const BATCH: usize = 500;

/// Where the items of an 835 go as they are read.
pub trait RemitSink {
    /// A payment; `already_posted` is when, if this payment was posted before.
    fn payment(
        &mut self,
        payment: &Payment,
        already_posted: Option<DateTime<Utc>>,
    ) -> std::io::Result<()>;
    fn claim(&mut self, claim: &ClaimPayment, outcome: &ClaimOutcome<'_>) -> std::io::Result<()>;
    fn provider_adjustment(&mut self, adjustment: &ProviderAdjustment) -> std::io::Result<()>;
    fn end(&mut self, totals: &TransactionTotals) -> std::io::Result<()>;
}

/// What the files read so far said, for the summary and the exit code.
#[derive(Debug, Default, Clone)]
pub struct RemitTally {
    pub claims: usize,
    pub denied: usize,
    /// Paid, but some lines denied.
    pub partly_denied: usize,
    pub review: usize,
    /// Payments already posted, skipped.
    pub duplicates: usize,
    pub unbalanced: usize,
    pub paid_cents: Cents,
    /// Claims and denied cents per root cause.
    pub denied_by_cause: BTreeMap<Category, (usize, Cents)>,
    /// Claims posted, when posting.
    pub posted: Option<usize>,
}

impl RemitTally {
    fn count(&mut self, outcome: &ClaimOutcome<'_>) {
        self.claims += 1;
        self.paid_cents += outcome.paid_cents;
        self.denied += usize::from(outcome.denied);
        self.partly_denied += usize::from(!outcome.denied && outcome.cause.is_some());
        self.review += usize::from(!outcome.is_clean());
        if let Some(cause) = outcome.cause {
            let entry = self.denied_by_cause.entry(cause).or_default();
            entry.0 += 1;
            entry.1 += outcome.denied_cents;
        }
    }

    /// Whether anything needs a biller: a denial, a claim to review, a payment seen before,
    /// a transaction that does not balance.
    pub fn has_findings(&self) -> bool {
        self.denied + self.partly_denied + self.review + self.duplicates + self.unbalanced > 0
    }
}

/// What posting one file did.
#[derive(Debug, Clone, Copy, Default)]
pub struct PostingCounts {
    pub posted: usize,
    /// Claims whose CLP01 is not a claim this provider submitted.
    pub unmatched_claims: usize,
    /// Lines of our claims that could not be placed.
    pub unmatched_lines: usize,
    /// Claims the assessment found clean that linking sends to review.
    pub review_added: usize,
}

/// What reading one file found besides its items.
#[derive(Debug, Default)]
pub struct FileResult {
    pub posting: Option<PostingCounts>,
    /// Envelope counts and control numbers that do not match (reading went on).
    pub envelope_findings: Vec<String>,
    /// Findings beyond those listed.
    pub more_findings: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum RemitError {
    /// The file cannot be read on; with a poster, nothing of it is posted.
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The sink could not take an item (its output failed).
    #[error("writing the report: {0}")]
    Sink(#[from] std::io::Error),
}

/// Reads one 835 from `input`, handing every item to `sink` and counting it in `tally`; with
/// a `poster`, posts the file and commits it at the end (an error rolls everything back).
pub async fn read_remittance(
    input: impl Read,
    map: &CategoryMap,
    mut poster: Option<RemittancePoster<'_, '_>>,
    sink: &mut impl RemitSink,
    tally: &mut RemitTally,
) -> Result<FileResult, RemitError> {
    let mut reader = RemitReader::new(input);
    if let Err(error) = read_items(&mut reader, map, poster.as_mut(), sink, tally).await {
        if let Some(poster) = poster {
            // Nothing of a file that could not be read whole stays posted.
            let _ = poster.posting.rollback().await;
        }
        return Err(error);
    }
    let (findings, more) = reader.findings();
    let mut result = FileResult {
        posting: None,
        envelope_findings: findings.iter().map(ToString::to_string).collect(),
        more_findings: more,
    };
    if let Some(poster) = poster {
        let counts = poster.commit().await?;
        tally.posted = Some(tally.posted.unwrap_or(0) + counts.posted);
        tally.review += counts.review_added;
        result.posting = Some(counts);
    }
    Ok(result)
}

async fn read_items<'m, R: Read>(
    reader: &mut RemitReader<R>,
    map: &'m CategoryMap,
    mut poster: Option<&mut RemittancePoster<'_, 'm>>,
    sink: &mut impl RemitSink,
    tally: &mut RemitTally,
) -> Result<(), RemitError> {
    let mut skipping = false;
    while let Some(item) = reader.next_item()? {
        match item {
            RemitItem::Payment(payment) => {
                skipping = false;
                let mut already_posted = None;
                if let Some(poster) = poster.as_deref_mut()
                    && let Started::Duplicate { posted_at } = poster.start(&payment).await?
                {
                    skipping = true;
                    tally.duplicates += 1;
                    already_posted = Some(posted_at);
                }
                sink.payment(&payment, already_posted)?;
            }
            RemitItem::Claim(claim) => {
                let outcome = assess(&claim, map);
                tally.count(&outcome);
                sink.claim(&claim, &outcome)?;
                match poster.as_deref_mut() {
                    Some(poster) if !skipping => poster.push(*claim, outcome).await?,
                    // Reported and done with: its storage serves the next claim.
                    _ => reader.recycle(claim),
                }
            }
            RemitItem::ProviderAdjustment(adjustment) => {
                sink.provider_adjustment(&adjustment)?;
                if let Some(poster) = poster.as_deref_mut().filter(|_| !skipping) {
                    poster
                        .provider_adjustment(ProviderAdjustmentRecord {
                            provider_id: adjustment.provider_id,
                            reason: adjustment.reason,
                            reference: adjustment.reference,
                            amount_cents: adjustment.amount_cents.0,
                        })
                        .await?;
                }
            }
            RemitItem::End(totals) => {
                if !totals.imbalance_cents().is_zero() {
                    tally.unbalanced += 1;
                }
                sink.end(&totals)?;
                if let Some(poster) = poster.as_deref_mut() {
                    poster.flush().await?;
                }
            }
        }
    }
    Ok(())
}

/// Posts one file in one transaction. Dropped without [`RemittancePoster::commit`] (an
/// error half way), the transaction is rolled back by the store: nothing of the file stays.
pub struct RemittancePoster<'s, 'm> {
    store: &'s Store,
    posting: Posting,
    current: Option<RemittanceId>,
    next_seq: i32,
    batch: Vec<(ClaimPayment, ClaimOutcome<'m>)>,
    counts: PostingCounts,
    /// Who the current payment paid: claims link only to that provider's submissions.
    payee: PayeeIds,
    /// The audit event of the caller posting (the service); its claims are audited with it.
    audit: Option<AuditEvent>,
    claim_ids: Vec<String>,
}

impl std::fmt::Debug for RemittancePoster<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemittancePoster")
            .field("current", &self.current)
            .field("buffered", &self.batch.len())
            .field("counts", &self.counts)
            .finish_non_exhaustive()
    }
}

impl<'s, 'm> RemittancePoster<'s, 'm> {
    /// Opens the file's transaction.
    pub async fn begin(store: &'s Store) -> Result<Self, StoreError> {
        Ok(Self {
            store,
            posting: store.begin_posting().await?,
            current: None,
            next_seq: 0,
            batch: Vec::new(),
            counts: PostingCounts::default(),
            payee: PayeeIds::default(),
            audit: None,
            claim_ids: Vec::new(),
        })
    }

    /// Audits the posting as `event` (and each claim it posts), in its transaction.
    pub fn audited_as(mut self, event: AuditEvent) -> Self {
        self.audit = Some(event);
        self
    }

    /// Starts a payment; `Duplicate` means its claims are to be skipped.
    async fn start(&mut self, payment: &Payment) -> Result<Started, StoreError> {
        self.flush().await?;
        let record = RemittanceRecord {
            payer_key: payment.payer_key(),
            trace_number: &payment.trace_number,
            payer_name: &payment.payer.name,
            payment_cents: payment.total_cents.0,
            payment_date: payment.payment_date,
            method: &payment.method,
        };
        let started = self.posting.start(&record).await?;
        self.current = match started {
            Started::New(id) => Some(id),
            Started::Duplicate { .. } => None,
        };
        self.next_seq = 0;
        self.payee = payment.payee_ids();
        Ok(started)
    }

    async fn push(
        &mut self,
        claim: ClaimPayment,
        outcome: ClaimOutcome<'m>,
    ) -> Result<(), StoreError> {
        if self.audit.is_some() {
            self.claim_ids
                .push(claim.patient_control_number.to_string());
        }
        self.batch.push((claim, outcome));
        if self.batch.len() >= BATCH {
            self.flush().await?;
        }
        Ok(())
    }

    async fn provider_adjustment(
        &mut self,
        adjustment: ProviderAdjustmentRecord,
    ) -> Result<(), StoreError> {
        let Some(id) = self.current else {
            return Ok(());
        };
        self.posting.add_provider_adjustment(id, &adjustment).await
    }

    /// Links the buffered claims to our submissions and inserts them.
    async fn flush(&mut self) -> Result<(), StoreError> {
        let Some(id) = self.current else {
            self.batch.clear();
            return Ok(());
        };
        if self.batch.is_empty() {
            return Ok(());
        }
        let ids: Vec<String> = self
            .batch
            .iter()
            .map(|(c, _)| c.patient_control_number.to_string())
            .collect();
        let submitted = self
            .store
            .line_controls_of(&ids, &self.payee.npi, &self.payee.tax_id)
            .await?;
        let batch = std::mem::take(&mut self.batch);
        let posted: Vec<PostedClaim> = batch
            .into_iter()
            .map(|(claim, outcome)| self.posted_claim(&submitted, &claim, &outcome))
            .collect();
        let first = self.next_seq;
        self.next_seq += i32::try_from(posted.len()).unwrap_or(i32::MAX);
        self.posting.add_claims(id, first, &posted).await
    }

    /// One claim as it is stored: linked to our claim and lines, with its adjustments.
    fn posted_claim(
        &mut self,
        submitted: &HashMap<String, Vec<String>>,
        claim: &ClaimPayment,
        outcome: &ClaimOutcome<'_>,
    ) -> PostedClaim {
        let ours = submitted
            .get_key_value(claim.patient_control_number.as_str())
            .map(|(id, lines)| Submitted {
                claim_id: id,
                line_controls: lines,
            });
        let linked = link(claim, ours);
        self.counts.posted += 1;
        match &linked.claim_id {
            None => self.counts.unmatched_claims += 1,
            Some(_) => {
                self.counts.unmatched_lines += linked
                    .lines
                    .iter()
                    .filter(|l| **l == LineLink::Unmatched)
                    .count();
            }
        }
        let needs_review = !outcome.is_clean() || !linked.is_complete();
        if outcome.is_clean() && needs_review {
            self.counts.review_added += 1;
        }
        let line_control = |line: Option<usize>| {
            let index = line?;
            let remit_line = claim.lines.get(index)?;
            match linked.lines.get(index)? {
                LineLink::Control(_) => remit_line.control_number.as_ref().map(ToString::to_string),
                LineLink::Position(ours) => submitted
                    .get(claim.patient_control_number.as_str())?
                    .get(*ours)
                    .cloned(),
                LineLink::Unmatched => None,
            }
        };
        PostedClaim {
            claim_id: claim.patient_control_number.to_string(),
            matched: linked.claim_id.is_some(),
            status: claim.status.map_or("", ClaimStatus::code).to_owned(),
            charge_cents: claim.charge_cents.0,
            paid_cents: claim.paid_cents.0,
            patient_responsibility_cents: claim.patient_responsibility_cents.0,
            payer_claim_number: claim.payer_claim_number.to_string(),
            denied: outcome.denied,
            denied_lines: i32::try_from(outcome.denied_lines).unwrap_or(i32::MAX),
            denied_cents: outcome.denied_cents.0,
            cause: outcome.cause.map(|c| c.name().to_owned()),
            needs_review,
            adjustments: outcome
                .adjustments
                .iter()
                .map(|a| PostedAdjustment {
                    line_control: line_control(a.line),
                    group: a.group.code().to_owned(),
                    reason: a.reason.to_string(),
                    amount_cents: a.amount_cents.0,
                    category: a.category.name().to_owned(),
                })
                .collect(),
        }
    }

    /// Commits everything posted.
    async fn commit(mut self) -> Result<PostingCounts, StoreError> {
        self.flush().await?;
        if let Some(event) = &self.audit {
            self.posting.audit_claims(event, &self.claim_ids).await?;
        }
        self.posting.commit().await?;
        Ok(self.counts)
    }
}
