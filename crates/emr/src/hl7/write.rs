//! Encounters written as DFT^P03 messages, the way a therapy EMR would send them: what the
//! synthetic organization, the interface tests and the benchmarks send over MLLP. Minutes go in
//! PR1-7 (the channel default), clinicians are identified by NPI (XCN-13 = `NPI`), and the
//! encounter id is the visit number (PV1-19).

use cleanclaim_hl7::{Delimiters, MessageWriter, SegmentWriter};
use cleanclaim_model::{Cents, Encounter};
use serde_json::Value;

/// Who sends: MSH-3 and MSH-4.
#[derive(Debug, Clone)]
pub struct Sender {
    pub application: String,
    pub facility: String,
}

fn text<'v>(value: &'v Value, pointer: &str) -> &'v str {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
}

fn compact_date(iso: &str) -> String {
    iso.replace('-', "")
}

fn sex_code(sex: &str) -> &'static str {
    match sex {
        "female" => "F",
        "male" => "M",
        _ => "U",
    }
}

/// An XCN: NPI, family, given, identifier type NPI.
fn clinician(segment: SegmentWriter, field: usize, person: &Value) -> SegmentWriter {
    segment
        .set(field, 1, text(person, "/npi"))
        .set(field, 2, text(person, "/name/family"))
        .set(field, 3, text(person, "/name/given"))
        .set(field, 13, "NPI")
}

/// `encounter` as one DFT^P03 message (segments ended by CR).
pub fn dft_for(
    encounter: &Encounter,
    sender: &Sender,
    control_id: &str,
    timestamp: &str,
) -> String {
    let e = serde_json::to_value(encounter).unwrap_or_default();
    let writer = MessageWriter::new(Delimiters::default());
    let dos = compact_date(text(&e, "/date_of_service"));
    let msh = writer
        .header()
        .field(3, &sender.application)
        .field(4, &sender.facility)
        .field(5, "CLEANCLAIM")
        .field(6, "CC")
        .field(7, timestamp)
        .set(9, 1, "DFT")
        .set(9, 2, "P03")
        .set(9, 3, "DFT_P03")
        .field(10, control_id)
        .field(11, "P")
        .field(12, "2.5.1");
    let evn = writer.segment("EVN").field(1, "P03").field(2, timestamp);
    let mut pid = writer
        .segment("PID")
        .field(1, "1")
        .set(3, 1, text(&e, "/patient/id"))
        .set(3, 4, &sender.application)
        .set(3, 5, "MR")
        .set(5, 1, text(&e, "/patient/name/family"))
        .set(5, 2, text(&e, "/patient/name/given"))
        .field(7, &compact_date(text(&e, "/patient/birth_date")))
        .field(8, sex_code(text(&e, "/patient/sex")));
    if let Some(address) = e.pointer("/patient/address") {
        pid = address_into(pid, 11, address);
    }
    let mut pv1 = writer
        .segment("PV1")
        .field(1, "1")
        .field(2, "O")
        .set(3, 4, text(&e, "/administrative/location"))
        .field(19, &encounter.id);
    if text(&e, "/clinical/visit_type") == "discharge" {
        // PV1-36, discharge disposition: `01` discharged to home (table 0112).
        pv1 = pv1.field(36, "01");
    }
    if let Some(referrer) = e.pointer("/administrative/referring_provider") {
        pv1 = clinician(pv1, 8, referrer);
    }
    let mut message = writer.clone().push(msh).push(evn).push(pid).push(pv1);
    let department = match text(&e, "/discipline") {
        "ot" => "OT",
        "slp" => "ST",
        _ => "PT",
    };
    let empty = Vec::new();
    let lines = e
        .pointer("/timing/lines")
        .and_then(Value::as_array)
        .unwrap_or(&empty);
    let rendering = e
        .pointer("/compliance/rendering")
        .cloned()
        .unwrap_or(Value::Null);
    for (n, line) in lines.iter().enumerate() {
        let number = (n + 1).to_string();
        let code = text(line, "/code");
        let mut ft1 = writer
            .segment("FT1")
            .field(1, &number)
            .field(2, &format!("{}-{number}", encounter.id))
            .field(4, &dos)
            .field(6, "CG")
            .field(7, code)
            .field(10, "1")
            .field(13, department)
            .set(25, 1, code)
            .set(25, 3, "C4");
        if let Some(cents) = line.get("charge_per_unit").and_then(Value::as_i64) {
            ft1 = ft1.field(12, &Cents(cents).decimal());
        }
        ft1 = clinician(ft1, 20, &rendering);
        let modifiers: Vec<&str> = line
            .get("modifiers")
            .and_then(Value::as_array)
            .map(|m| m.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if !modifiers.is_empty() {
            // Repetitions are joined by the repetition separator, which `set` would escape.
            ft1 = ft1.repeated(26, &modifiers);
        }
        let mut pr1 = writer
            .segment("PR1")
            .field(1, &number)
            .field(2, "C4")
            .set(3, 1, code)
            .set(3, 3, "C4")
            .field(5, &dos);
        if let Some(minutes) = line.get("minutes").and_then(Value::as_u64) {
            pr1 = pr1.field(7, &minutes.to_string());
        }
        message = message.push(ft1).push(pr1);
    }
    let diagnoses = e
        .pointer("/clinical/diagnoses")
        .and_then(Value::as_array)
        .unwrap_or(&empty);
    for (n, code) in diagnoses.iter().enumerate() {
        let dg1 = writer
            .segment("DG1")
            .field(1, &(n + 1).to_string())
            .field(2, "I10")
            .set(3, 1, code.as_str().unwrap_or_default())
            .set(3, 3, "I10");
        message = message.push(dg1);
    }
    let mut in1 = writer
        .segment("IN1")
        .field(1, "1")
        .field(2, text(&e, "/administrative/payer/plan"))
        .field(3, text(&e, "/administrative/payer/id"))
        .field(4, text(&e, "/administrative/payer/name"))
        .field(14, text(&e, "/administrative/authorization"))
        .field(36, text(&e, "/administrative/member_id"));
    if let Some(subscriber) = e.pointer("/administrative/subscriber") {
        let relationship = match text(subscriber, "/relationship") {
            "spouse" => "SPO",
            "child" => "CHD",
            "life_partner" => "DOM",
            _ => "OTH",
        };
        in1 = in1
            .set(16, 1, text(subscriber, "/name/family"))
            .set(16, 2, text(subscriber, "/name/given"))
            .field(17, relationship)
            .field(18, &compact_date(text(subscriber, "/birth_date")))
            .field(43, sex_code(text(subscriber, "/sex")));
        if let Some(address) = subscriber.get("address") {
            in1 = address_into(in1, 19, address);
        }
    } else {
        in1 = in1.field(17, "SEL");
    }
    message.push(in1).finish()
}

fn address_into(segment: SegmentWriter, field: usize, address: &Value) -> SegmentWriter {
    segment
        .set(field, 1, text(address, "/line1"))
        .set(field, 2, text(address, "/line2"))
        .set(field, 3, text(address, "/city"))
        .set(field, 4, text(address, "/state"))
        .set(field, 5, text(address, "/zip"))
}

/// A channel file that reads what [`dft_for`] writes for `encounters` of one clinic: every
/// payer by id, every clinician by NPI with the role the encounters give it.
pub fn channel_toml(id: &str, sender: &Sender, clinic: &str, encounters: &[Encounter]) -> String {
    let mut builder = ChannelBuilder::default();
    for encounter in encounters {
        builder.add(encounter);
    }
    builder.toml(id, sender, clinic)
}

/// The payers and clinicians of encounters seen one at a time, for a channel file that reads
/// their DFT messages (a generator streams millions; only these tables are kept).
#[derive(Debug, Default)]
pub struct ChannelBuilder {
    payers: std::collections::BTreeMap<String, (String, String)>,
    /// NPI → (role, supervising NPI, supervising name as `FAMILY^GIVEN`).
    providers: std::collections::BTreeMap<String, (String, String, String)>,
}

impl ChannelBuilder {
    pub fn add(&mut self, encounter: &Encounter) {
        let e = serde_json::to_value(encounter).unwrap_or_default();
        self.payers.insert(
            text(&e, "/administrative/payer/id").to_owned(),
            (
                text(&e, "/administrative/payer/name").to_owned(),
                text(&e, "/administrative/payer/plan").to_owned(),
            ),
        );
        for pointer in [
            "/compliance/rendering",
            "/administrative/referring_provider",
        ] {
            if let Some(person) = e.pointer(pointer) {
                let role = match text(person, "/role") {
                    "" => "pt",
                    role => role,
                };
                self.providers
                    .entry(text(person, "/npi").to_owned())
                    .or_insert_with(|| {
                        let supervisor_name = match (
                            text(person, "/supervising_name/family"),
                            text(person, "/supervising_name/given"),
                        ) {
                            ("", _) => String::new(),
                            (family, given) => format!("{family}^{given}"),
                        };
                        (
                            role.to_owned(),
                            text(person, "/supervising_npi").to_owned(),
                            supervisor_name,
                        )
                    });
            }
        }
    }

    pub fn toml(&self, id: &str, sender: &Sender, clinic: &str) -> String {
        use std::fmt::Write;
        let quote = |s: &str| serde_json::to_string(s).unwrap_or_default();
        let mut out = String::new();
        let _ = writeln!(
            out,
            "id = {}\nsending_application = {}\nsending_facility = {}\nclinic = {}\n",
            quote(id),
            quote(&sender.application),
            quote(&sender.facility),
            quote(clinic)
        );
        out.push_str("[disciplines]\nPT = \"pt\"\nOT = \"ot\"\nST = \"slp\"\n\n");
        for (payer, (name, plan)) in &self.payers {
            let _ = writeln!(
                out,
                "[payers.{}]\nid = {}\nname = {}\nplan = {}\n",
                quote(payer),
                quote(payer),
                quote(name),
                quote(plan)
            );
        }
        for (npi, (role, supervisor, supervisor_name)) in &self.providers {
            let _ = writeln!(
                out,
                "[providers.{}]\nnpi = {}\nrole = {}",
                quote(npi),
                quote(npi),
                quote(role)
            );
            if !supervisor.is_empty() {
                let _ = writeln!(out, "supervising_npi = {}", quote(supervisor));
            }
            if !supervisor_name.is_empty() {
                let _ = writeln!(out, "supervising_name = {}", quote(supervisor_name));
            }
            out.push('\n');
        }
        out
    }
}
