//! The streaming 835 reader: segments in, [`RemitItem`]s out, holding at most one claim.

use std::collections::VecDeque;
use std::io::Read;

use cleanclaim_model::Cents;
use compact_str::{CompactString, format_compact};

use crate::envelope::{EnvelopeChecker, Event, TransactionHeader};
use crate::error::{ErrorKind, X12Error};
use crate::stream::{ReadError, SegmentStream};
use crate::token::Segment;
use crate::x835::fields::{Components, FIELDS, Fields};
use crate::x835::remit::{
    Adjustment, AdjustmentGroup, ClaimPayment, ClaimStatus, LinePayment, Party, Payment,
    ProviderAdjustment, RemitItem, TransactionTotals,
};

/// Envelope findings kept; past this many, only counted, so that a damaged file of any size
/// cannot exhaust memory.
const MAX_FINDINGS: usize = 1000;
/// Element errors kept per claim.
const MAX_CLAIM_ERRORS: usize = 20;

/// Where in the transaction set the reader is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Outside,
    /// ST read; a transaction set other than an 835 is skipped to its SE.
    Foreign,
    Header,
    Payer,
    Payee,
    Claims,
    Claim,
    Line,
    ProviderAdjustments,
}

/// Reads 835 transaction sets from any reader.
#[derive(Debug)]
pub struct RemitReader<R> {
    segments: SegmentStream<R>,
    /// Element ends of the segment being read (see [`Fields::of`]).
    element_ends: [u32; FIELDS],
    parser: Parser,
}

/// Everything but the input, so that a segment borrowed from the input can drive it.
#[derive(Debug)]
struct Parser {
    envelope: EnvelopeChecker,
    place: Place,
    payment: Option<Payment>,
    claim: Option<Box<ClaimPayment>>,
    /// A claim handed back with [`RemitReader::recycle`], and lines from such claims: their
    /// storage is reused for the next claim instead of being allocated again.
    spare: Option<Box<ClaimPayment>>,
    spare_lines: Vec<LinePayment>,
    totals: TransactionTotals,
    ready: VecDeque<RemitItem>,
    findings: Vec<X12Error>,
    findings_dropped: usize,
    transactions: usize,
    done: bool,
}

/// Segment ids as [`tag`]s.
mod ids {
    use crate::token::tag;

    pub const AMT: u32 = tag("AMT");
    pub const BPR: u32 = tag("BPR");
    pub const CAS: u32 = tag("CAS");
    pub const CLP: u32 = tag("CLP");
    pub const CUR: u32 = tag("CUR");
    pub const DTM: u32 = tag("DTM");
    pub const LQ: u32 = tag("LQ");
    pub const LX: u32 = tag("LX");
    pub const MIA: u32 = tag("MIA");
    pub const MOA: u32 = tag("MOA");
    pub const N1: u32 = tag("N1");
    pub const N2: u32 = tag("N2");
    pub const N3: u32 = tag("N3");
    pub const N4: u32 = tag("N4");
    pub const NM1: u32 = tag("NM1");
    pub const PER: u32 = tag("PER");
    pub const PLB: u32 = tag("PLB");
    pub const QTY: u32 = tag("QTY");
    pub const RDM: u32 = tag("RDM");
    pub const REF: u32 = tag("REF");
    pub const SVC: u32 = tag("SVC");
    pub const TRN: u32 = tag("TRN");
    pub const TS2: u32 = tag("TS2");
    pub const TS3: u32 = tag("TS3");
}

const CAS_GROUPS: &str = "CO, OA, PI, PR (CR in 4010)";

fn adjustments(fields: &Fields<'_>, out: &mut Vec<Adjustment>) -> Result<(), X12Error> {
    let group = AdjustmentGroup::from_code(fields.required(1)?)
        .ok_or_else(|| fields.bad_code(1, CAS_GROUPS))?;
    // Up to six reason/amount/quantity triplets: CAS02-04, 05-07, ... 17-19; most CAS
    // segments carry one, so the loop stops at the last element present.
    for first in (2..=fields.len().clamp(2, 17)).step_by(3) {
        let reason = fields.get(first);
        if reason.is_empty() {
            if first == 2 {
                return Err(fields.missing(2));
            }
            continue;
        }
        out.push(Adjustment {
            group,
            reason: reason.into(),
            amount_cents: fields.cents(first + 1)?,
            quantity: Some(fields.get(first + 2))
                .filter(|q| !q.is_empty())
                .map(CompactString::from),
        });
    }
    Ok(())
}

/// SVC01: `qualifier:code:mod1:mod2:mod3:mod4:description`; the modifiers go into
/// `modifiers` (cleared first).
fn procedure<'a>(
    fields: &Fields<'a>,
    n: usize,
    modifiers: &mut Vec<CompactString>,
) -> (&'a str, &'a str) {
    let mut parts = Components {
        rest: Some(fields.get(n)),
        separator: fields.segment.delimiters().component,
    };
    let qualifier = parts.next().unwrap_or("");
    let code = parts.next().unwrap_or("");
    modifiers.clear();
    for modifier in parts.take(4).filter(|m| !m.is_empty()) {
        modifiers.push(CompactString::from(modifier));
    }
    (qualifier, code)
}

/// SVC06-2: the code the payer adjudicated, when it differs from the one billed.
fn submitted_code(fields: &Fields<'_>) -> Option<CompactString> {
    let mut parts = Components {
        rest: Some(fields.get(6)),
        separator: fields.segment.delimiters().component,
    };
    parts
        .nth(1)
        .filter(|code| !code.is_empty())
        .map(CompactString::from)
}

impl<R: Read> RemitReader<R> {
    pub fn new(reader: R) -> Self {
        Self {
            segments: SegmentStream::new(reader),
            element_ends: [0; FIELDS],
            parser: Parser::new(),
        }
    }

    /// Envelope problems that did not stop reading (counts and control numbers that do not
    /// match), the first [`MAX_FINDINGS`] of them, and how many more there were.
    pub fn findings(&self) -> (&[X12Error], usize) {
        (&self.parser.findings, self.parser.findings_dropped)
    }

    /// Hands a claim back once the caller is done with it, so that the next claim reuses its
    /// storage: reading a large file then allocates almost nothing per claim. Optional.
    pub fn recycle(&mut self, claim: Box<ClaimPayment>) {
        self.parser.spare = Some(claim);
    }

    /// The next item; `Ok(None)` once the input has ended with every envelope closed.
    pub fn next_item(&mut self) -> Result<Option<RemitItem>, ReadError> {
        loop {
            if let Some(item) = self.parser.ready.pop_front() {
                return Ok(Some(item));
            }
            if self.parser.done {
                return Ok(None);
            }
            self.step().inspect_err(|_| self.parser.done = true)?;
        }
    }

    /// Reads one segment and queues whatever it completes.
    fn step(&mut self) -> Result<(), ReadError> {
        if !self.segments.advance()? {
            return Ok(self.parser.end_of_input()?);
        }
        let segment = self.segments.current();
        Ok(self.parser.feed(&segment, &mut self.element_ends)?)
    }
}

/// The 835 reader driven one segment at a time by a caller that reads the segments itself
/// (the validator, which reads every kind of set from one stream): it keeps the element
/// errors the reader finds on payments and claims, and recycles each claim's storage.
#[derive(Debug)]
pub(crate) struct RemitChecker {
    parser: Parser,
    element_ends: [u32; FIELDS],
}

impl RemitChecker {
    pub(crate) fn new() -> Self {
        Self {
            parser: Parser::new(),
            element_ends: [0; FIELDS],
        }
    }

    /// One segment; element errors go to `errors`, an error that stops reading is returned.
    pub(crate) fn feed(
        &mut self,
        segment: &Segment<'_>,
        errors: &mut Vec<X12Error>,
    ) -> Result<(), X12Error> {
        let fed = self.parser.feed(segment, &mut self.element_ends);
        self.drain(errors);
        fed
    }

    fn drain(&mut self, errors: &mut Vec<X12Error>) {
        // Envelope findings are the validator's own envelope checker's to report.
        self.parser.findings.clear();
        while let Some(item) = self.parser.ready.pop_front() {
            match item {
                RemitItem::Payment(mut payment) => errors.append(&mut payment.errors),
                RemitItem::Claim(mut claim) => {
                    errors.append(&mut claim.errors);
                    self.parser.spare = Some(claim);
                }
                RemitItem::ProviderAdjustment(_) | RemitItem::End(_) => {}
            }
        }
    }
}

impl Parser {
    fn new() -> Self {
        Self {
            envelope: EnvelopeChecker::new(),
            place: Place::Outside,
            payment: None,
            claim: None,
            spare: None,
            spare_lines: Vec::new(),
            totals: empty_totals(),
            ready: VecDeque::new(),
            findings: Vec::new(),
            findings_dropped: 0,
            transactions: 0,
            done: false,
        }
    }

    /// One segment through the envelope and the 835 loops; whatever it completes is queued.
    fn feed(
        &mut self,
        segment: &Segment<'_>,
        element_ends: &mut [u32; FIELDS],
    ) -> Result<(), X12Error> {
        let event = self.envelope.feed(segment)?;
        self.keep_findings();
        let fields = Fields::of(segment, element_ends);
        match event {
            Event::Envelope => Ok(()),
            Event::TransactionStart(header) => {
                self.start(header, &fields);
                Ok(())
            }
            Event::Body => self.body(&fields),
            Event::TransactionEnd => {
                self.end(&fields);
                Ok(())
            }
        }
    }

    fn end_of_input(&mut self) -> Result<(), X12Error> {
        self.done = true;
        self.envelope.finish()?;
        if self.transactions == 0 {
            return Err(X12Error::at(
                0,
                "",
                0,
                ErrorKind::Structure("the input holds no 835 transaction set".into()),
            ));
        }
        Ok(())
    }

    fn keep_findings(&mut self) {
        let new = self.envelope.findings.len();
        if new == 0 {
            return;
        }
        let room = MAX_FINDINGS.saturating_sub(self.findings.len());
        self.findings_dropped += new.saturating_sub(room);
        self.findings
            .extend(self.envelope.findings.drain(..).take(room));
    }

    fn start(&mut self, header: TransactionHeader, fields: &Fields<'_>) {
        if header.code != "835" {
            self.place = Place::Foreign;
            return;
        }
        self.transactions += 1;
        self.totals = empty_totals();
        self.totals.segment = fields.segment.ordinal;
        self.place = Place::Header;
        self.payment = Some(Payment {
            transaction: header,
            handling: String::new(),
            total_cents: Cents::ZERO,
            method: String::new(),
            payment_date: None,
            trace_number: String::new(),
            trace_originator: String::new(),
            production_date: None,
            payer: Party::default(),
            payee: Party::default(),
            errors: Vec::new(),
        });
    }

    fn end(&mut self, fields: &Fields<'_>) {
        if self.place == Place::Foreign {
            self.place = Place::Outside;
            return;
        }
        self.finish_header();
        self.finish_claim();
        self.totals.segment = fields.segment.ordinal;
        self.ready.push_back(RemitItem::End(self.totals));
        self.place = Place::Outside;
    }

    fn finish_header(&mut self) {
        if let Some(payment) = self.payment.take() {
            self.totals.payment_cents = payment.total_cents;
            self.ready.push_back(RemitItem::Payment(Box::new(payment)));
        }
    }

    fn finish_claim(&mut self) {
        if let Some(claim) = self.claim.take() {
            self.totals.claims += 1;
            self.totals.claims_paid_cents += claim.paid_cents;
            self.ready.push_back(RemitItem::Claim(claim));
        }
    }

    fn body(&mut self, fields: &Fields<'_>) -> Result<(), X12Error> {
        let id = fields.segment.tag();
        match (self.place, id) {
            (Place::Foreign, _) => Ok(()),
            (Place::Header | Place::Payer | Place::Payee, _) => self.header(fields),
            (_, ids::LX | ids::TS3 | ids::TS2) if self.place != Place::ProviderAdjustments => {
                self.finish_claim();
                self.place = Place::Claims;
                Ok(())
            }
            (_, ids::CLP) if self.place != Place::ProviderAdjustments => {
                self.finish_claim();
                let reuse = self.spare.take();
                self.claim = Some(claim(fields, reuse, &mut self.spare_lines));
                self.place = Place::Claim;
                Ok(())
            }
            (_, ids::PLB) => {
                self.finish_claim();
                self.place = Place::ProviderAdjustments;
                self.provider_adjustments(fields)
            }
            (Place::Claim | Place::Line, _) => {
                let Some(claim) = self.claim.as_mut() else {
                    return Err(fields.structure("claim detail before CLP"));
                };
                match claim_detail(claim, &mut self.place, &mut self.spare_lines, fields) {
                    Err(Detail::Element(error)) => {
                        if claim.errors.len() < MAX_CLAIM_ERRORS {
                            claim.errors.push(error);
                        }
                        Ok(())
                    }
                    Err(Detail::Structure(error)) => Err(error),
                    Ok(()) => Ok(()),
                }
            }
            _ => Err(fields.structure(format!(
                "{} is not allowed here: after the header come LX, CLP and PLB",
                fields.segment.id()
            ))),
        }
    }

    fn header(&mut self, fields: &Fields<'_>) -> Result<(), X12Error> {
        let id = fields.segment.tag();
        if matches!(id, ids::LX | ids::CLP | ids::PLB) {
            let Some(payment) = &self.payment else {
                return Ok(());
            };
            if payment.handling.is_empty() || payment.trace_number.is_empty() {
                return Err(fields.structure("the 835 header needs BPR01 and TRN02 before claims"));
            }
            self.finish_header();
            self.place = Place::Claims;
            return self.body(fields);
        }
        let Some(payment) = self.payment.as_mut() else {
            return Ok(());
        };
        let errors = &mut payment.errors;
        match id {
            ids::BPR => {
                payment.handling = fields.owned(1);
                let amount = keep(errors, fields.cents(2));
                payment.total_cents = match fields.get(3) {
                    "D" => -amount,
                    "C" | "" => amount,
                    _ => {
                        errors.push(fields.bad_code(3, "C, D"));
                        amount
                    }
                };
                payment.method = fields.owned(4);
                // BPR16 is required in 005010X221A1 (check issue or EFT effective date).
                payment.payment_date = keep(errors, fields.date(16).map(Some));
            }
            ids::TRN => {
                payment.trace_number = fields.owned(2);
                payment.trace_originator = fields.owned(3);
            }
            ids::DTM if fields.get(1) == "405" => {
                payment.production_date = keep(errors, fields.optional_date(2));
            }
            ids::N1 => {
                let party = match fields.get(1) {
                    "PR" => {
                        self.place = Place::Payer;
                        &mut payment.payer
                    }
                    "PE" => {
                        self.place = Place::Payee;
                        &mut payment.payee
                    }
                    _ => {
                        errors.push(fields.bad_code(1, "PR, PE"));
                        return Ok(());
                    }
                };
                party.name = fields.owned(2);
                party.id_qualifier = fields.owned(3);
                party.id = fields.owned(4);
            }
            ids::REF => match (self.place, fields.get(1)) {
                (Place::Payer, "2U") => payment.payer.additional_id = fields.owned(2),
                (Place::Payee, "TJ") => payment.payee.additional_id = fields.owned(2),
                _ => {}
            },
            ids::CUR | ids::DTM | ids::N2 | ids::N3 | ids::N4 | ids::PER | ids::RDM => {}
            _ => {
                return Err(fields.structure(format!(
                    "{} is not a segment of the 835 header (loops 1000A/B)",
                    fields.segment.id()
                )));
            }
        }
        Ok(())
    }

    fn provider_adjustments(&mut self, fields: &Fields<'_>) -> Result<(), X12Error> {
        let provider_id = fields.required(1)?;
        let fiscal_period_end = fields.optional_date(2)?;
        let separator = char::from(fields.segment.delimiters().component);
        // Up to six reason/amount pairs: PLB03-04, 05-06, ... 13-14.
        for first in (3..=13).step_by(2) {
            let identifier = fields.get(first);
            if identifier.is_empty() {
                if first == 3 {
                    return Err(fields.missing(3));
                }
                continue;
            }
            let (reason, reference) = identifier.split_once(separator).unwrap_or((identifier, ""));
            let amount_cents = fields.cents(first + 1)?;
            self.totals.provider_adjustments_cents += amount_cents;
            self.ready
                .push_back(RemitItem::ProviderAdjustment(ProviderAdjustment {
                    segment: fields.segment.ordinal,
                    provider_id: provider_id.to_owned(),
                    fiscal_period_end,
                    reason: reason.to_owned(),
                    reference: reference.to_owned(),
                    amount_cents,
                }));
        }
        Ok(())
    }
}

/// A value, or its default with the error kept: header element errors do not stop reading.
fn keep<T: Default>(errors: &mut Vec<X12Error>, result: Result<T, X12Error>) -> T {
    result.unwrap_or_else(|error| {
        errors.push(error);
        T::default()
    })
}

fn empty_totals() -> TransactionTotals {
    TransactionTotals {
        segment: 0,
        payment_cents: Cents::ZERO,
        claims_paid_cents: Cents::ZERO,
        provider_adjustments_cents: Cents::ZERO,
        claims: 0,
    }
}

/// Lines kept for reuse at most: a pool as large as the longest claim seen, within reason.
const MAX_SPARE_LINES: usize = 256;

/// CLP, taken in even with bad elements (kept on the claim), so that the claim's lines still
/// attach to it and the rest of the remittance reads on. Every field is set, so a recycled
/// claim carries nothing over.
fn claim(
    fields: &Fields<'_>,
    reuse: Option<Box<ClaimPayment>>,
    spare_lines: &mut Vec<LinePayment>,
) -> Box<ClaimPayment> {
    let mut claim = reuse.unwrap_or_default();
    let room = MAX_SPARE_LINES.saturating_sub(spare_lines.len());
    spare_lines.extend(claim.lines.drain(..).take(room));
    claim.adjustments.clear();
    claim.remarks.clear();
    claim.errors.clear();
    let errors = &mut claim.errors;
    let status = ClaimStatus::from_code(fields.get(2));
    if status.is_none() {
        errors.push(match fields.get(2) {
            "" => fields.missing(2),
            _ => fields.bad_code(2, ClaimStatus::CODES),
        });
    }
    let patient_control_number = CompactString::from(keep(errors, fields.required(1)));
    let charge_cents = keep(errors, fields.cents(3));
    let paid_cents = keep(errors, fields.cents(4));
    let patient_responsibility_cents = keep(errors, fields.optional_cents(5)).unwrap_or_default();
    claim.segment = fields.segment.ordinal;
    claim.patient_control_number = patient_control_number;
    claim.status = status;
    claim.charge_cents = charge_cents;
    claim.paid_cents = paid_cents;
    claim.patient_responsibility_cents = patient_responsibility_cents;
    match fields.get(6) {
        "" => errors.push(fields.missing(6)),
        code if !super::remit::CLAIM_FILING_CODES.contains(&code) => {
            errors.push(fields.bad_code(
                6,
                "12, 13, 14, 15, 16, 17, AM, CH, DS, HM, LM, MA, MB, MC, OF, TV, VA, WC, ZZ",
            ));
        }
        _ => {}
    }
    claim.filing_indicator = fields.compact(6);
    claim.payer_claim_number = fields.compact(7);
    claim.frequency = fields.compact(9);
    claim.patient_name = CompactString::default();
    claim.statement_from = None;
    claim.statement_to = None;
    claim.received = None;
    claim
}

/// Why a claim's detail segment could not be taken in.
enum Detail {
    /// A bad element: recorded on the claim, reading goes on.
    Element(X12Error),
    /// A segment that does not belong: reading stops.
    Structure(X12Error),
}

impl From<X12Error> for Detail {
    fn from(error: X12Error) -> Self {
        Self::Element(error)
    }
}

fn claim_detail(
    claim: &mut ClaimPayment,
    place: &mut Place,
    spare_lines: &mut Vec<LinePayment>,
    fields: &Fields<'_>,
) -> Result<(), Detail> {
    let id = fields.segment.tag();
    if id == ids::SVC {
        let mut errors = Vec::new();
        let mut line = spare_lines.pop().unwrap_or_default();
        fill_line(&mut line, fields, &mut errors);
        claim.lines.push(line);
        *place = Place::Line;
        let room = MAX_CLAIM_ERRORS.saturating_sub(claim.errors.len());
        claim.errors.extend(errors.into_iter().take(room));
        return Ok(());
    }
    if *place == Place::Line
        && let Some(line) = claim.lines.last_mut()
    {
        return line_detail(line, fields);
    }
    match id {
        ids::CAS => adjustments(fields, &mut claim.adjustments)?,
        ids::NM1 if fields.get(1) == "QC" => {
            claim.patient_name = match fields.get(4) {
                "" => fields.compact(3),
                given => format_compact!("{}, {given}", fields.get(3)),
            };
        }
        ids::MOA => remarks(fields, &[3, 4, 5, 6, 7], &mut claim.remarks),
        ids::MIA => remarks(fields, &[5, 20, 21, 22, 23], &mut claim.remarks),
        ids::DTM => match fields.get(1) {
            "232" => claim.statement_from = fields.optional_date(2)?,
            "233" => claim.statement_to = fields.optional_date(2)?,
            "050" => claim.received = fields.optional_date(2)?,
            _ => {}
        },
        ids::NM1 | ids::REF | ids::PER | ids::AMT | ids::QTY => {}
        _ => {
            return Err(Detail::Structure(fields.structure(format!(
                "{} is not a segment of the 835 claim payment loop (2100)",
                fields.segment.id()
            ))));
        }
    }
    Ok(())
}

/// SVC, taken in even when an element is bad (the error goes to `errors`), so that the
/// line's own detail segments still attach to it. Every field is set, so a reused line
/// carries nothing over.
fn fill_line(line: &mut LinePayment, fields: &Fields<'_>, errors: &mut Vec<X12Error>) {
    let (qualifier, code) = procedure(fields, 1, &mut line.modifiers);
    if code.is_empty() {
        errors.push(
            fields
                .segment
                .element_error(1, Some(2), ErrorKind::MissingElement),
        );
    }
    let mut cents = |n| {
        fields.cents(n).unwrap_or_else(|e| {
            errors.push(e);
            Cents::ZERO
        })
    };
    line.charge_cents = cents(2);
    line.paid_cents = cents(3);
    line.segment = fields.segment.ordinal;
    line.qualifier = qualifier.into();
    line.code = code.into();
    line.units_paid = match fields.get(5) {
        "" => CompactString::const_new("1"),
        units => units.into(),
    };
    line.submitted_code = submitted_code(fields);
    line.units_billed = Some(fields.get(7))
        .filter(|u| !u.is_empty())
        .map(CompactString::from);
    line.service_date = None;
    line.control_number = None;
    line.allowed_cents = None;
    line.adjustments.clear();
    line.remarks.clear();
}

fn line_detail(line: &mut LinePayment, fields: &Fields<'_>) -> Result<(), Detail> {
    let id = fields.segment.tag();
    match id {
        ids::CAS => adjustments(fields, &mut line.adjustments)?,
        ids::DTM => match fields.get(1) {
            "472" | "150" => line.service_date = fields.optional_date(2)?,
            _ => {}
        },
        ids::REF if fields.get(1) == "6R" => line.control_number = Some(fields.required(2)?.into()),
        ids::AMT if fields.get(1) == "B6" => line.allowed_cents = Some(fields.cents(2)?),
        ids::LQ => match fields.get(1) {
            "HE" => line.remarks.push(fields.required(2)?.into()),
            "RX" => {}
            _ => return Err(fields.bad_code(1, "HE, RX").into()),
        },
        ids::REF | ids::AMT | ids::QTY => {}
        _ => {
            return Err(Detail::Structure(fields.structure(format!(
                "{} is not a segment of the 835 service payment loop (2110)",
                fields.segment.id()
            ))));
        }
    }
    Ok(())
}

fn remarks(fields: &Fields<'_>, positions: &[usize], out: &mut Vec<CompactString>) {
    out.extend(
        positions
            .iter()
            .map(|n| fields.get(*n))
            .filter(|code| !code.is_empty())
            .map(CompactString::from),
    );
}

impl<R: Read> Iterator for RemitReader<R> {
    type Item = Result<RemitItem, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_item().transpose()
    }
}
