//! Billed lines and the explanations they carry: how the units were counted and why each
//! modifier is there.

use std::fmt;

use chrono::NaiveDate;
use cleanclaim_model::{Cents, Discipline, Modality, Modifier, PlaceOfService, ProcedureCode};

use crate::assistant::AssistantSplit;
use crate::day_pool::DayShare;
use crate::thresholds::Bucket;
use crate::units::{PooledShare, units_for_minutes};

/// How a line's units were counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitBasis {
    /// CMS total-time method: the code's share of the day's pooled timed units.
    Pooled(PooledShare),
    /// CMS total-time method on a visit that follows others of the same discipline that day:
    /// what the day's pooled units allow beyond what the earlier visits billed.
    PooledDay(DayShare),
    /// Per-code midpoint method: the code's own minutes through the unit table.
    PerCode,
    /// Per-code midpoint method on a visit that follows others of the same discipline that
    /// day: the code's minutes for the whole day through the unit table, less the units the
    /// earlier visits billed for it.
    PerCodeDay {
        /// The code's minutes on the day, every visit's together.
        day_minutes: u32,
        /// Units the earlier visits billed for the code.
        earlier_units: u32,
    },
    /// An untimed code: one unit per date of service.
    Untimed { entries: u32 },
    /// A timed code with no minutes documented.
    MissingMinutes,
    /// A code the catalogue does not know.
    NotInCatalogue,
}

/// Why a modifier is on a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModifierReason {
    /// GP/GO/GN from the plan of care's discipline (MCPM ch.5 §20.1).
    Discipline {
        discipline: Discipline,
        sometimes_therapy: bool,
    },
    /// CQ/CO for units an assistant furnished beyond de minimis.
    Assistant { split: AssistantSplit },
    /// KX above the annual threshold.
    Kx {
        year: i32,
        bucket: Bucket,
        running_total: Cents,
        threshold: Cents,
        /// The running total counts allowed amounts (a fee schedule is loaded), not charges.
        allowed: bool,
    },
    /// The payer's telehealth modifier.
    Telehealth { modality: Modality },
    /// An NCCI-associated modifier on the column 2 code of a PTP pair.
    Ncci { column1: ProcedureCode },
    /// Documented by the clinic on the encounter.
    Documented,
}

/// A modifier with its reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppliedModifier {
    pub modifier: Modifier,
    pub reason: ModifierReason,
}

/// One line of the claim as it will be billed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BilledLine {
    pub code: ProcedureCode,
    pub units: u32,
    /// The code's documented minutes for the day (all entries and both halves of an
    /// assistant split together).
    pub minutes: Option<u32>,
    /// Units times the clinic's charge per unit, when it sent one.
    pub charge: Option<Cents>,
    pub modifiers: Vec<AppliedModifier>,
    pub basis: UnitBasis,
    /// Set when the code's units were split into a line with CQ/CO and one without.
    pub assistant_split: Option<AssistantSplit>,
    /// The earlier visits of the day whose timed minutes were pooled with this one's
    /// ([`UnitBasis::PooledDay`], [`UnitBasis::PerCodeDay`]); empty otherwise.
    pub pooled_with: Vec<String>,
}

impl BilledLine {
    /// The minutes this line stands for. A code split for CQ/CO is two lines: the one with
    /// the assistant modifier stands for the assistant's minutes alone, the other for the
    /// therapist's (alone and together); otherwise the code's minutes for the day.
    pub fn own_minutes(&self) -> Option<u32> {
        match self.assistant_split {
            Some(split) if self.has_assistant_modifier() => Some(split.assistant_minutes),
            Some(split) => Some(split.therapist_minutes),
            None => self.minutes,
        }
    }

    fn has_assistant_modifier(&self) -> bool {
        self.modifiers
            .iter()
            .any(|m| matches!(m.reason, ModifierReason::Assistant { .. }))
    }

    /// The modifiers alone, in claim order.
    pub fn modifier_codes(&self) -> impl Iterator<Item = Modifier> + '_ {
        self.modifiers.iter().map(|m| m.modifier)
    }

    /// A sentence a biller or therapist can read: how the units came out and why each
    /// modifier is there.
    pub fn explanation(&self) -> String {
        let mut text = UnitsExplanation(self).to_string();
        if let Some(split) = self.assistant_split
            && !self.has_assistant_modifier()
        {
            text.push_str(&format!(
                "; no assistant modifier on these {} unit(s): the therapist furnished them (therapist {} min incl. together, assistant {} min alone)",
                self.units, split.therapist_minutes, split.assistant_minutes
            ));
        }
        for applied in &self.modifiers {
            text.push_str(&format!("; {}: {}", applied.modifier, applied.reason));
        }
        text
    }
}

struct UnitsExplanation<'a>(&'a BilledLine);

impl fmt::Display for UnitsExplanation<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let line = self.0;
        let minutes = line.minutes.unwrap_or(0);
        match line.basis {
            UnitBasis::Pooled(share) if share.pooled_units == 0 => write!(
                f,
                "{} timed minutes in all, under 8: no units (MCPM ch.5 §20.2)",
                share.pooled_minutes
            ),
            UnitBasis::Pooled(share) => {
                write!(
                    f,
                    "{} timed minutes -> {} units (CMS 8-minute rule, MCPM ch.5 §20.2); {} had {} min = {} full unit(s)",
                    share.pooled_minutes, share.pooled_units, line.code, minutes, share.full_units
                )?;
                if share.got_remainder {
                    write!(
                        f,
                        " + 1 of the {} remaining unit(s) for its {} leftover min, among the most leftover minutes",
                        share.remainder_units, share.leftover
                    )?;
                } else if share.leftover > 0 && share.remainder_units == 0 {
                    write!(
                        f,
                        "; its {} leftover min: the pooled total left no unit for leftovers",
                        share.leftover
                    )?;
                } else if share.leftover > 0 {
                    write!(
                        f,
                        "; its {} leftover min ranked below the codes that took the {} remaining unit(s)",
                        share.leftover, share.remainder_units
                    )?;
                }
                if let Some(tie) = share.tie {
                    let rule = if tie.won_on_total_minutes {
                        "it had more total minutes"
                    } else {
                        "equal minutes, lower code number"
                    };
                    write!(
                        f,
                        "; tie: {} had the same leftover, {} chosen because {rule} (either is valid, §20.2 Example 2)",
                        tie.passed_over, line.code
                    )?;
                }
                write!(f, " -> {} unit(s) in all", share.units())
            }
            UnitBasis::PooledDay(share) => write!(
                f,
                "the day's timed minutes pooled with the earlier visit(s) {} (one discipline's minutes on a date of service count together, MCPM ch.5 §20.2): {} min -> {} unit(s) for the day, {} already billed; {} had {} min here and the day's allocation gives it {} unit(s), {} of them billed earlier -> {} unit(s) on this visit",
                line.pooled_with.join(", "),
                share.day.pooled_minutes,
                share.day.pooled_units,
                share.earlier_units,
                line.code,
                minutes,
                share.day.units(),
                share.earlier_units_of_code,
                share.units
            ),
            UnitBasis::PerCode => write!(
                f,
                "{} counted on its own (CPT time rule, per code): {} min -> {} unit(s)",
                line.code, minutes, line.units
            ),
            UnitBasis::PerCodeDay {
                day_minutes,
                earlier_units,
            } => write!(
                f,
                "{} counted on its own for the whole date of service (CPT time rule, per code and date), with the earlier visit(s) {}: {} min here, {} min on the day -> {} unit(s) for the day, {} already billed -> {} unit(s) on this visit",
                line.code,
                line.pooled_with.join(", "),
                minutes,
                day_minutes,
                units_for_minutes(day_minutes),
                earlier_units,
                line.units
            ),
            UnitBasis::Untimed { entries } if entries > 1 => write!(
                f,
                "untimed code: 1 unit per date of service whatever the minutes; {entries} entries billed once"
            ),
            UnitBasis::Untimed { .. } => {
                f.write_str("untimed code: 1 unit per date of service whatever the minutes")
            }
            UnitBasis::MissingMinutes => f.write_str(
                "timed code with no minutes documented: 0 units until minutes are documented",
            ),
            UnitBasis::NotInCatalogue => {
                f.write_str("code not in the catalogue: 1 unit pending coding review")
            }
        }?;
        if line.units == 0 {
            f.write_str("; not billed")?;
        }
        Ok(())
    }
}

impl fmt::Display for ModifierReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::Discipline {
                discipline,
                sometimes_therapy: false,
            } => write!(
                f,
                "always-therapy code under the {} plan of care (MCPM ch.5 §20.1)",
                discipline.label()
            ),
            Self::Discipline {
                discipline,
                sometimes_therapy: true,
            } => write!(
                f,
                "sometimes-therapy code furnished under the {} plan of care (MCPM ch.5 §20.1)",
                discipline.label()
            ),
            Self::Assistant { split } => write!(
                f,
                "furnished in whole or in part by an assistant: {} of {} unit(s); assistant {} min alone, therapist {} min incl. together (SSA §1834(v); CY2022 PFS final rule, 10% de minimis per unit)",
                split.with_modifier,
                split.with_modifier + split.without_modifier,
                split.assistant_minutes,
                split.therapist_minutes
            ),
            Self::Kx {
                year,
                bucket,
                running_total,
                threshold,
                allowed,
            } => write!(
                f,
                "{} therapy this year reaches {running_total} with this line, above the CY{year} threshold {threshold} (BBA 2018 §50202); counted in {}",
                bucket.label(),
                if allowed {
                    "allowed amounts from the fee schedule (billed charges for codes it does not list)"
                } else {
                    "billed charges: no fee schedule is loaded, and the threshold counts allowed amounts"
                }
            ),
            Self::Telehealth { modality } => write!(
                f,
                "therapy furnished by telehealth ({}) (CY2024 PFS final rule, 88 FR 78874)",
                modality_label(modality)
            ),
            Self::Ncci { column1 } => write!(
                f,
                "column 2 of an NCCI pair with {column1}; documentation states a separate interval (NCCI Policy Manual ch.1 §E)"
            ),
            Self::Documented => f.write_str("documented by the clinic"),
        }
    }
}

fn modality_label(modality: Modality) -> &'static str {
    match modality {
        Modality::InPerson => "in person",
        Modality::TelehealthHome => "patient at home",
        Modality::TelehealthOther => "patient not at home",
    }
}

/// Why the claim carries its place of service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PosReason {
    /// An in-person visit: the documented place of service.
    AsDocumented,
    /// Telehealth to the patient's home: POS 10 (Medicare pays it from 2024-01-01).
    TelehealthHome,
    /// Telehealth to a patient elsewhere: POS 02.
    TelehealthOther,
    /// Telehealth before 2024: the POS that would have applied in person (PHE instructions).
    PheTelehealth,
}

/// The claim's place of service and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PosDecision {
    pub place_of_service: PlaceOfService,
    pub reason: PosReason,
}

/// Medicare pays POS 10 at the non-facility rate from this date (NGS "Telehealth Changes for 2024").
pub const POS_10_FROM: Option<NaiveDate> = NaiveDate::from_ymd_opt(2024, 1, 1);

impl fmt::Display for PosDecision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pos = self.place_of_service;
        match self.reason {
            PosReason::AsDocumented => write!(f, "POS {pos}: as documented for an in-person visit"),
            PosReason::TelehealthHome => write!(
                f,
                "POS {pos}: telehealth with the patient at home (CY2024 PFS; NGS Telehealth Changes for 2024)"
            ),
            PosReason::TelehealthOther => write!(
                f,
                "POS {pos}: telehealth with the patient somewhere other than home"
            ),
            PosReason::PheTelehealth => write!(
                f,
                "POS {pos}: telehealth before 2024 is billed with the in-person POS and modifier 95 (PHE instructions)"
            ),
        }
    }
}
