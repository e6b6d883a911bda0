//! The demo's workflow: a synthetic organization's months run through the same intake, scrub,
//! submit and posting as the command line and the service, against the payer simulator, on a
//! simulated clock (so lags, ages and days in A/R come out as over real months).
//!
//! Two periods:
//! - **baseline**: the scrubber observes. Claims go out as documented, held or not, as a
//!   clinic's old process would send them; the holds are recorded, nobody works them.
//! - **worked**: billers work the holds before billing. A held visit whose defect is in the
//!   record is corrected (a new version), an authorization hold is covered by the extension or
//!   retro-authorization the payer grants; only ready-to-bill visits are billed.
//!
//! Every working day the payer's answers that are due are posted in the morning (999 and 277CA
//! the next working day after a file, the 835 two weeks after submission). On Friday evenings
//! the week's signed notes are taken in (one intake: each patient's history is scrubbed again
//! once a week rather than at every visit), the holds are worked (worked period) and a claim
//! file goes out. A run-out month after the period lets the last visits bill and be paid.
//!
//! The payer answers a file in two steps: its 999 and 277CA at once, and its adjudication (the
//! 835) on a thread of its own with the payer's state, joined before the next file is billed:
//! the 835 is not posted for two weeks, and meanwhile the week's postings and intake use the
//! other core. Authorizations the payer issues meanwhile reach its state before it judges the
//! next file, as they did when it judged each file at once. The organization's days are
//! generated on a thread too, a few days ahead of the run.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, Utc, Weekday};
use cleanclaim_billing::Engine;
use cleanclaim_model::Encounter;
use cleanclaim_payer::{PayerState, Remitted, Rules, SimulateError, acknowledge};
use cleanclaim_remit::CategoryMap;
use cleanclaim_remit::ClaimOutcome;
use cleanclaim_scrub::{AuthStatus, AuthorizationItem, ContextData};
use cleanclaim_store::{Clock, Store, StoreError};
use cleanclaim_synth::{Authorization, OrgDay, OrgVisit, Organization};
use cleanclaim_x12::x835::{ClaimPayment, Payment, ProviderAdjustment, TransactionTotals};
use cleanclaim_x12::x837::BillingProfile;
use serde::Serialize;

use crate::history_cache::HistoryCache;
use crate::intake::{IntakeError, intake_with_cache};
use crate::remittance::{RemitError, RemitSink, RemitTally, RemittancePoster, read_remittance};
use crate::submit::{
    Delivery, SubmitError, SubmitOptions, prepare_stored, prepare_stored_as_documented, submit,
};

/// The run-out after the last day of service: one definition, the KPI periods'.
pub use crate::kpi_periods::RUN_OUT_DAYS;

/// Intakes a patient's parsed visits are kept through unused: two weeks of the demo (a
/// week's intake and its worked holds). A patient seen less often is read from the store.
const HISTORY_KEPT_FOR_INTAKES: u64 = 4;

/// Days of visits generated ahead of the run (about 4,000 visits a day at 20 clinics).
const DAYS_GENERATED_AHEAD: usize = 5;

/// Days from submission to the payer's 835.
pub const PAYMENT_LAG_DAYS: u64 = 14;

#[derive(Debug)]
pub struct DemoOptions {
    /// Months at the start of the period in which the scrubber only observes.
    pub baseline_months: u32,
    pub profile: BillingProfile,
    pub payer_rules: Rules,
    pub categories: CategoryMap,
}

/// What the demo tells its caller as it goes.
#[derive(Debug)]
pub enum DemoEvent<'e> {
    /// A Friday's billing is done. Paid and denied count the files adjudicated so far: the
    /// week's own file is adjudicated while the next week runs.
    Week {
        date: NaiveDate,
        counts: &'e DemoCounts,
    },
    /// A file went out or came back: `837`, `999`, `277` or `835`, named by its day.
    File {
        date: NaiveDate,
        kind: &'static str,
        text: &'e str,
    },
}

/// What the demo did, for its summary.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DemoCounts {
    pub visits: u64,
    /// Held visits corrected by a new version (worked period).
    pub corrected: u64,
    /// Authorization holds covered by a grant the payer made (worked period).
    pub authorized: u64,
    pub files: u64,
    pub claims: u64,
    pub rejected_front_end: u64,
    pub paid: u64,
    pub denied: u64,
    pub remittances_posted: u64,
    pub acknowledgments_posted: u64,
}

/// Where the demo's time went, step by step: what a benchmark of the cycle reads to know
/// which step to make cheaper.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DemoTimes {
    /// Waiting for the organization's next day (made on a thread of its own, a few days
    /// ahead) and queuing its visits.
    pub generating: Duration,
    /// Posting the 999s and 277CAs.
    pub posting_acknowledgments: Duration,
    /// Posting the 835s.
    pub posting_remittances: Duration,
    /// The Friday intakes: storing the week's notes and scrubbing each patient's history.
    pub intake: Duration,
    /// Listing the holds and taking in the corrections and grants (worked period).
    pub working_holds: Duration,
    /// Building the week's claims.
    pub preparing_claims: Duration,
    /// Writing and recording the 837.
    pub submitting: Duration,
    /// The payer simulator.
    pub simulating: Duration,
}

impl DemoTimes {
    /// Each step's name and time, in the cycle's order.
    pub fn steps(&self) -> [(&'static str, Duration); 8] {
        [
            ("generating visits", self.generating),
            ("posting 999s and 277CAs", self.posting_acknowledgments),
            ("posting 835s", self.posting_remittances),
            ("intake and scrub", self.intake),
            ("working holds", self.working_holds),
            ("building claims", self.preparing_claims),
            ("writing and recording 837s", self.submitting),
            ("payer simulator", self.simulating),
        ]
    }
}

/// Adds the time since `began` to `step` and returns now, for the next step.
fn lap(step: &mut Duration, began: Instant) -> Instant {
    let now = Instant::now();
    *step += now.duration_since(began);
    now
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DemoReport {
    pub counts: DemoCounts,
    /// Wall time per step (not serialised: it differs from run to run).
    #[serde(skip)]
    pub times: DemoTimes,
    /// First and last day of the baseline and of the worked period.
    pub baseline: (NaiveDate, NaiveDate),
    pub worked: (NaiveDate, NaiveDate),
    /// The day the run-out ended: the clock stands there.
    pub as_of: NaiveDate,
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("intake: {0}")]
    Intake(#[from] IntakeError),
    #[error("submitting claims: {0}")]
    Submit(#[from] SubmitError),
    #[error("the payer simulator: {0}")]
    Simulate(#[from] SimulateError),
    #[error("posting an 835: {0}")]
    Remit(#[from] RemitError),
    #[error("reading the payer's acknowledgment: {0}")]
    Acknowledgment(#[from] cleanclaim_x12::X12Error),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A payer's answer waiting for its day.
enum Answer {
    Acknowledgment(String),
    Remittance(String),
}

/// A file's accepted claims being adjudicated on a thread of their own (the payer's state is
/// with them): the 835 is not due for two weeks, and the second core is otherwise idle.
struct Adjudicating {
    /// The day the file was sent.
    date: NaiveDate,
    thread: std::thread::JoinHandle<(PayerState, Remitted)>,
}

/// What a biller does for a held visit: the record as it should have been, and the
/// authorization the payer grants for it.
struct Fix {
    corrected: Option<Box<Encounter>>,
    authorization: Option<Authorization>,
}

/// Keeps the file in memory for the simulator.
#[derive(Default)]
struct InMemory(Option<String>);

impl Delivery for InMemory {
    fn deliver(&mut self, text: &str) -> std::io::Result<()> {
        self.0 = Some(text.to_owned());
        Ok(())
    }

    fn withdraw(&mut self) {
        self.0 = None;
    }
}

/// Posting needs no report: the figures come from the store.
struct Discard;

impl RemitSink for Discard {
    fn payment(&mut self, _: &Payment, _: Option<DateTime<Utc>>) -> std::io::Result<()> {
        Ok(())
    }
    fn claim(&mut self, _: &ClaimPayment, _: &ClaimOutcome<'_>) -> std::io::Result<()> {
        Ok(())
    }
    fn provider_adjustment(&mut self, _: &ProviderAdjustment) -> std::io::Result<()> {
        Ok(())
    }
    fn end(&mut self, _: &TransactionTotals) -> std::io::Result<()> {
        Ok(())
    }
}

fn at(date: NaiveDate, hour: u32) -> DateTime<Utc> {
    date.and_time(NaiveTime::from_hms_opt(hour, 0, 0).unwrap_or_default())
        .and_utc()
}

fn add_days(date: NaiveDate, days: u64) -> NaiveDate {
    date.checked_add_days(Days::new(days)).unwrap_or(date)
}

/// The scrubber's ledger record (an `authorizations.json` entry) of a synthetic authorization.
pub fn ledger_item(authorization: &Authorization) -> AuthorizationItem {
    AuthorizationItem {
        patient_id: authorization.patient_id.clone(),
        payer_id: authorization.payer_id.clone(),
        number: authorization.number.clone(),
        from: authorization.from,
        to: authorization.to,
        disciplines: vec![authorization.discipline],
        codes: Vec::new(),
        visits: Some(authorization.visits),
        units: None,
        used_visits: 0,
        used_units: 0,
        status: AuthStatus::Active,
    }
}

/// The demo's state between days.
struct Run<'a> {
    store: &'a Store,
    clock: &'a Clock,
    engine: &'a Engine,
    options: &'a DemoOptions,
    rules: Arc<Rules>,
    payer: PayerState,
    adjudicating: Option<Adjudicating>,
    /// Grants made since the payer last judged a file: taken in before it judges the next.
    issued: Vec<Authorization>,
    /// Visits by the day their notes are signed.
    waiting: BTreeMap<NaiveDate, Vec<OrgVisit>>,
    fixes: HashMap<String, Fix>,
    answers: BTreeMap<NaiveDate, Vec<Answer>>,
    counts: DemoCounts,
    times: DemoTimes,
    /// The patients' parsed visits between the week's intakes.
    history: HistoryCache,
}

/// Runs the organization's period and its run-out; see the module docs.
pub async fn run_demo(
    store: &Store,
    clock: &Clock,
    engine: &Engine,
    org: Organization,
    options: &DemoOptions,
    mut events: impl FnMut(DemoEvent<'_>),
) -> Result<DemoReport, DemoError> {
    let start = org.spec.start;
    let end = org.spec.end();
    let worked_from = start
        .checked_add_months(chrono::Months::new(options.baseline_months))
        .unwrap_or(start);
    let last_day = add_days(end, RUN_OUT_DAYS);
    let mut run = Run {
        store,
        clock,
        engine,
        options,
        rules: Arc::new(options.payer_rules.clone()),
        payer: PayerState::default(),
        adjudicating: None,
        issued: Vec::new(),
        waiting: BTreeMap::new(),
        fixes: HashMap::new(),
        answers: BTreeMap::new(),
        counts: DemoCounts::default(),
        times: DemoTimes::default(),
        history: HistoryCache::new(HISTORY_KEPT_FOR_INTAKES),
    };
    let (generator, days) = generated_ahead(org);
    let mut days = days.peekable();
    let mut date = start;
    while date <= last_day {
        if !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            clock.set(at(date, 8));
            run.post_due(date).await?;
            let began = Instant::now();
            if let Some(day) = days.next_if(|d| d.date == date) {
                run.arrive(day.visits);
            }
            let began = lap(&mut run.times.generating, began);
            if date.weekday() == Weekday::Fri || date == last_day {
                clock.set(at(date, 17));
                run.take_in(date).await?;
                let began = lap(&mut run.times.intake, began);
                let worked = date >= worked_from;
                if worked {
                    run.work_holds().await?;
                    lap(&mut run.times.working_holds, began);
                }
                run.bill(date, worked, &mut events).await?;
                events(DemoEvent::Week {
                    date,
                    counts: &run.counts,
                });
            }
        }
        date = add_days(date, 1);
    }
    run.settle(&mut events);
    // A generator that stopped early (a panic) ended the days it sent: the run is not whole.
    generator
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    clock.set(at(last_day, 18));
    let day_before = |d: NaiveDate| d.pred_opt().unwrap_or(d);
    Ok(DemoReport {
        counts: run.counts,
        times: run.times,
        baseline: (start, day_before(worked_from)),
        worked: (worked_from, day_before(end)),
        as_of: last_day,
    })
}

/// The organization's days, generated on a thread of their own a few days ahead of the
/// caller (generating is CPU work the run's other core can do meanwhile). The thread stops
/// when the days end or the receiver is dropped.
fn generated_ahead(
    org: Organization,
) -> (
    std::thread::JoinHandle<()>,
    std::sync::mpsc::IntoIter<OrgDay>,
) {
    let (sender, receiver) = std::sync::mpsc::sync_channel(DAYS_GENERATED_AHEAD);
    let generator = std::thread::spawn(move || {
        for day in org {
            if sender.send(day).is_err() {
                break;
            }
        }
    });
    (generator, receiver.into_iter())
}

impl Run<'_> {
    /// Posts the acknowledgments and remittances due by `date`.
    async fn post_due(&mut self, date: NaiveDate) -> Result<(), DemoError> {
        let due: Vec<NaiveDate> = self.answers.range(..=date).map(|(d, _)| *d).collect();
        for day in due {
            for answer in self.answers.remove(&day).unwrap_or_default() {
                let began = Instant::now();
                match answer {
                    Answer::Acknowledgment(text) => {
                        let file = cleanclaim_x12::ack::read_acknowledgments(&text)?;
                        crate::acknowledgment::post_acknowledgments(self.store, &file).await?;
                        self.counts.acknowledgments_posted += 1;
                        lap(&mut self.times.posting_acknowledgments, began);
                    }
                    Answer::Remittance(text) => {
                        let poster = RemittancePoster::begin(self.store).await?;
                        read_remittance(
                            text.as_bytes(),
                            &self.options.categories,
                            Some(poster),
                            &mut Discard,
                            &mut RemitTally::default(),
                        )
                        .await?;
                        self.counts.remittances_posted += 1;
                        lap(&mut self.times.posting_remittances, began);
                    }
                }
            }
        }
        Ok(())
    }

    /// The payer learns of an authorization it issued before it judges the next file.
    fn grant(&mut self, authorization: &Authorization) {
        self.issued.push(authorization.clone());
    }

    /// Waits for the file being adjudicated, if any: counts what the payer said, queues the
    /// 835 for its day, and gives the payer back its state with the grants made meanwhile.
    fn settle(&mut self, events: &mut impl FnMut(DemoEvent<'_>)) {
        if let Some(Adjudicating { date, thread }) = self.adjudicating.take() {
            let began = Instant::now();
            let (state, remitted) = thread
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            self.payer = state;
            let summary = &remitted.summary;
            self.counts.paid += summary.paid as u64;
            self.counts.denied += summary.denied as u64;
            if let Some(remit) = remitted.remittance_835 {
                events(DemoEvent::File {
                    date,
                    kind: "835",
                    text: &remit,
                });
                self.answers
                    .entry(add_days(date, PAYMENT_LAG_DAYS))
                    .or_default()
                    .push(Answer::Remittance(remit));
            }
            lap(&mut self.times.simulating, began);
        }
        for issued in self.issued.drain(..) {
            self.payer
                .grant(&issued.number, issued.from, issued.to, issued.visits);
        }
    }

    /// A day's visits: the payer learns of the authorizations it issued, the fixes are
    /// remembered, and each visit waits for its note.
    fn arrive(&mut self, visits: Vec<OrgVisit>) {
        for visit in visits {
            self.counts.visits += 1;
            if let Some(issued) = &visit.authorization {
                self.grant(issued);
            }
            let fix = Fix {
                corrected: visit.corrected.clone(),
                authorization: visit.authorization_fix.clone(),
            };
            if fix.corrected.is_some() || fix.authorization.is_some() {
                self.fixes.insert(visit.encounter.id.clone(), fix);
            }
            self.waiting
                .entry(visit.documented_on)
                .or_default()
                .push(visit);
        }
    }

    /// Takes in the visits whose notes are signed by `date`, with their authorizations.
    async fn take_in(&mut self, date: NaiveDate) -> Result<(), DemoError> {
        let due: Vec<NaiveDate> = self.waiting.range(..=date).map(|(d, _)| *d).collect();
        let mut encounters = Vec::new();
        let mut context = ContextData::default();
        for day in due {
            for visit in self.waiting.remove(&day).unwrap_or_default() {
                if let Some(issued) = &visit.authorization {
                    context.authorizations.push(ledger_item(issued));
                }
                encounters.push(visit.encounter);
            }
        }
        if !encounters.is_empty() {
            intake_with_cache(
                self.store,
                self.engine,
                &mut self.history,
                &context,
                &encounters,
            )
            .await?;
        }
        Ok(())
    }

    /// Fixes every held visit that has a fix: a corrected version, and the payer's grant
    /// taken into the authorization ledger.
    async fn work_holds(&mut self) -> Result<(), DemoError> {
        let held = self
            .store
            .held_unbilled_within(&cleanclaim_store::Scope::everything())
            .await?;
        let mut corrected = Vec::new();
        let mut granted: BTreeMap<String, Authorization> = BTreeMap::new();
        for id in held {
            let Some(fix) = self.fixes.remove(&id) else {
                continue;
            };
            if let Some(record) = fix.corrected {
                corrected.push(*record);
                self.counts.corrected += 1;
            }
            if let Some(authorization) = fix.authorization {
                self.counts.authorized += 1;
                granted.insert(authorization.number.clone(), authorization);
            }
        }
        let mut context = ContextData::default();
        for authorization in granted.values() {
            self.grant(authorization);
            context.authorizations.push(ledger_item(authorization));
        }
        if !corrected.is_empty() || !context.authorizations.is_empty() {
            intake_with_cache(
                self.store,
                self.engine,
                &mut self.history,
                &context,
                &corrected,
            )
            .await?;
        }
        Ok(())
    }

    /// Sends a claim file (ready visits only when `worked`, every unbilled visit otherwise)
    /// and queues the payer's answers.
    async fn bill(
        &mut self,
        date: NaiveDate,
        worked: bool,
        events: &mut impl FnMut(DemoEvent<'_>),
    ) -> Result<(), DemoError> {
        // The payer's state is back before this file is judged, and the last file's 835 is
        // queued a week before it is due.
        self.settle(events);
        let profile = &self.options.profile;
        let began = Instant::now();
        let prepared = if worked {
            prepare_stored(self.store, self.engine, profile).await?
        } else {
            prepare_stored_as_documented(self.store, self.engine, profile).await?
        };
        let began = lap(&mut self.times.preparing_claims, began);
        // What goes out as documented is not worked afterwards.
        for id in prepared.encounter_ids() {
            self.fixes.remove(&id);
        }
        if !prepared.has_claims() {
            return Ok(());
        }
        let options = SubmitOptions {
            resubmissions: Vec::new(),
            allow_resend: false,
            all_or_nothing: false,
            line_breaks: false,
            created: self.clock.now().naive_utc(),
        };
        let mut delivery = InMemory::default();
        let report = submit(self.store, profile, prepared, &options, &mut delivery).await?;
        let began = lap(&mut self.times.submitting, began);
        let Some(text) = delivery.0 else {
            return Ok(());
        };
        self.counts.files += 1;
        self.counts.claims += report.claims.len() as u64;
        let payer_day = add_days(date, 1);
        let acknowledged = acknowledge(&text, &self.rules, &mut self.payer, payer_day)?;
        let pending = acknowledged.pending;
        let rejected = pending.summary().rejected_front_end;
        let rules = Arc::clone(&self.rules);
        let mut state = std::mem::take(&mut self.payer);
        self.adjudicating = Some(Adjudicating {
            date,
            thread: std::thread::spawn(move || {
                let remitted = pending.adjudicate(&rules, &mut state);
                (state, remitted)
            }),
        });
        lap(&mut self.times.simulating, began);
        let file = |kind, text| DemoEvent::File { date, kind, text };
        events(file("837", &text));
        events(file("999", &acknowledged.ack_999));
        if let Some(text) = &acknowledged.ack_277ca {
            events(file("277", text));
        }
        self.counts.rejected_front_end += rejected as u64;
        let next_working_day = match date.weekday() {
            Weekday::Fri => add_days(date, 3),
            Weekday::Sat => add_days(date, 2),
            _ => payer_day,
        };
        let acks = self.answers.entry(next_working_day).or_default();
        acks.push(Answer::Acknowledgment(acknowledged.ack_999));
        if let Some(ack) = acknowledged.ack_277ca {
            acks.push(Answer::Acknowledgment(ack));
        }
        Ok(())
    }
}
