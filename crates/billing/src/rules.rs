//! Every built-in rule the engine and the scrubber can raise: its id, default severity, work
//! queue, the encounter fields it reads, how to fix it and the policy it comes from. Messages
//! name the specifics; these say what to do. Rule packs change severities per date and add
//! expression rules of their own ([`crate::pack`]).

use std::borrow::Cow;

/// What a finding does to the claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Lets the claim through with a note.
    Warn,
    /// Stops the claim until someone fixes the cause.
    Hold,
}

impl Severity {
    /// The name used in output and in rule packs.
    pub fn name(self) -> &'static str {
        match self {
            Self::Warn => "warn",
            Self::Hold => "hold",
        }
    }
}

/// The work queue an encounter lands in. Held encounters go to the queue of their first hold
/// in this order: documentation comes first (nothing else can be judged without it), then
/// authorization, then coding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Queue {
    DocumentationHold,
    Authorization,
    CodingReview,
    ReadyToBill,
}

impl Queue {
    /// The name used in output and in rule packs.
    pub fn name(self) -> &'static str {
        match self {
            Self::DocumentationHold => "documentation_hold",
            Self::Authorization => "authorization",
            Self::CodingReview => "coding_review",
            Self::ReadyToBill => "ready_to_bill",
        }
    }

    /// Every queue, in routing order.
    pub const ALL: [Queue; 4] = [
        Self::DocumentationHold,
        Self::Authorization,
        Self::CodingReview,
        Self::ReadyToBill,
    ];
}

/// A billing rule that can produce findings. Built-in rules are constants; rule packs build
/// expression rules at load time, hence the `Cow`s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub id: Cow<'static, str>,
    /// The severity unless a rule pack changes it for the date of service.
    pub severity: Severity,
    pub queue: Queue,
    /// The encounter fields the rule reads (JSON paths), so a therapist sees what to look at.
    pub fields: Cow<'static, [Cow<'static, str>]>,
    pub fix: Cow<'static, str>,
    pub source: Cow<'static, str>,
}

macro_rules! rules {
    ($($name:ident = $id:literal, $severity:ident, $queue:ident, fields: [$($field:literal),*], fix: $fix:literal, source: $source:literal;)*) => {
        $(
            #[doc = concat!("`", $id, "`: ", $fix)]
            pub const $name: Rule = Rule {
                id: Cow::Borrowed($id),
                severity: Severity::$severity,
                queue: Queue::$queue,
                fields: Cow::Borrowed(&[$(Cow::Borrowed($field)),*]),
                fix: Cow::Borrowed($fix),
                source: Cow::Borrowed($source),
            };
        )*
        /// Every built-in rule, for `rules explain` and the generated rule list.
        pub const ALL: &[&Rule] = &[$(&$name),*];
    };
}

rules! {
    UNKNOWN_CODE = "units.code-not-in-catalogue", Hold, CodingReview, fields: ["timing.lines[].code"],
        fix: "Correct the code, or add it to the code catalogue with its timing and therapy status.",
        source: "cleanclaim code catalogue (data/codes.toml)";
    TIMED_MINUTES_MISSING = "units.timed-minutes-missing", Hold, DocumentationHold, fields: ["timing.lines[].minutes", "timing.lines[].start", "timing.lines[].stop"],
        fix: "Document the direct treatment minutes (or start and stop times) for the timed code.",
        source: "MCPM ch.5 §20.2; MBPM ch.15 §220.3.E (timed minutes in the treatment note)";
    MINUTES_EXCEED_INTERVAL = "units.minutes-exceed-interval", Hold, DocumentationHold, fields: ["timing.lines[].minutes", "timing.lines[].start", "timing.lines[].stop"],
        fix: "Correct the minutes or the start/stop times so they agree.",
        source: "MBPM ch.15 §220.3.E (treatment note must support the time billed)";
    UNTIMED_REPEATED = "units.untimed-code-repeated", Warn, CodingReview, fields: ["timing.lines[].code"],
        fix: "Untimed codes are billed once per date of service; remove the duplicate entry.",
        source: "CMS Medicare Quarterly Provider Compliance Newsletter, April 2019";
    GROUP_AS_TIMED = "units.group-time-on-timed-code", Hold, CodingReview, fields: ["timing.lines[].code", "timing.lines[].delivery"],
        fix: "Bill group or concurrent time as 97150 (one unit per patient), not as a one-on-one timed code.",
        source: "MBPM ch.15 §230.1 (group therapy; concurrent therapy billed as group)";
    REPLACE_97014 = "coding.97014-not-recognized", Hold, CodingReview, fields: ["timing.lines[].code"],
        fix: "Report unattended electrical stimulation as G0283 for this payer.",
        source: "Medicare does not recognize 97014 (CMS HCPCS G0283 instructions)";
    DISCIPLINE_CONFLICT = "modifiers.discipline-conflict", Hold, CodingReview, fields: ["discipline", "compliance.plan_of_care.discipline", "timing.lines[].modifiers"],
        fix: "Bill the service under the plan of care of its discipline, or correct the code or modifier.",
        source: "MCPM ch.5 §20.1 (one of GN/GO/GP per line; evaluation codes take their discipline's modifier)";
    ASSISTANT_DISCIPLINE = "modifiers.assistant-discipline-mismatch", Hold, DocumentationHold, fields: ["discipline", "compliance.rendering.role"],
        fix: "A PTA furnishes PT and an OTA furnishes OT; correct the rendering provider or the plan of care.",
        source: "42 CFR 484.4 (PTA/OTA qualifications); MBPM ch.15 §230.1-230.2";
    SLP_ASSISTANT = "modifiers.slp-assistant-minutes", Hold, DocumentationHold, fields: ["discipline", "timing.lines[].furnished_by", "compliance.rendering.role"],
        fix: "Medicare has no SLP assistant modifier; SLP services must be furnished by the SLP. Reassign the minutes.",
        source: "SSA §1834(v) (CQ/CO only for PTA/OTA); MBPM ch.15 §230.3";
    NCCI_NOT_ALLOWED = "coding.ncci-pair-not-allowed", Hold, CodingReview, fields: ["timing.lines[].code", "date_of_service"],
        fix: "Remove the column 2 code: this pair cannot be billed together on one day by one provider.",
        source: "NCCI PTP edits, modifier indicator 0 (NCCI Policy Manual ch.1 §E)";
    NCCI_NEEDS_SEPARATE_INTERVAL = "coding.ncci-separate-interval-undocumented", Hold, CodingReview, fields: ["timing.lines[].code", "timing.lines[].separate_interval"],
        fix: "Document that the services were performed in separate time intervals (then 59/X{EPSU} is added), or remove the column 2 code.",
        source: "NCCI PTP edits, modifier indicator 1 (NCCI Policy Manual ch.1 §E; ch.11 §I)";
    NCCI_PAIR_ACROSS_ENCOUNTERS = "coding.ncci-pair-across-encounters", Hold, CodingReview, fields: ["timing.lines[].code", "timing.lines[].modifiers", "date_of_service", "patient.id"],
        fix: "Another encounter of the patient's day bills the other code of an NCCI pair: when the sessions were distinct, add XE (separate encounter) or 59 to the column 2 code; otherwise remove it.",
        source: "NCCI PTP edits apply to all services for the beneficiary on the date of service (NCCI Policy Manual ch.1 §A, §E.1: modifiers 59 and X{EPSU})";
    TOO_MANY_MODIFIERS = "modifiers.more-than-four", Hold, CodingReview, fields: ["timing.lines[].modifiers"],
        fix: "A claim line carries four modifiers; drop the informational ones and keep those that affect payment.",
        source: "X12 005010X222A1 SV1-01-3 to SV1-01-6";
    KX_UNKNOWN_YEAR = "modifiers.kx-threshold-year-unknown", Warn, CodingReview, fields: ["date_of_service"],
        fix: "Add the year's KX threshold to the [thresholds] table of the rule pack.",
        source: "BBA 2018 §50202 (threshold indexed each year by the MEI)";
    KX_NO_MEDICAL_NECESSITY = "modifiers.kx-medical-necessity-undocumented", Hold, CodingReview, fields: ["administrative.year_to_date_spend", "compliance.medical_necessity_documented"],
        fix: "Document that services above the threshold are medically necessary before billing with KX.",
        source: "SSA §1833(g)(7); MBPM ch.15 §220.3 (KX attests medical necessity in the record)";
    TARGETED_REVIEW = "modifiers.targeted-review-threshold", Warn, CodingReview, fields: ["administrative.year_to_date_spend", "timing.lines[].charge_per_unit"],
        fix: "Claims above the targeted medical review amount may be reviewed: make sure the record supports medical necessity.",
        source: "BBA 2018 §50202; CMS Therapy Services page ($3,000 through 2027)";
    TELEHEALTH_NOT_COVERED = "telehealth.outside-coverage-window", Hold, CodingReview, fields: ["administrative.modality", "date_of_service"],
        fix: "This payer does not pay therapy by telehealth on this date; bill only in-person visits or change the payer.",
        source: "CAA 2026 (H.R. 7148): PT/OT/SLP telehealth through 2027-12-31";
    TELEHEALTH_CODE_NOT_ALLOWED = "telehealth.code-not-on-telehealth-list", Hold, CodingReview, fields: ["administrative.modality", "timing.lines[].code"],
        fix: "This code cannot be furnished by telehealth; remove it or correct the modality.",
        source: "CMS List of Telehealth Services";
    TELEHEALTH_POS_IN_PERSON = "telehealth.pos-without-telehealth", Hold, CodingReview, fields: ["administrative.place_of_service", "administrative.modality"],
        fix: "POS 02/10 means telehealth: set the modality to telehealth or correct the place of service.",
        source: "CMS Place of Service code set (POS 02, POS 10)";

    // Documentation gates.
    DIAGNOSIS_MISSING = "doc.diagnosis-missing", Hold, DocumentationHold, fields: ["clinical.diagnoses"],
        fix: "Add the treating diagnosis (ICD-10-CM) to the encounter.",
        source: "42 CFR 410.61(b) (the plan states the diagnosis); X12 005010X222A1 HI segment (principal diagnosis required)";
    RENDERING_MISSING = "doc.rendering-provider-missing", Hold, DocumentationHold, fields: ["compliance.rendering"],
        fix: "Record the therapist who furnished the visit (NPI and role).",
        source: "X12 005010X222A1 loop 2310B; MBPM ch.15 §220.3 (the treating clinician signs the note)";
    PLAN_OF_CARE_MISSING = "doc.plan-of-care-missing", Hold, DocumentationHold, fields: ["compliance.plan_of_care"],
        fix: "Attach the plan of care for this discipline (or load it with --context) before billing treatment.",
        source: "42 CFR 410.61; MBPM ch.15 §220.1.2 (evaluation-only visits excepted, MBPM ch.15 §220.1)";
    PLAN_OF_CARE_UNSIGNED = "doc.plan-of-care-unsigned", Hold, DocumentationHold, fields: ["compliance.plan_of_care.signed_on", "administrative.referring_provider.order_signed_on", "compliance.plan_of_care.sent_to_referrer_on"],
        fix: "Get the physician/NPP signature on the plan of care (or, where the pack allows it, record the signed referral and the date the plan was sent).",
        source: "42 CFR 424.24(c); MBPM ch.15 §220.1.3; CY2025 PFS 89 FR 97912 (referral exception)";
    CERTIFICATION_LATE = "doc.certification-late", Hold, DocumentationHold, fields: ["compliance.plan_of_care.signed_on", "compliance.plan_of_care.certification_start", "compliance.plan_of_care.delay_reason"],
        fix: "The plan was certified late (an initial certification more than the allowed days after the first treatment, a recertification after the period it continues ended): document the reason for the delay in `delay_reason`.",
        source: "MBPM ch.15 §220.1.3 (initial certification within 30 days of the first treatment; recertification before the current period ends; delayed certification with its reason)";
    OUTSIDE_CERTIFICATION = "doc.outside-certification-period", Hold, DocumentationHold, fields: ["date_of_service", "compliance.plan_of_care.certification_start", "compliance.plan_of_care.certification_end"],
        fix: "Bill this visit under the plan of care certified for its date, or get the plan recertified.",
        source: "42 CFR 424.24(c); MBPM ch.15 §220.1.2";
    RECERTIFICATION_DUE = "doc.recertification-due", Hold, DocumentationHold, fields: ["date_of_service", "compliance.plan_of_care.certification_start"],
        fix: "Get the plan of care recertified: certification lasts at most the pack's recertification days.",
        source: "42 CFR 424.24(c)(4) (recertification at least every 90 days)";
    PROGRESS_REPORT_OVERDUE = "doc.progress-report-overdue", Hold, DocumentationHold, fields: ["compliance.last_progress_report"],
        fix: "The therapist (not an assistant) writes a progress report; then re-scrub the visit.",
        source: "MBPM ch.15 §220.3.D (at least once every 10 treatment days; reports by assistants are not complete progress reports)";
    FREQUENCY_EXCEEDED = "doc.frequency-exceeded", Warn, DocumentationHold, fields: ["compliance.plan_of_care.frequency", "date_of_service"],
        fix: "Visits beyond the plan's frequency need the plan updated (a change the physician/NPP certifies) or the reason documented; the pack decides whether to hold.",
        source: "42 CFR 410.61(c) (the plan states the frequency and duration); MBPM ch.15 §220.1.2 (changes to the plan are certified)";
    TOTAL_MINUTES_BELOW_TIMED = "doc.total-minutes-below-timed", Hold, DocumentationHold, fields: ["timing.total_treatment_minutes", "timing.lines[].minutes"],
        fix: "Correct the note: total treatment time counts every timed and untimed minute, so it cannot be less than the timed minutes billed.",
        source: "MBPM ch.15 §220.3.E (the note records total timed code treatment minutes and total treatment time); MCPM ch.5 §20.2 (units rest on the timed minutes)";
    EVALUATION_WITHOUT_MEASURES = "doc.evaluation-without-tests-and-measures", Hold, DocumentationHold, fields: ["clinical.tests_and_measures"],
        fix: "Document the objective tests and measures the evaluation used.",
        source: "MBPM ch.15 §220.3.C (evaluations document objective measurements)";
    RE_EVALUATION_WITHOUT_REASON = "doc.re-evaluation-without-reason", Hold, DocumentationHold, fields: ["clinical.re_evaluation_basis", "clinical.re_evaluation_reason"],
        fix: "Code why the re-evaluation was needed (new_clinical_findings, significant_change, failure_to_respond, or other with the reason in words).",
        source: "MBPM ch.15 §220.3.C; Billing and Coding article A53309";
    RE_EVALUATION_ROUTINE = "doc.re-evaluation-routine", Hold, DocumentationHold, fields: ["clinical.re_evaluation_basis"],
        fix: "A routine reassessment is not a billable re-evaluation: bill the visit as treatment (with its progress report), or document the new findings, change in condition or failure to respond that required it.",
        source: "MBPM ch.15 §220.3.C (re-evaluation is not a routine, recurring service); Billing and Coding article A53309";
    SUPERVISOR_MISSING = "doc.supervising-therapist-missing", Hold, DocumentationHold, fields: ["compliance.rendering.supervising_npi"],
        fix: "Record the supervising therapist's NPI: an assistant's or student's services are billed under the therapist who supervised them.",
        source: "42 CFR 410.59(a)(2), 410.60(a)(2) (assistants furnish therapy under a therapist's supervision); MBPM ch.15 §230.1-230.2 (supervision of assistants), §230.B (students)";
    ASSISTANT_RENDERING = "doc.assistant-as-rendering-provider", Hold, DocumentationHold, fields: ["compliance.rendering.role", "compliance.rendering.supervising_npi"],
        fix: "This payer enrolls only therapists: bill under the supervising therapist's NPI and keep CQ/CO on the assistant's units.",
        source: "42 CFR 410.59(a)(2), 410.60(a)(2) (assistant services billed by the supervising therapist) [verify for the payer]";
    STUDENT_MINUTES = "doc.student-minutes-billed", Hold, DocumentationHold, fields: ["timing.lines[].furnished_by.student_alone", "compliance.rendering.role"],
        fix: "Remove the minutes a student furnished without the therapist in the room, and bill under the supervising therapist.",
        source: "MBPM ch.15 §230.B (therapy students) [verify for the payer]";

    VERBAL_ORDER_UNSIGNED = "doc.verbal-order-unsigned", Hold, DocumentationHold, fields: ["administrative.referring_provider.order_kind", "administrative.referring_provider.order_received_on", "administrative.referring_provider.order_signed_on"],
        fix: "Get the verbal or telephone order signed by the practitioner who gave it and record the date it was signed.",
        source: "CMS Program Integrity Manual ch.3 §3.3.2.4 (orders and services must be authenticated by their author); the deadline is the pack's verbal_order_signature_days (state Medicaid and payer rules)";

    // Claim data: what the 837P needs that the record may lack, so that ready to bill means
    // billable and a biller sees every gap at once.
    CLAIM_FIELD_MISSING = "doc.claim-field-missing", Hold, DocumentationHold, fields: ["patient.address", "compliance.rendering.name", "administrative.referring_provider.name", "timing.lines[].charge_per_unit", "administrative.member_id", "administrative.payer.id"],
        fix: "Add the field the message names (in the EMR or the encounter record): the 837P cannot be written without it.",
        source: "ASC X12 005010X222A1 §2.4: N3/N4 of loop 2010BA (2010CA for a dependent), NM103/NM104 of loops 2310A and 2310B, SV102 of loop 2400, NM109 of loops 2010BA (member id) and 2010BB (payer id)";
    PROCEDURES_MISSING = "doc.procedures-missing", Hold, DocumentationHold, fields: ["timing.lines"],
        fix: "Document the procedures furnished at the visit (codes with their minutes), or close the visit as not billable.",
        source: "ASC X12 005010X222A1 loop 2400 (a claim has at least one service line); MBPM ch.15 §220.3.E (the treatment note records each intervention)";
    CLAIM_FIELD_INVALID = "doc.claim-field-invalid", Hold, DocumentationHold, fields: ["compliance.rendering.role"],
        fix: "Correct the field the message names: the 837P cannot carry it as it is.",
        source: "ASC X12 005010X222A1 loop 2310B names a licensed rendering provider (MBPM ch.15 §230.B: students do not bill)";
    NOTHING_BILLABLE = "units.nothing-billable", Hold, DocumentationHold, fields: ["timing.lines[].minutes", "timing.lines[].start", "timing.lines[].stop"],
        fix: "No line earns a unit: document the treatment time if the note supports more, or close the visit as not billable.",
        source: "MCPM ch.5 §20.2 (fewer than 8 timed minutes bill no unit); ASC X12 005010X222A1 loop 2400 (a claim needs a service line)";

    // Timely filing, judged as of the date the caller names (`--as-of`).
    FILING_LIMIT_PASSED = "filing.limit-passed", Hold, CodingReview, fields: ["date_of_service", "administrative.payer"],
        fix: "The payer's filing limit has passed: the claim will be denied (CARC 29). File it only with proof of a timely first filing or an exception the payer accepts; otherwise write it off.",
        source: "42 CFR 424.44 and MCPM ch.1 §70 (Medicare: one calendar year after the date of service); other payers: the filing_limit_days of the pack (contract or state Medicaid rule)";
    FILING_LIMIT_NEAR = "filing.limit-near", Warn, CodingReview, fields: ["date_of_service", "administrative.payer"],
        fix: "Few days are left to file this claim: resolve its holds and send it first.",
        source: "the pack's filing_limit_days and filing_warn_days (42 CFR 424.44 for Medicare)";

    // Authorizations and benefit limits.
    AUTHORIZATION_MISSING = "auth.missing", Hold, Authorization, fields: ["administrative.authorization"],
        fix: "Get a prior authorization from the payer and add it to the ledger (--context authorizations.json).",
        source: "payer authorization policy (rule pack `authorization.required`)";
    AUTHORIZATION_OUTSIDE_DATES = "auth.outside-dates", Hold, Authorization, fields: ["date_of_service", "administrative.authorization"],
        fix: "The visit falls outside every authorization on file: request a new authorization or an extension of the dates.",
        source: "payer authorization policy";
    AUTHORIZATION_VISITS_EXHAUSTED = "auth.visits-exhausted", Hold, Authorization, fields: ["administrative.authorization"],
        fix: "The authorized visits are used up: request more visits before billing, or mark the item patient_pay.",
        source: "payer authorization policy";
    AUTHORIZATION_UNITS_EXHAUSTED = "auth.units-exhausted", Hold, Authorization, fields: ["administrative.authorization", "timing.lines[].code"],
        fix: "The authorized units are used up: request more units before billing, or mark the item patient_pay.",
        source: "payer authorization policy";
    AUTHORIZATION_CODE_NOT_COVERED = "auth.code-not-covered", Hold, Authorization, fields: ["timing.lines[].code", "administrative.authorization"],
        fix: "The authorization covers a group of codes and this one is not among them: ask the payer to add the code, or bill it under an authorization that covers it.",
        source: "payer authorization policy (authorizations by code group, e.g. therapeutic procedures 97110, 97112, 97140, 97530)";
    AUTHORIZATION_RUNNING_OUT = "auth.running-out", Warn, Authorization, fields: ["administrative.authorization"],
        fix: "Ask the payer for an extension now, while this visit can still be billed: few visits or units are left, or the authorization ends soon.",
        source: "payer authorization policy (extensions are requested before the authorization is used up or expires); the thresholds are the pack's";
    AUTHORIZATION_DENIED = "auth.denied", Hold, Authorization, fields: ["administrative.authorization"],
        fix: "The payer denied this authorization: appeal, or bill the patient under a signed waiver.",
        source: "payer authorization policy";
    AUTHORIZATION_PATIENT_PAY = "auth.patient-pay", Hold, Authorization, fields: ["administrative.authorization"],
        fix: "The patient agreed to pay for visits beyond the authorization: bill the patient, not the payer.",
        source: "authorization ledger status set by the clinic";
    AUTHORIZATION_NUMBER_MISMATCH = "auth.number-mismatch", Hold, Authorization, fields: ["administrative.authorization"],
        fix: "Correct the authorization number on the encounter to the one in the ledger (it goes in REF*G1).",
        source: "X12 005010X222A1 loop 2300 REF*G1; payer authorization policy";
    VISIT_CAP_REACHED = "benefit.visit-cap-reached", Hold, Authorization, fields: ["date_of_service", "discipline"],
        fix: "The plan's annual therapy visits are used up: check for a benefit exception or bill the patient.",
        source: "plan benefit limit (rule pack `benefits.visits_per_year`)";
    SPEND_CAP_REACHED = "benefit.spend-cap-reached", Hold, Authorization, fields: ["date_of_service", "timing.lines[].charge_per_unit"],
        fix: "The plan's annual therapy dollar limit is reached: check for a benefit exception or bill the patient.",
        source: "plan benefit limit (rule pack `benefits.spend_cap_cents`)";
    LIFETIME_CAP_REACHED = "benefit.lifetime-cap-reached", Hold, Authorization, fields: ["date_of_service", "discipline", "timing.lines[].charge_per_unit"],
        fix: "The plan's lifetime (or per-condition) therapy maximum is reached: check for a benefit exception or a new condition the plan covers, or bill the patient.",
        source: "plan benefit limit (rule pack `benefits.lifetime_visits`, `benefits.lifetime_spend_cap_cents`); per-injury caps such as California Labor Code §4604.5(c)(1) (24 PT and 24 OT visits per industrial injury)";

    // Coding edits.
    DIAGNOSIS_NOT_SUPPORTED = "coding.diagnosis-does-not-support-code", Hold, CodingReview, fields: ["clinical.diagnoses", "timing.lines[].code"],
        fix: "Add the diagnosis that supports this code, or correct the code.",
        source: "MAC local coverage determinations and billing articles (covered ICD-10-CM lists per therapy code group); the starting lists in data/diagnosis-pairing.toml are cleanclaim's and must be checked against the payer's";
    DIAGNOSIS_AGE_CONFLICT = "coding.diagnosis-age-conflict", Hold, CodingReview, fields: ["clinical.diagnoses", "patient.birth_date"],
        fix: "The diagnosis does not fit the patient's age: correct the diagnosis or the birth date.",
        source: "ICD-10-CM Official Guidelines; CMS Medicare Code Editor age edits";
    DIAGNOSIS_SEX_CONFLICT = "coding.diagnosis-sex-conflict", Hold, CodingReview, fields: ["clinical.diagnoses", "patient.sex"],
        fix: "The diagnosis does not fit the patient's sex: correct the diagnosis or the patient's sex.",
        source: "ICD-10-CM Official Guidelines; CMS Medicare Code Editor sex edits";
    CODE_NOT_COVERED = "coding.code-not-covered", Hold, CodingReview, fields: ["timing.lines[].code", "administrative.modality"],
        fix: "The plan does not cover this code (for this modality): remove it or bill the patient under a waiver.",
        source: "payer coverage policy (rule pack `coding.not_covered`, `coding.not_covered_telehealth`)";
    EVALUATION_REPEATED = "coding.evaluation-repeated-in-episode", Hold, CodingReview, fields: ["timing.lines[].code", "clinical.visit_type"],
        fix: "An episode has one initial evaluation: bill a re-evaluation with its reason (PT and OT have re-evaluation codes; an SLP re-evaluation uses the evaluation code, with the visit marked as a re-evaluation) or start a new episode after discharge.",
        source: "CPT evaluation descriptors; MBPM ch.15 §220.3.C (no SLP re-evaluation code: use the evaluation code)";
    DOCUMENTED_UNITS_DIFFER = "units.documented-units-differ", Hold, CodingReview, fields: ["timing.lines[].units", "timing.lines[].minutes"],
        fix: "The units the EMR sent differ from the units the payer's method gives for the documented minutes: correct the minutes or the units in the record; the claim bills what the minutes support.",
        source: "MCPM ch.5 §20.2 (units of timed codes follow the total timed minutes); CMS compliance newsletter April 2019 (untimed codes: one unit per date of service)";
    EVALUATION_SAME_DAY = "coding.evaluation-entered-twice", Hold, CodingReview, fields: ["timing.lines[].code", "timing.lines[].units"],
        fix: "An evaluation is billed once per date of service: remove the second entry (or its extra units).",
        source: "CMS Medicare Quarterly Provider Compliance Newsletter, April 2019 (untimed evaluation codes: one unit per date of service); CPT evaluation descriptors";
    MUE_EXCEEDED = "coding.mue-exceeded", Hold, CodingReview, fields: ["timing.lines[].code", "timing.lines[].minutes", "timing.lines[].units"],
        fix: "Units exceed the medically unlikely edit for one day: correct the units, or document and appeal when the MUE is clinical (MAI 3).",
        source: "CMS NCCI Medically Unlikely Edits (practitioner services MUE table)";
    TELEHEALTH_MODIFIER_IN_PERSON = "telehealth.modifier-on-in-person-visit", Hold, CodingReview, fields: ["timing.lines[].modifiers", "administrative.modality", "administrative.place_of_service"],
        fix: "A telehealth modifier (95, GT, FQ, FR) is documented on an in-person visit: remove it or correct the modality.",
        source: "CMS List of Telehealth Services; CPT Appendix P (modifier 95)";

    // Rule packs.
    NO_RULES_FOR_DATE = "pack.no-period-for-date", Hold, CodingReview, fields: ["date_of_service", "administrative.payer"],
        fix: "The payer's rule pack has no rules for this date of service: add a period to the pack.",
        source: "cleanclaim rule pack (every value carries an effective date range)";
    EXPRESSION_FAILED = "pack.expression-rule-failed", Hold, CodingReview, fields: [],
        fix: "A payer expression rule could not be evaluated for this encounter: fix the rule's condition (see the message) and re-scrub.",
        source: "cleanclaim rule pack expression rules (CEL)";
}

/// The rule with this id.
pub fn by_id(id: &str) -> Option<&'static Rule> {
    ALL.iter().copied().find(|rule| rule.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_are_unique_and_every_rule_has_a_fix_and_source() {
        for (index, rule) in ALL.iter().enumerate() {
            assert!(
                ALL.iter().skip(index + 1).all(|other| other.id != rule.id),
                "{}",
                rule.id
            );
            assert!(
                rule.fix.ends_with('.') && !rule.source.is_empty(),
                "{}",
                rule.id
            );
        }
        assert_eq!(
            by_id("coding.ncci-pair-not-allowed"),
            Some(&NCCI_NOT_ALLOWED)
        );
    }
}
