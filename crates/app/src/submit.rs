//! Submitting a batch as an 837P, in two steps so that nothing touches the database until
//! there is something to bill:
//!
//! 1. [`prepare`] scrubs the batch, builds a claim for every ready-to-bill encounter and writes
//!    each claim alone, so that an encounter whose data the file cannot carry is left out (with
//!    its reason) instead of stopping the batch.
//! 2. [`submit`] marks replacements and voids, leaves out originals this sender already sent,
//!    reserves control numbers, writes the file, hands it to a [`Delivery`] and records the
//!    claims as submitted only once it is delivered (withdrawing it if recording fails).
//!
//! One bad encounter does not block the batch unless `all_or_nothing` asks it to.

use chrono::NaiveDateTime;
use cleanclaim_billing::{Engine, Queue};
use std::collections::BTreeSet;

use cleanclaim_model::{Encounter, EncounterError, parse_encounter};
use cleanclaim_scrub::{ContextData, ScrubOptions, ScrubResult, Scrubber};
use cleanclaim_store::{Scope, Store, StoreError, SubmittedClaim};
use cleanclaim_x12::Delimiters;
use cleanclaim_x12::x837::{
    BillingProfile, Claim, ClaimFrequency, ControlNumbers, WriteError, WriteOptions,
    transaction_of, transactions_needed, write_837p,
};

use crate::claim::build_claims_from;
use crate::claim_basis::ClaimBasis;
use crate::stored::{context_of, parse_all};

/// A ready-to-bill encounter that is not in the file, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unbilled {
    pub encounter: String,
    pub reason: String,
}

/// A claim to send as a replacement or a void rather than an original.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resubmit {
    pub claim_id: String,
    pub frequency: ClaimFrequency,
    /// The payer's number of the claim it replaces; `None` takes it from the latest posted 835.
    pub payer_claim_number: Option<String>,
}

/// The scrubbed batch, with the claims that can be written.
#[derive(Debug)]
pub struct Prepared {
    /// Each claim with the encounter it came from (a visit of more than 50 lines is several).
    claims: Vec<(String, Claim)>,
    /// Encounters per work queue other than `ready_to_bill`, in the order first met.
    pub held: Vec<(Queue, usize)>,
    pub unbilled: Vec<Unbilled>,
}

impl Prepared {
    /// The encounters whose claims were built, once each.
    pub fn encounter_ids(&self) -> Vec<String> {
        let ids: BTreeSet<&String> = self.claims.iter().map(|(id, _)| id).collect();
        ids.into_iter().cloned().collect()
    }

    /// The claims built, in the order they will be written.
    pub fn claims(&self) -> impl Iterator<Item = &Claim> {
        self.claims.iter().map(|(_, claim)| claim)
    }

    /// Whether any claim can be written.
    pub fn has_claims(&self) -> bool {
        !self.claims.is_empty()
    }

    pub fn held_total(&self) -> usize {
        self.held.iter().map(|(_, n)| n).sum()
    }

    /// Encounters left out so far (an encounter split into several claims counts once).
    pub fn unbilled_encounters(&self) -> usize {
        distinct_encounters(&self.unbilled)
    }
}

fn distinct_encounters(unbilled: &[Unbilled]) -> usize {
    let mut names: Vec<&str> = unbilled.iter().map(|u| u.encounter.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    names.len()
}

/// What [`submit`] did.
#[derive(Debug)]
pub struct SubmitReport {
    /// The claims in the file, in file order (empty when nothing was written).
    pub claims: Vec<Claim>,
    /// ISA13 of the file, when one was written.
    pub interchange: Option<u64>,
    pub held: Vec<(Queue, usize)>,
    pub unbilled: Vec<Unbilled>,
    /// Originals this sender had already submitted, left out (claim ids).
    pub already_submitted: Vec<String>,
    /// The kept file's id, when the delivery asked the store to keep it.
    pub batch: Option<i64>,
}

impl SubmitReport {
    pub fn held_total(&self) -> usize {
        self.held.iter().map(|(_, n)| n).sum()
    }

    /// Encounters left out (an encounter split into several claims counts once).
    pub fn unbilled_encounters(&self) -> usize {
        distinct_encounters(&self.unbilled)
    }
}

/// Where a written file goes: a path (the CLI), a blob or a clearinghouse upload (the
/// server). `withdraw` undoes a delivery whose claims could not be recorded.
pub trait Delivery {
    fn deliver(&mut self, text: &str) -> std::io::Result<()>;
    fn withdraw(&mut self);
    /// Whether the store keeps the file itself (the service's downloads), recorded in the
    /// transaction that records its claims; `None` for a delivery that holds it elsewhere.
    fn keep_in_store(&self) -> Option<&Keep> {
        None
    }
}

/// What the store keeps with a file it keeps: who made it, their clinics, and the audit event
/// of each encounter billed (by encounter id; only the ones the file carries are kept).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Keep {
    pub created_by: String,
    pub clinics: Option<Vec<String>>,
    pub events: std::collections::BTreeMap<String, cleanclaim_store::AuditEvent>,
}

#[derive(Debug, Clone)]
pub struct SubmitOptions {
    pub resubmissions: Vec<Resubmit>,
    /// Send originals this sender already submitted again (they are left out otherwise).
    pub allow_resend: bool,
    /// Write nothing unless every ready-to-bill encounter becomes a claim.
    pub all_or_nothing: bool,
    /// A line break after each segment.
    pub line_breaks: bool,
    /// The file's creation time (ISA09/ISA10, GS04/GS05, BHT04/BHT05).
    pub created: NaiveDateTime,
}

#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    #[error("the billing profile cannot be written: {0}")]
    Profile(WriteError),
    #[error(
        "resubmission of claim {claim_id}: no ready-to-bill encounter in this run becomes that claim; no claims written"
    )]
    UnknownResubmission { claim_id: String },
    #[error(
        "resubmission of claim {claim_id}: no payer claim number in the file and no posted 835 gives one; no claims written"
    )]
    NoPayerClaimNumber { claim_id: String },
    #[error(
        "{count} ready-to-bill encounter(s) cannot be billed; no claims written (--all-or-nothing)"
    )]
    NotAll { count: usize },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("writing the 837P: {0}")]
    Write(WriteError),
    #[error("delivering the 837P; no claims written: {0}")]
    Deliver(std::io::Error),
    #[error("recording the submission; the file was withdrawn and no claims are recorded: {0}")]
    Record(StoreError),
    /// A stored context record no longer reads.
    #[error("stored context record {key} version {version} cannot be read: {reason}")]
    StoredContext {
        key: String,
        version: i32,
        reason: String,
    },
    /// A stored record no longer reads as an encounter.
    #[error("stored encounter {encounter_id} version {version} cannot be read: {source}")]
    StoredRecord {
        encounter_id: String,
        version: i32,
        source: EncounterError,
    },
}

/// Patients whose stored visits a stored claims run scrubs at a time.
const PATIENTS_PER_CHUNK: usize = 500;

/// Scrubs `encounters` and builds the claims of the ready-to-bill ones; see the module docs.
pub fn prepare(
    engine: &Engine,
    context: ContextData,
    encounters: &[Encounter],
    profile: &BillingProfile,
) -> Result<Prepared, SubmitError> {
    prepare_with(
        engine,
        context,
        encounters,
        profile,
        ScrubOptions::default(),
    )
}

/// [`prepare`] with scrub options: the date timely filing is judged as of, a forced pack or
/// unit method.
pub fn prepare_with(
    engine: &Engine,
    context: ContextData,
    encounters: &[Encounter],
    profile: &BillingProfile,
    options: ScrubOptions<'_>,
) -> Result<Prepared, SubmitError> {
    let mut scrubber = Scrubber::new(engine, context, options);
    let results = scrubber.scrub_batch(encounters);
    let mut prepared = Prepared {
        claims: Vec::new(),
        held: Vec::new(),
        unbilled: Vec::new(),
    };
    for (encounter, result) in encounters.iter().zip(&results) {
        add_encounter(&mut prepared, encounter, result);
    }
    leave_out_unwritable(profile, &mut prepared)?;
    Ok(prepared)
}

/// The stored encounters that are ready to bill and not yet billed, built into claims from
/// their stored scrub results (the lines the work queue shows; see [`crate::claim_basis`]).
/// A result that cannot be billed as stored (no lines kept, another version of the record,
/// another pack now) has its patient's stored visits scrubbed again with their stored context
/// records, so the history is the one the intake saw; the patient's other visits are history
/// only: they are neither billed nor counted as held.
pub async fn prepare_stored(
    store: &Store,
    engine: &Engine,
    profile: &BillingProfile,
) -> Result<Prepared, SubmitError> {
    prepare_stored_within(store, engine, profile, &Scope::everything()).await
}

/// As [`prepare_stored`], for the ready encounters within a scope (a biller bills their own
/// clinics' visits).
pub async fn prepare_stored_within(
    store: &Store,
    engine: &Engine,
    profile: &BillingProfile,
    scope: &Scope,
) -> Result<Prepared, SubmitError> {
    prepare_stored_as_of(store, engine, profile, scope, None).await
}

/// As [`prepare_stored_within`], judging timely filing as of `as_of` when it is given: a
/// ready visit past its payer's limit is held, not billed. Run [`crate::judge_filing`] first
/// so the store's queues say so too.
pub async fn prepare_stored_as_of(
    store: &Store,
    engine: &Engine,
    profile: &BillingProfile,
    scope: &Scope,
    as_of: Option<chrono::NaiveDate>,
) -> Result<Prepared, SubmitError> {
    let ready = store.unbilled_ready_within(scope).await?;
    let options = ScrubOptions {
        as_of,
        ..ScrubOptions::default()
    };
    prepare_targets(store, engine, profile, ready, false, options).await
}

/// Observe mode, as a clinic runs cleanclaim beside its old process before trusting it: every
/// stored encounter not yet billed is built into claims as documented, held or not (the holds
/// are recorded, not acted on). Encounters whose data a claim cannot carry are still left out.
pub async fn prepare_stored_as_documented(
    store: &Store,
    engine: &Engine,
    profile: &BillingProfile,
) -> Result<Prepared, SubmitError> {
    let unbilled = store.unbilled_within(&Scope::everything()).await?;
    prepare_targets(
        store,
        engine,
        profile,
        unbilled,
        true,
        ScrubOptions::default(),
    )
    .await
}

async fn prepare_targets(
    store: &Store,
    engine: &Engine,
    profile: &BillingProfile,
    candidates: Vec<String>,
    as_documented: bool,
    options: ScrubOptions<'_>,
) -> Result<Prepared, SubmitError> {
    // A set: a store of a million visits has about as many billed, and a list made this
    // filter quadratic (it took most of a demo's time).
    let billed: BTreeSet<String> = store
        .billed_encounters(&candidates)
        .await?
        .into_iter()
        .collect();
    let targets: BTreeSet<String> = candidates
        .into_iter()
        .filter(|id| !billed.contains(id))
        .collect();
    let mut prepared = Prepared {
        claims: Vec::new(),
        held: Vec::new(),
        unbilled: Vec::new(),
    };
    if targets.is_empty() {
        return Ok(prepared);
    }
    let ids: Vec<String> = targets.iter().cloned().collect();
    let (mut decided, rescrub) = from_stored_results(store, engine, &ids, &options).await?;
    if !rescrub.is_empty() {
        decided.extend(scrub_again(store, engine, &rescrub, &targets, options).await?);
    }
    // The order a scrub of the patients would give: by patient, date and id.
    decided.sort_by(|a, b| visit_order(&a.0).cmp(&visit_order(&b.0)));
    for (encounter, queue, basis) in &decided {
        if *queue != Queue::ReadyToBill {
            count_held(&mut prepared, *queue);
            if !as_documented {
                continue;
            }
        }
        build_into(&mut prepared, encounter, basis);
    }
    leave_out_unwritable(profile, &mut prepared)?;
    Ok(prepared)
}

/// A target's record, the queue its scrub put it in, and what its claim is built from.
type Decided = (Encounter, Queue, ClaimBasis);

fn visit_order(encounter: &Encounter) -> (&str, chrono::NaiveDate, &str) {
    (
        encounter.patient.id.as_str(),
        encounter.date_of_service,
        encounter.id.as_str(),
    )
}

/// The targets whose stored result can be billed as it is (see [`crate::claim_basis`]), and
/// the patients of the others, to scrub again.
async fn from_stored_results(
    store: &Store,
    engine: &Engine,
    targets: &[String],
    options: &ScrubOptions<'_>,
) -> Result<(Vec<Decided>, Vec<String>), SubmitError> {
    // Options that change the scrub (a forced pack or unit method, filing judged as of a
    // date) are not what the stored results were made with.
    let plain = options.pack.is_none() && options.unit_method.is_none() && options.as_of.is_none();
    let mut decided = Vec::new();
    let mut rescrub: BTreeSet<String> = BTreeSet::new();
    for stored in store.latest_with_results(targets).await? {
        let encounter =
            parse_encounter(&stored.record).map_err(|source| SubmitError::StoredRecord {
                encounter_id: stored.encounter_id.clone(),
                version: stored.version,
                source,
            })?;
        let (pack, _) = engine.packs().select(&encounter);
        let usable = plain
            && stored.result_version == stored.version
            && stored.pack_id == pack.id
            && stored.pack_version == pack.version;
        let kept = usable
            .then(|| {
                let queue = Queue::ALL.into_iter().find(|q| q.name() == stored.queue)?;
                let basis = ClaimBasis::from_stored(stored.claim_basis.as_deref()?)?;
                Some((queue, basis))
            })
            .flatten();
        match kept {
            Some((queue, basis)) => decided.push((encounter, queue, basis)),
            None => {
                rescrub.insert(stored.patient_id);
            }
        }
    }
    // A patient scrubbed again has all of their targets decided by that scrub.
    decided.retain(|(encounter, _, _)| !rescrub.contains(&encounter.patient.id));
    Ok((decided, rescrub.into_iter().collect()))
}

/// Scrubs every stored visit of `patients` again, with their stored context records (so
/// their history is the one the intake saw), and decides the `targets` among them. Their
/// other visits are history only.
async fn scrub_again(
    store: &Store,
    engine: &Engine,
    patients: &[String],
    targets: &BTreeSet<String>,
    options: ScrubOptions<'_>,
) -> Result<Vec<Decided>, SubmitError> {
    let mut decided = Vec::new();
    // A few hundred patients at a time: memory holds their visits, not every stored visit.
    for patients in patients.chunks(PATIENTS_PER_CHUNK) {
        let visits = parse_all(&store.latest_encounters_of(patients).await?).map_err(|e| {
            SubmitError::StoredRecord {
                encounter_id: e.encounter_id,
                version: e.version,
                source: e.source,
            }
        })?;
        let context = context_of(store.latest_context_of(patients).await?).map_err(|e| {
            SubmitError::StoredContext {
                key: e.key,
                version: e.version,
                reason: e.reason,
            }
        })?;
        let mut scrubber = Scrubber::new(engine, context, options);
        let results = scrubber.scrub_batch(&visits);
        let decisions: Vec<(Queue, ClaimBasis)> = results
            .iter()
            .map(|result| (result.queue, ClaimBasis::of(&result.derivation)))
            .collect();
        for (encounter, (queue, basis)) in visits.into_iter().zip(decisions) {
            if targets.contains(&encounter.id) {
                decided.push((encounter, queue, basis));
            }
        }
    }
    Ok(decided)
}

/// Counts a held encounter, or builds the claims of a ready one.
fn add_encounter(prepared: &mut Prepared, encounter: &Encounter, result: &ScrubResult<'_>) {
    if result.queue != Queue::ReadyToBill {
        count_held(prepared, result.queue);
        return;
    }
    build_into(prepared, encounter, &ClaimBasis::of(&result.derivation));
}

fn count_held(prepared: &mut Prepared, queue: Queue) {
    match prepared.held.iter_mut().find(|(q, _)| *q == queue) {
        Some((_, n)) => *n += 1,
        None => prepared.held.push((queue, 1)),
    }
}

fn build_into(prepared: &mut Prepared, encounter: &Encounter, basis: &ClaimBasis) {
    match build_claims_from(encounter, basis, None) {
        Ok(built) => prepared
            .claims
            .extend(built.into_iter().map(|c| (encounter.id.clone(), c))),
        Err(err) => prepared.unbilled.push(Unbilled {
            encounter: encounter.id.clone(),
            reason: format!("{}: {}", err.field, err.reason),
        }),
    }
}

/// Writes each claim alone: a claim whose data the file cannot carry (a character X12
/// forbids, a value too long, a state that is not a state code) is left out with its
/// encounter's other claims. A problem of the file's own (the profile) is an error.
fn leave_out_unwritable(
    profile: &BillingProfile,
    prepared: &mut Prepared,
) -> Result<(), SubmitError> {
    let trial = WriteOptions {
        delimiters: Delimiters::default(),
        created: NaiveDateTime::default(),
        controls: ControlNumbers {
            interchange: 1,
            group: 1,
            first_transaction: 1,
        },
        line_breaks: false,
    };
    if prepared.claims.is_empty() {
        return Ok(());
    }
    // One trial of the whole file first: when every claim can be written (the usual case),
    // that is one file's work instead of a file per claim.
    let (encounters, claims): (Vec<String>, Vec<Claim>) =
        std::mem::take(&mut prepared.claims).into_iter().unzip();
    let whole = write_837p(profile, &claims, &trial);
    prepared.claims = encounters.into_iter().zip(claims).collect();
    match whole {
        Ok(_) => return Ok(()),
        Err(err) if err.claim().is_none() => return Err(SubmitError::Profile(err)),
        Err(_) => {}
    }
    let mut refused: Vec<String> = Vec::new();
    for (encounter, claim) in &prepared.claims {
        if let Err(err) = write_837p(profile, std::slice::from_ref(claim), &trial) {
            if err.claim().is_none() {
                return Err(SubmitError::Profile(err));
            }
            refused.push(encounter.clone());
            prepared.unbilled.push(Unbilled {
                encounter: encounter.clone(),
                reason: err.to_string(),
            });
        }
    }
    // Every claim of a refused encounter goes: half a visit is never billed.
    prepared
        .claims
        .retain(|(encounter, _)| !refused.contains(encounter));
    Ok(())
}

/// Submits what [`prepare`] built; see the module docs.
pub async fn submit(
    store: &Store,
    profile: &BillingProfile,
    prepared: Prepared,
    options: &SubmitOptions,
    delivery: &mut impl Delivery,
) -> Result<SubmitReport, SubmitError> {
    let Prepared {
        mut claims,
        held,
        mut unbilled,
    } = prepared;
    let sender = profile.interchange.sender_id.clone();
    mark_resubmissions(store, &options.resubmissions, &mut claims).await?;
    // With --allow-resend, the originals sent before go again, marked as deliberate resends
    // (the one-original rule exempts those only); without it they are left out.
    let (already_submitted, resent) = if options.allow_resend {
        let resent: BTreeSet<String> = store
            .already_submitted(&sender, &originals(&claims))
            .await?
            .into_iter()
            .collect();
        (Vec::new(), resent)
    } else {
        let sent = leave_out_sent(store, &sender, &mut claims, &mut unbilled).await?;
        (sent, BTreeSet::new())
    };
    let mut report = SubmitReport {
        claims: Vec::new(),
        interchange: None,
        held,
        unbilled,
        already_submitted,
        batch: None,
    };
    if options.all_or_nothing && !report.unbilled.is_empty() {
        return Err(SubmitError::NotAll {
            count: report.unbilled_encounters(),
        });
    }
    if claims.is_empty() {
        return Ok(report);
    }
    let billed_encounters: BTreeSet<String> = claims.iter().map(|(e, _)| e.clone()).collect();
    let claims: Vec<Claim> = claims.into_iter().map(|(_, claim)| claim).collect();
    let controls = store
        .reserve_controls(&sender, transactions_needed(claims.len()) as u64)
        .await?;
    let write = WriteOptions {
        delimiters: Delimiters::default(),
        created: options.created,
        controls,
        line_breaks: options.line_breaks,
    };
    // Reserved numbers a failed write leaves unused are a gap, never a repeat.
    let text = write_837p(profile, &claims, &write).map_err(SubmitError::Write)?;
    delivery.deliver(&text).map_err(SubmitError::Deliver)?;
    let submitted: Vec<SubmittedClaim> = claims
        .iter()
        .enumerate()
        .map(|(index, claim)| SubmittedClaim {
            claim_id: claim.id.clone(),
            frequency: claim.frequency.code().to_owned(),
            transaction_control: i64::try_from(transaction_of(controls, index)).unwrap_or(i64::MAX),
            total_cents: claim.total().0,
            line_controls: claim
                .lines
                .iter()
                .map(|l| l.control_number.clone())
                .collect(),
            billing_npi: profile.billing_provider.npi.to_string(),
            billing_tax_id: profile.billing_provider.tax_id.clone(),
            resend: resent.contains(&claim.id),
        })
        .collect();
    // The claims count as submitted only once the file is delivered; if they cannot be
    // recorded, the file is withdrawn, so nothing goes out that the store does not know of.
    // Stored encounters leave the ready-to-bill queue in the same transaction.
    let keep = delivery
        .keep_in_store()
        .map(|keep| cleanclaim_store::NewBatch {
            created_by: &keep.created_by,
            clinics: keep.clinics.as_deref(),
            x12: &text,
            events: billed_encounters
                .iter()
                .filter_map(|id| keep.events.get(id).cloned())
                .collect(),
        });
    let billed: Vec<String> = billed_encounters.iter().cloned().collect();
    match store
        .record_billing_kept(
            &sender,
            controls.interchange,
            &submitted,
            &billed,
            keep.as_ref(),
        )
        .await
    {
        Ok(batch) => report.batch = batch,
        Err(err) => {
            delivery.withdraw();
            return Err(SubmitError::Record(err));
        }
    }

    report.claims = claims;
    report.interchange = Some(controls.interchange);
    Ok(report)
}

/// Marks replacements and voids, with the payer's claim number given or from the latest
/// posted remittance.
async fn mark_resubmissions(
    store: &Store,
    resubmissions: &[Resubmit],
    claims: &mut [(String, Claim)],
) -> Result<(), SubmitError> {
    for resubmit in resubmissions {
        let Some((_, claim)) = claims.iter_mut().find(|(_, c)| c.id == resubmit.claim_id) else {
            return Err(SubmitError::UnknownResubmission {
                claim_id: resubmit.claim_id.clone(),
            });
        };
        let number = match &resubmit.payer_claim_number {
            Some(number) => number.clone(),
            None => store
                .payer_claim_number_of(&resubmit.claim_id)
                .await?
                .ok_or_else(|| SubmitError::NoPayerClaimNumber {
                    claim_id: resubmit.claim_id.clone(),
                })?,
        };
        claim.frequency = resubmit.frequency;
        claim.payer_claim_number = Some(number);
    }
    Ok(())
}

/// The ids of the claims sent as originals (not replacements or voids).
fn originals(claims: &[(String, Claim)]) -> Vec<String> {
    claims
        .iter()
        .filter(|(_, c)| c.frequency == ClaimFrequency::Original)
        .map(|(_, c)| c.id.clone())
        .collect()
}

/// Leaves out originals this sender already submitted (a payer denies a second original as a
/// duplicate, CARC 18), with every claim of their encounters; returns their claim ids.
async fn leave_out_sent(
    store: &Store,
    sender: &str,
    claims: &mut Vec<(String, Claim)>,
    unbilled: &mut Vec<Unbilled>,
) -> Result<Vec<String>, SubmitError> {
    let sent = store.already_submitted(sender, &originals(claims)).await?;
    if sent.is_empty() {
        return Ok(sent);
    }
    let mut encounters: Vec<String> = claims
        .iter()
        .filter(|(_, c)| sent.contains(&c.id))
        .map(|(e, _)| e.clone())
        .collect();
    encounters.dedup();
    claims.retain(|(e, _)| !encounters.contains(e));
    for encounter in encounters {
        unbilled.push(Unbilled {
            encounter,
            reason: "already submitted as an original by this sender".to_owned(),
        });
    }
    Ok(sent)
}
