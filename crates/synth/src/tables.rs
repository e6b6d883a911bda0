//! The fixed vocabularies synthetic encounters draw from. Names are invented; diagnoses,
//! codes and fees are realistic for outpatient therapy.

use cleanclaim_model::{Discipline, PlanType};

/// The clinics (locations) of the synthetic organization, by their id in cleanclaim.
pub const CLINICS: [&str; 3] = ["north", "south", "east"];

pub const FAMILY_NAMES: [&str; 24] = [
    "Alvarez",
    "Brooks",
    "Chen",
    "Dubois",
    "Eriksen",
    "Fofana",
    "Garcia",
    "Hughes",
    "Ibarra",
    "Jensen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Patel",
    "Quinn",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Usman",
    "Varga",
    "Whitfield",
    "Yilmaz",
];

pub const GIVEN_NAMES: [&str; 20] = [
    "Ada", "Bruno", "Carmen", "Dev", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonah", "Kira",
    "Luis", "Maya", "Nils", "Olga", "Priya", "Rafael", "Sana", "Tomas", "Wren",
];

/// ICD-10-CM diagnoses typical of each discipline's outpatient caseload.
pub fn diagnoses(discipline: Discipline) -> &'static [&'static str] {
    match discipline {
        Discipline::Pt => &[
            "M54.50", "M25.561", "M17.11", "S83.511A", "M75.101", "R26.89", "M62.81", "Z96.651",
            "G89.29", "M48.061",
        ],
        Discipline::Ot => &[
            "M79.641", "S62.101A", "G56.01", "I69.351", "M19.041", "R27.8", "M65.311", "S52.501A",
        ],
        Discipline::Slp => &[
            "R13.12", "R47.01", "I69.320", "F80.2", "R49.0", "R41.841", "G12.21",
        ],
    }
}

/// Timed treatment codes each discipline bills, with their per-unit charge in cents.
pub fn timed_codes(discipline: Discipline) -> &'static [(&'static str, i64)] {
    match discipline {
        Discipline::Pt => &[
            ("97110", 4200),
            ("97112", 4600),
            ("97140", 4100),
            ("97116", 3900),
            ("97530", 4700),
            ("97535", 4400),
            ("97035", 1900),
        ],
        Discipline::Ot => &[
            ("97530", 4700),
            ("97535", 4400),
            ("97110", 4200),
            ("97112", 4600),
            ("97140", 4100),
            ("97760", 5200),
        ],
        Discipline::Slp => &[("97129", 3600), ("97130", 3200)],
    }
}

/// Untimed treatment codes: SLP treatment, supervised modalities, group.
pub fn untimed_treatment(discipline: Discipline) -> &'static [(&'static str, i64)] {
    match discipline {
        Discipline::Pt => &[
            ("G0283", 1500),
            ("97010", 900),
            ("97012", 1800),
            ("97150", 2500),
        ],
        Discipline::Ot => &[("97018", 1200), ("97150", 2500), ("97010", 900)],
        Discipline::Slp => &[("92507", 9800), ("92526", 10200)],
    }
}

/// Evaluation and re-evaluation codes with charges.
pub fn evaluation(discipline: Discipline, re_evaluation: bool) -> (&'static str, i64) {
    match (discipline, re_evaluation) {
        (Discipline::Pt, false) => ("97162", 12500),
        (Discipline::Pt, true) => ("97164", 8600),
        (Discipline::Ot, false) => ("97166", 12800),
        (Discipline::Ot, true) => ("97168", 8800),
        (Discipline::Slp, _) => ("92523", 21000),
    }
}

/// Payers with their plan type and relative weight in a typical outpatient caseload.
pub const PAYERS: [(&str, &str, PlanType, u32); 7] = [
    (
        "04412",
        "Medicare Part B (Novitas JL)",
        PlanType::MedicarePartB,
        36,
    ),
    (
        "MA001",
        "Humana Medicare Advantage",
        PlanType::MedicareAdvantage,
        14,
    ),
    ("87726", "UnitedHealthcare", PlanType::Commercial, 14),
    ("00590", "Blue Cross Blue Shield", PlanType::Commercial, 12),
    ("MCD01", "State Medicaid", PlanType::Medicaid, 12),
    ("WC100", "Workers Comp Mutual", PlanType::WorkersComp, 8),
    ("AETNA", "Aetna", PlanType::Other, 4),
];

/// Standardized tests and measures by discipline.
pub fn measures(discipline: Discipline) -> &'static [&'static str] {
    match discipline {
        Discipline::Pt => &[
            "Berg Balance Scale",
            "Timed Up and Go",
            "Oswestry Disability Index",
            "Lower Extremity Functional Scale",
        ],
        Discipline::Ot => &[
            "QuickDASH",
            "Canadian Occupational Performance Measure",
            "Grip dynamometry",
        ],
        Discipline::Slp => &[
            "Boston Naming Test",
            "Functional Oral Intake Scale",
            "Western Aphasia Battery",
        ],
    }
}
