//! Every finding the units-and-modifiers engine can raise: its id, severity, how to fix it
//! and the policy it comes from. Messages name the specifics; these say what to do.

/// What a finding does to the claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Lets the claim through with a note.
    Warn,
    /// Stops the claim until someone fixes the cause.
    Hold,
}

impl Severity {
    /// The name used in output.
    pub fn name(self) -> &'static str {
        match self {
            Self::Warn => "warn",
            Self::Hold => "hold",
        }
    }
}

/// A billing rule that can produce findings.
#[derive(Debug, PartialEq, Eq)]
pub struct Rule {
    pub id: &'static str,
    pub severity: Severity,
    pub fix: &'static str,
    pub source: &'static str,
}

macro_rules! rules {
    ($($name:ident = $id:literal, $severity:ident, fix: $fix:literal, source: $source:literal;)*) => {
        $(
            #[doc = concat!("`", $id, "`: ", $fix)]
            pub const $name: Rule = Rule { id: $id, severity: Severity::$severity, fix: $fix, source: $source };
        )*
        /// Every rule, for `rules explain` and the generated rule list.
        pub const ALL: &[&Rule] = &[$(&$name),*];
    };
}

rules! {
    UNKNOWN_CODE = "units.code-not-in-catalogue", Hold,
        fix: "Correct the code, or add it to the code catalogue with its timing and therapy status.",
        source: "cleanclaim code catalogue (data/codes.toml)";
    TIMED_MINUTES_MISSING = "units.timed-minutes-missing", Hold,
        fix: "Document the direct treatment minutes (or start and stop times) for the timed code.",
        source: "MCPM ch.5 §20.2; MBPM ch.15 §220.3.E (timed minutes in the treatment note)";
    MINUTES_EXCEED_INTERVAL = "units.minutes-exceed-interval", Hold,
        fix: "Correct the minutes or the start/stop times so they agree.",
        source: "MBPM ch.15 §220.3.E (treatment note must support the time billed)";
    UNTIMED_REPEATED = "units.untimed-code-repeated", Warn,
        fix: "Untimed codes are billed once per date of service; remove the duplicate entry.",
        source: "CMS Medicare Quarterly Provider Compliance Newsletter, April 2019";
    GROUP_AS_TIMED = "units.group-time-on-timed-code", Hold,
        fix: "Bill group or concurrent time as 97150 (one unit per patient), not as a one-on-one timed code.",
        source: "MBPM ch.15 §230.1 (group therapy; concurrent therapy billed as group)";
    REPLACE_97014 = "coding.97014-not-recognized", Hold,
        fix: "Report unattended electrical stimulation as G0283 for this payer.",
        source: "Medicare does not recognize 97014 (CMS HCPCS G0283 instructions)";
    DISCIPLINE_CONFLICT = "modifiers.discipline-conflict", Hold,
        fix: "Bill the service under the plan of care of its discipline, or correct the code or modifier.",
        source: "MCPM ch.5 §20.1 (one of GN/GO/GP per line; evaluation codes take their discipline's modifier)";
    ASSISTANT_DISCIPLINE = "modifiers.assistant-discipline-mismatch", Hold,
        fix: "A PTA furnishes PT and an OTA furnishes OT; correct the rendering provider or the plan of care.",
        source: "42 CFR 484.4 (PTA/OTA qualifications); MBPM ch.15 §230.1-230.2";
    SLP_ASSISTANT = "modifiers.slp-assistant-minutes", Hold,
        fix: "Medicare has no SLP assistant modifier; SLP services must be furnished by the SLP. Reassign the minutes.",
        source: "SSA §1834(v) (CQ/CO only for PTA/OTA); MBPM ch.15 §230.3";
    NCCI_NOT_ALLOWED = "coding.ncci-pair-not-allowed", Hold,
        fix: "Remove the column 2 code: this pair cannot be billed together on one day by one provider.",
        source: "NCCI PTP edits, modifier indicator 0 (NCCI Policy Manual ch.1 §E)";
    NCCI_NEEDS_SEPARATE_INTERVAL = "coding.ncci-separate-interval-undocumented", Hold,
        fix: "Document that the services were performed in separate time intervals (then 59/X{EPSU} is added), or remove the column 2 code.",
        source: "NCCI PTP edits, modifier indicator 1 (NCCI Policy Manual ch.1 §E; ch.11 §I)";
    TOO_MANY_MODIFIERS = "modifiers.more-than-four", Hold,
        fix: "A claim line carries four modifiers; drop the informational ones and keep those that affect payment.",
        source: "X12 005010X222A1 SV1-01-3 to SV1-01-6";
    KX_UNKNOWN_YEAR = "modifiers.kx-threshold-year-unknown", Warn,
        fix: "Add the year's KX threshold to data/thresholds.toml.",
        source: "BBA 2018 §50202 (threshold indexed each year by the MEI)";
    KX_NO_MEDICAL_NECESSITY = "modifiers.kx-medical-necessity-undocumented", Hold,
        fix: "Document that services above the threshold are medically necessary before billing with KX.",
        source: "SSA §1833(g)(7); MBPM ch.15 §220.3 (KX attests medical necessity in the record)";
    TARGETED_REVIEW = "modifiers.targeted-review-threshold", Warn,
        fix: "Claims above the targeted medical review amount may be reviewed: make sure the record supports medical necessity.",
        source: "BBA 2018 §50202; CMS Therapy Services page ($3,000 through 2027)";
    TELEHEALTH_NOT_COVERED = "telehealth.outside-coverage-window", Hold,
        fix: "This payer does not pay therapy by telehealth on this date; bill only in-person visits or change the payer.",
        source: "CAA 2026 (H.R. 7148): PT/OT/SLP telehealth through 2027-12-31";
    TELEHEALTH_CODE_NOT_ALLOWED = "telehealth.code-not-on-telehealth-list", Hold,
        fix: "This code cannot be furnished by telehealth; remove it or correct the modality.",
        source: "CMS List of Telehealth Services";
    TELEHEALTH_POS_IN_PERSON = "telehealth.pos-without-telehealth", Hold,
        fix: "POS 02/10 means telehealth: set the modality to telehealth or correct the place of service.",
        source: "CMS Place of Service code set (POS 02, POS 10)";
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
