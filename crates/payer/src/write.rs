//! The answers as X12 5010 text: 999 (005010X231A1), 277CA (005010X214) and 835
//! (005010X221A1), each one interchange from the payer back to the submitter, with segment
//! counts and control numbers that close.

use chrono::NaiveDate;
use cleanclaim_model::Cents;
use cleanclaim_x12::money::format_cents;

use crate::adjudicate::{ClaimResult, FrontEnd, Received};

/// Who the answers go between, and the 837's control numbers they answer.
#[derive(Debug, Clone, Default)]
pub struct Envelope {
    /// The payer (the 837's ISA08 / GS03).
    pub sender: String,
    /// The submitter (the 837's ISA06 / GS02).
    pub receiver: String,
    /// The 837's GS06 and its transaction sets' ST02.
    pub group_control: String,
    pub transaction_controls: Vec<String>,
    /// NM1*41 submitter name and NM1*85 billing provider name and NPI of the 837.
    pub submitter_name: String,
    pub billing_name: String,
    pub billing_npi: String,
}

/// One payer's share of a file: its id and name and its claims (with what was decided).
#[derive(Debug, Clone)]
pub struct PayerBatch<T> {
    pub id: String,
    pub name: String,
    pub claims: Vec<T>,
}

/// Segments of one transaction set (ST..SE are added by [`Interchange::set`]).
#[derive(Debug, Default)]
struct Body(Vec<String>);

impl Body {
    fn push(&mut self, elements: &[&str]) {
        self.0.push(format!("{}~", elements.join("*")));
    }

    /// NM1*QC: the patient (the subscriber when the claim has no dependent) and the member id.
    fn patient(&mut self, claim: &cleanclaim_x12::x837::Claim) {
        let person = claim
            .patient
            .as_ref()
            .map_or(&claim.subscriber.name, |p| &p.name);
        let member = &claim.subscriber.member_id;
        self.push(&[
            "NM1",
            "QC",
            "1",
            &person.family,
            &person.given,
            "",
            "",
            "",
            "MI",
            member,
        ]);
    }
}

struct Interchange {
    control: u32,
    sets: Vec<String>,
    functional_id: &'static str,
    version: &'static str,
    date: NaiveDate,
}

impl Interchange {
    fn new(
        control: u32,
        functional_id: &'static str,
        version: &'static str,
        date: NaiveDate,
    ) -> Self {
        Self {
            control,
            sets: Vec::new(),
            functional_id,
            version,
            date,
        }
    }

    fn set(&mut self, id: &str, body: Body, with_version: bool) {
        let number = format!("{:04}", self.sets.len() + 1);
        let st = if with_version {
            format!("ST*{id}*{number}*{}~", self.version)
        } else {
            format!("ST*{id}*{number}~")
        };
        let count = body.0.len() + 2;
        self.sets
            .push(format!("{st}{}SE*{count}*{number}~", body.0.concat()));
    }

    fn finish(self, envelope: &Envelope) -> String {
        let pad = |s: &str| format!("{s:<15}").chars().take(15).collect::<String>();
        let (yymmdd, ccyymmdd) = (self.date.format("%y%m%d"), self.date.format("%Y%m%d"));
        format!(
            "ISA*00*          *00*          *ZZ*{}*ZZ*{}*{yymmdd}*1200*^*00501*{:09}*0*P*:~GS*{}*{}*{}*{ccyymmdd}*1200*{}*X*{}~{}GE*{}*{}~IEA*1*{:09}~",
            pad(&envelope.sender),
            pad(&envelope.receiver),
            self.control,
            self.functional_id,
            envelope.sender,
            envelope.receiver,
            self.control,
            self.version,
            self.sets.concat(),
            self.sets.len(),
            self.control,
            self.control,
        )
    }
}

/// The 999: one AK2 per transaction set received, accepted or rejected.
pub fn ack_999(envelope: &Envelope, accepted: bool, control: u32, date: NaiveDate) -> String {
    let mut body = Body::default();
    body.push(&["AK1", "HC", &envelope.group_control, "005010X222A1"]);
    for st in &envelope.transaction_controls {
        body.push(&["AK2", "837", st, "005010X222A1"]);
        if accepted {
            body.push(&["IK5", "A"]);
        } else {
            // 5: one or more segments in error.
            body.push(&["IK5", "R", "5"]);
        }
    }
    let sets = envelope.transaction_controls.len().to_string();
    let accepted_sets = if accepted { sets.clone() } else { "0".into() };
    body.push(&[
        "AK9",
        if accepted { "A" } else { "R" },
        &sets,
        &sets,
        &accepted_sets,
    ]);
    let mut interchange = Interchange::new(control, "FA", "005010X231A1", date);
    interchange.set("999", body, true);
    interchange.finish(envelope)
}

fn service_dates(claim: &cleanclaim_x12::x837::Claim) -> (String, &'static str) {
    let first = claim.lines.iter().map(|l| l.date).min();
    let last = claim.lines.iter().map(|l| l.date).max();
    match (first, last) {
        (Some(a), Some(b)) if a != b => (
            format!("{}-{}", a.format("%Y%m%d"), b.format("%Y%m%d")),
            "RD8",
        ),
        (Some(a), _) => (a.format("%Y%m%d").to_string(), "D8"),
        _ => (String::new(), "D8"),
    }
}

/// The 277CA for one payer's claims: accepted (A2:20) or rejected (A7 with the reason's status
/// code), with the batch's counts and amounts at the receiver and billing provider levels.
pub fn ack_277ca(
    envelope: &Envelope,
    payers: &[PayerBatch<&Received>],
    control: u32,
    date: NaiveDate,
) -> String {
    let day = date.format("%Y%m%d").to_string();
    let mut interchange = Interchange::new(control, "HN", "005010X214", date);
    for PayerBatch {
        id: payer_id,
        name: payer_name,
        claims,
    } in payers
    {
        let mut body = Body::default();
        body.push(&[
            "BHT",
            "0085",
            "08",
            &format!("B{control}"),
            &day,
            "1200",
            "TH",
        ]);
        let accepted = claims
            .iter()
            .filter(|c| c.front_end == FrontEnd::Accepted)
            .count();
        let rejected_count = claims.len() - accepted;
        let amount = |accepted_side: bool| -> Cents {
            claims
                .iter()
                .filter(|c| (c.front_end == FrontEnd::Accepted) == accepted_side)
                .map(|c| c.claim.total())
                .sum()
        };
        let (yu, yy) = (format_cents(amount(true)), format_cents(amount(false)));
        body.push(&["HL", "1", "", "20", "1"]);
        body.push(&["NM1", "PR", "2", payer_name, "", "", "", "", "PI", payer_id]);
        body.push(&["TRN", "1", &envelope.group_control]);
        body.push(&["DTP", "050", "D8", &day]);
        body.push(&["DTP", "009", "D8", &day]);
        body.push(&["HL", "2", "1", "21", "1"]);
        body.push(&[
            "NM1",
            "41",
            "2",
            &envelope.submitter_name,
            "",
            "",
            "",
            "",
            "46",
            &envelope.receiver,
        ]);
        body.push(&["TRN", "2", &envelope.group_control]);
        body.push(&[
            "STC",
            "A1:19",
            &day,
            "WQ",
            &format_cents(amount(true) + amount(false)),
        ]);
        body.push(&["QTY", "90", &accepted.to_string()]);
        body.push(&["QTY", "AA", &rejected_count.to_string()]);
        body.push(&["AMT", "YU", &yu]);
        body.push(&["AMT", "YY", &yy]);
        body.push(&["HL", "3", "2", "19", "1"]);
        body.push(&[
            "NM1",
            "85",
            "2",
            &envelope.billing_name,
            "",
            "",
            "",
            "",
            "XX",
            &envelope.billing_npi,
        ]);
        body.push(&["TRN", "1", &envelope.group_control]);
        body.push(&[
            "STC",
            "A1:19",
            // STC02 is not used at the billing provider level (loop 2200C).
            "",
            "WQ",
            &format_cents(amount(true) + amount(false)),
        ]);
        body.push(&["QTY", "QA", &accepted.to_string()]);
        body.push(&["QTY", "QC", &rejected_count.to_string()]);
        body.push(&["AMT", "YU", &yu]);
        body.push(&["AMT", "YY", &yy]);
        for (n, result) in claims.iter().enumerate() {
            let claim = &result.claim;
            body.push(&["HL", &(n + 4).to_string(), "3", "PT"]);
            body.patient(claim);
            body.push(&["TRN", "2", &claim.id]);
            let charge = format_cents(claim.total());
            match &result.front_end {
                FrontEnd::Accepted => {
                    body.push(&["STC", "A2:20", &day, "WQ", &charge]);
                    body.push(&["REF", "1K", &result.payer_claim_number]);
                }
                FrontEnd::Rejected { status, entity, .. } => {
                    body.push(&["STC", &format!("A7:{status}:{entity}"), &day, "U", &charge]);
                }
            }
            let (dates, qualifier) = service_dates(claim);
            body.push(&["DTP", "472", qualifier, &dates]);
        }
        interchange.set("277", body, true);
    }
    interchange.finish(envelope)
}

/// CLP06 from the 837's SBR09: the 835 has its own list (no CI or BL; commercial plans are
/// reported as preferred provider organizations, 12).
fn claim_filing_code(sbr09: &str) -> &str {
    match sbr09 {
        "MA" | "MB" | "MC" | "WC" | "CH" | "VA" | "OF" | "TV" | "AM" | "DS" | "LM" | "HM"
        | "16" | "17" | "12" | "13" | "14" | "15" => sbr09,
        "BL" | "CI" => "12",
        _ => "ZZ",
    }
}

fn composite_service(result_line: &crate::adjudicate::LineResult) -> String {
    let mut text = format!("HC:{}", result_line.line.code.as_str());
    for modifier in &result_line.line.modifiers {
        text.push(':');
        text.push_str(modifier.as_str());
    }
    text
}

/// The 835 for one payer's adjudicated claims: one payment (or a notice when nothing is paid).
pub fn remittance_835(
    envelope: &Envelope,
    payers: &[PayerBatch<ClaimResult>],
    control: u32,
    date: NaiveDate,
) -> String {
    let day = date.format("%Y%m%d").to_string();
    let mut interchange = Interchange::new(control, "HP", "005010X221A1", date);
    for (
        n,
        PayerBatch {
            id: payer_id,
            name: payer_name,
            claims,
        },
    ) in payers.iter().enumerate()
    {
        let total: Cents = claims.iter().map(ClaimResult::paid).sum();
        let mut body = Body::default();
        let amount = format_cents(total);
        if total > Cents::ZERO {
            body.push(&[
                "BPR",
                "I",
                &amount,
                "C",
                "ACH",
                "CCP",
                "01",
                "999999999",
                "DA",
                "123456",
                "1512345678",
                "",
                "01",
                "888888888",
                "DA",
                "654321",
                &day,
            ]);
        } else {
            body.push(&[
                "BPR", "H", &amount, "C", "NON", "", "", "", "", "", "", "", "", "", "", "", &day,
            ]);
        }
        let trace = format!("{payer_id}{control:09}{n}");
        body.push(&["TRN", "1", &trace, "1512345678"]);
        body.push(&["DTM", "405", &day]);
        body.push(&["N1", "PR", payer_name]);
        // The simulated payer's own address and contact (loop 1000A requires them).
        body.push(&["N3", "PO BOX 1000"]);
        body.push(&["N4", "SPRINGFIELD", "IL", "627010000"]);
        body.push(&["PER", "BL", "PROVIDER SERVICES", "TE", "8005550100"]);
        body.push(&[
            "N1",
            "PE",
            &envelope.billing_name,
            "XX",
            &envelope.billing_npi,
        ]);
        body.push(&["LX", "1"]);
        for result in claims {
            let claim = &result.claim;
            body.push(&[
                "CLP",
                &claim.id,
                result.status,
                &format_cents(result.charge()),
                &format_cents(result.paid()),
                &format_cents(result.patient_responsibility()),
                claim_filing_code(&claim.filing_indicator),
                &result.payer_claim_number,
            ]);
            body.patient(claim);
            for line in &result.lines {
                body.push(&[
                    "SVC",
                    &composite_service(line),
                    &format_cents(line.line.charge),
                    &format_cents(line.paid),
                    "",
                    &line.line.units.to_string(),
                ]);
                body.push(&["DTM", "472", &line.line.date.format("%Y%m%d").to_string()]);
                for group in ["CO", "PR", "OA", "PI"] {
                    let of_group: Vec<_> = line
                        .adjustments
                        .iter()
                        .filter(|a| a.group == group)
                        .collect();
                    for chunk in of_group.chunks(6) {
                        let mut elements = vec!["CAS".to_owned(), group.to_owned()];
                        for adjustment in chunk {
                            elements.push(adjustment.reason.to_owned());
                            elements.push(format_cents(adjustment.cents));
                            elements.push(String::new());
                        }
                        // No trailing empty quantity element.
                        elements.pop();
                        let refs: Vec<&str> = elements.iter().map(String::as_str).collect();
                        body.push(&refs);
                    }
                }
                body.push(&["REF", "6R", &line.line.control_number]);
                if line.allowed > Cents::ZERO {
                    body.push(&["AMT", "B6", &format_cents(line.allowed)]);
                }
                for remark in &line.remarks {
                    body.push(&["LQ", "HE", remark]);
                }
            }
        }
        interchange.set("835", body, false);
    }
    interchange.finish(envelope)
}
