//! `cleanclaim generate org`: a synthetic organization (`cleanclaim_synth::Organization`) into
//! a folder, in every format the interfaces read:
//!
//! ```text
//! DIR/organization.json          clinics, their providers (NPI, role, weekdays), the spec
//! DIR/encounters.ndjson          every visit as documented (native JSON), by date of service
//! DIR/context/                   authorizations.json as issued, plans_of_care.json,
//!                                schedule.json (every visit as it was booked, for
//!                                `schedule check`)
//! DIR/hl7/visits.hl7, channels/  one DFT^P03 per visit, a channel file per clinic
//! DIR/fhir/DATE-CLINIC.json      a transaction bundle per clinic and working day
//! DIR/csv/visits.csv             one row per procedure line
//! DIR/defects.csv                each defective visit: its defect and the day its note is signed
//! DIR/fixes/                     corrections.ndjson (records as they should have been),
//!                                authorizations.json (extensions and retro-authorizations)
//! ```

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::{Datelike, NaiveDate};
use clap::Args;
use cleanclaim_app::demo::ledger_item;
use cleanclaim_model::Encounter;
use cleanclaim_scrub::{AuthorizationItem, ScheduledVisit};
use cleanclaim_synth::{DefectRates, OrgSpec, Organization};
use serde_json::json;

use crate::Outcome;
use crate::generate::Hl7Writer;

/// What shapes a synthetic organization, for `generate org` and `demo` alike.
#[derive(Debug, Args)]
pub struct OrgShape {
    #[arg(long, default_value_t = 3)]
    clinics: u32,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Visits a clinic sees a working day (15 providers: about 190 in a busy clinic).
    #[arg(long, default_value_t = 60)]
    visits_per_clinic_day: u32,
    /// Every defect rate times this (1 = the built-in rates, 0 = no defects).
    #[arg(long, default_value_t = 1.0)]
    defect_scale: f64,
}

impl OrgShape {
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The organization over `months` from `start`, the arguments checked.
    pub fn spec(&self, months: u32, start: NaiveDate) -> anyhow::Result<OrgSpec> {
        // Bounds a person might mean; past them the organization would not fit in memory.
        if !(1..=1000).contains(&self.clinics) || !(1..=120).contains(&months) {
            anyhow::bail!("--clinics must be 1 to 1000 and --months 1 to 120");
        }
        if !(1..=2000).contains(&self.visits_per_clinic_day) {
            anyhow::bail!("--visits-per-clinic-day must be 1 to 2000");
        }
        if !(0.0..=20.0).contains(&self.defect_scale) {
            anyhow::bail!("--defect-scale must be between 0 and 20");
        }
        Ok(OrgSpec {
            visits_per_clinic_day: self.visits_per_clinic_day,
            rates: DefectRates::default().scaled(self.defect_scale),
            ..OrgSpec::new(self.clinics, months, self.seed, start)
        })
    }
}

/// The first of the month `months_back` months before this one.
pub fn months_ago(months_back: u32) -> NaiveDate {
    let today = chrono::Local::now().date_naive();
    let this_month = today.with_day0(0).unwrap_or(today);
    this_month
        .checked_sub_months(chrono::Months::new(months_back))
        .unwrap_or(this_month)
}

#[derive(Debug, Args)]
pub struct OrgArgs {
    #[command(flatten)]
    shape: OrgShape,
    #[arg(long, default_value_t = 3)]
    months: u32,
    /// The first day of the period (default: the first of the month `months` before this one).
    #[arg(long)]
    start: Option<NaiveDate>,
    /// The folder to write; it must be empty or new.
    #[arg(long)]
    out: PathBuf,
}

fn create(path: &Path) -> anyhow::Result<BufWriter<File>> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create `{}`", parent.display()))?;
    }
    let file = File::create(path).with_context(|| format!("cannot create `{}`", path.display()))?;
    Ok(BufWriter::with_capacity(1 << 16, file))
}

fn write_json(path: &Path, value: &impl serde::Serialize) -> anyhow::Result<()> {
    let mut out = create(path)?;
    serde_json::to_writer_pretty(&mut out, value)?;
    out.flush()
        .with_context(|| format!("cannot write `{}`", path.display()))
}

pub fn run(args: &OrgArgs) -> anyhow::Result<Outcome> {
    let spec = args.shape.spec(
        args.months,
        args.start.unwrap_or_else(|| months_ago(args.months)),
    )?;
    if args.out.exists()
        && std::fs::read_dir(&args.out)
            .with_context(|| format!("cannot read `{}`", args.out.display()))?
            .next()
            .is_some()
    {
        anyhow::bail!("`{}` is not empty", args.out.display());
    }
    let org = Organization::new(spec.clone());
    let dir = &args.out;
    let clinics: Vec<serde_json::Value> = org
        .clinics
        .iter()
        .map(|clinic| {
            let providers: Vec<serde_json::Value> = clinic
                .providers
                .iter()
                .map(|p| {
                    let days: Vec<&str> = ["mon", "tue", "wed", "thu", "fri"]
                        .into_iter()
                        .zip(p.works)
                        .filter(|(_, works)| *works)
                        .map(|(day, _)| day)
                        .collect();
                    json!({"npi": p.npi, "name": p.name, "role": p.role, "works": days})
                })
                .collect();
            json!({"id": clinic.id, "name": clinic.name, "providers": providers})
        })
        .collect();
    write_json(
        &dir.join("organization.json"),
        &json!({
            "clinics": clinics,
            "start": spec.start,
            "end": spec.end().pred_opt(),
            "seed": spec.seed,
            "visits_per_clinic_day": spec.visits_per_clinic_day,
            "defect_scale": args.shape.defect_scale,
        }),
    )?;
    let mut native = create(&dir.join("encounters.ndjson"))?;
    let mut hl7_out = create(&dir.join("hl7/visits.hl7"))?;
    let mut hl7 = Hl7Writer::new(args.shape.seed);
    let mut defects = create(&dir.join("defects.csv"))?;
    writeln!(defects, "encounter_id,date_of_service,documented_on,defect")?;
    let mut corrections = create(&dir.join("fixes/corrections.ndjson"))?;
    // Streamed as one JSON array: a year of a large organization is millions of visits.
    let mut schedule = create(&dir.join("context/schedule.json"))?;
    schedule.write_all(b"[")?;
    let mut booked = 0u64;
    let mut issued: Vec<AuthorizationItem> = Vec::new();
    let mut fixes: std::collections::BTreeMap<String, AuthorizationItem> = Default::default();
    let mut all_for_csv: Vec<Encounter> = Vec::new();
    let (mut visits, mut defective) = (0u64, 0u64);
    for day in org {
        let encounters: Vec<Encounter> = day.visits.iter().map(|v| v.encounter.clone()).collect();
        // A bundle per clinic and day, as a clinic's EMR would send its day.
        let mut by_clinic: std::collections::BTreeMap<&str, Vec<Encounter>> = Default::default();
        for encounter in &encounters {
            let clinic = encounter
                .administrative
                .location
                .as_deref()
                .unwrap_or("clinic");
            by_clinic.entry(clinic).or_default().push(encounter.clone());
        }
        for (clinic, visits) in &by_clinic {
            let bundle = cleanclaim_emr::fhir::bundle_for(visits);
            write_json(
                &dir.join(format!("fhir/{}-{clinic}.json", day.date)),
                &bundle,
            )?;
        }
        for visit in day.visits {
            visits += 1;
            serde_json::to_writer(&mut native, &visit.encounter)?;
            native.write_all(b"\n")?;
            hl7.write(&mut hl7_out, &visit.encounter)?;
            if let Some(defect) = visit.defect {
                defective += 1;
                writeln!(
                    defects,
                    "{},{},{},{}",
                    visit.encounter.id,
                    visit.encounter.date_of_service,
                    visit.documented_on,
                    defect.name()
                )?;
            }
            schedule.write_all(if booked == 0 { b"\n" } else { b",\n" })?;
            serde_json::to_writer(&mut schedule, &appointment_for(&visit.encounter))?;
            booked += 1;
            if let Some(corrected) = &visit.corrected {
                serde_json::to_writer(&mut corrections, corrected)?;
                corrections.write_all(b"\n")?;
            }
            if let Some(authorization) = &visit.authorization {
                issued.push(ledger_item(authorization));
            }
            if let Some(fix) = &visit.authorization_fix {
                fixes.insert(fix.number.clone(), ledger_item(fix));
            }
        }
        all_for_csv.extend(encounters);
        if all_for_csv.len() >= 10_000 {
            append_csv(&dir.join("csv/visits.csv"), &all_for_csv)?;
            all_for_csv.clear();
        }
    }
    append_csv(&dir.join("csv/visits.csv"), &all_for_csv)?;
    schedule.write_all(b"\n]\n")?;
    for (path, mut out) in [
        ("context/schedule.json", schedule),
        ("encounters.ndjson", native),
        ("hl7/visits.hl7", hl7_out),
        ("defects.csv", defects),
        ("fixes/corrections.ndjson", corrections),
    ] {
        out.flush()
            .with_context(|| format!("cannot write `{}`", dir.join(path).display()))?;
    }
    write_json(&dir.join("context/authorizations.json"), &issued)?;
    write_json(
        &dir.join("fixes/authorizations.json"),
        &fixes.values().collect::<Vec<_>>(),
    )?;
    hl7.write_plans(&dir.join("context"))?;
    hl7.write_channels(&dir.join("hl7/channels"))?;
    println!(
        "wrote {visits} visits of {} clinics ({defective} with a defect) into {}",
        args.shape.clinics,
        dir.display()
    );
    Ok(Outcome::Clean)
}

/// The appointment a visit was booked as: who, when, for which plan and discipline, and the
/// codes the therapist planned (those the note bills).
fn appointment_for(encounter: &Encounter) -> ScheduledVisit {
    let mut planned_codes: Vec<_> = encounter
        .timing
        .lines
        .iter()
        .map(|line| line.code)
        .collect();
    planned_codes.dedup();
    ScheduledVisit {
        appointment_id: Some(encounter.id.clone()),
        patient_id: encounter.patient.id.clone(),
        payer_id: encounter.administrative.payer.id.clone(),
        plan: encounter.administrative.payer.plan,
        date: encounter.date_of_service,
        discipline: encounter.discipline,
        planned_codes,
        planned_units: None,
        condition: encounter
            .clinical
            .diagnoses
            .first()
            .map(|dx| dx.as_str().to_owned()),
    }
}

/// Appends visits to the CSV export, the header only when the file is new.
fn append_csv(path: &Path, encounters: &[Encounter]) -> anyhow::Result<()> {
    let new = !path.exists();
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create `{}`", parent.display()))?;
    }
    let text = cleanclaim_emr::csv_for(encounters);
    let body = if new {
        text.as_str()
    } else {
        text.split_once('\n').map_or("", |(_, rows)| rows)
    };
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("cannot open `{}`", path.display()))?;
    file.write_all(body.as_bytes())
        .with_context(|| format!("cannot write `{}`", path.display()))
}
