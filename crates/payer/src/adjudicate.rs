//! How the simulated payer judges one claim: front-end edits (the 277CA), then each line by
//! the payer's rules (the 835): denials with the CARC and RARC codes payers send, the allowed
//! amount from the fee schedule, the contractual write-down, deductible and coinsurance.
//! Every line balances: charge = paid + every adjustment.

use chrono::NaiveDate;
use cleanclaim_model::{Cents, PlaceOfService};
use cleanclaim_x12::x837::{Claim, ClaimFrequency, ServiceLine};

use crate::rules::{MemberIdRule, PayerRules, Rules, is_mbi};
use crate::state::PayerState;

/// A 277CA verdict on a claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrontEnd {
    Accepted,
    /// STC01: category A7 (rejected), the status code and the entity it concerns.
    Rejected {
        status: &'static str,
        entity: &'static str,
        reason: &'static str,
    },
}

/// One CAS adjustment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adjustment {
    /// CO (contractual), PR (patient responsibility), OA, PI.
    pub group: &'static str,
    /// The claim adjustment reason code.
    pub reason: &'static str,
    pub cents: Cents,
}

#[derive(Debug, Clone)]
pub struct LineResult {
    pub line: ServiceLine,
    pub allowed: Cents,
    pub paid: Cents,
    pub adjustments: Vec<Adjustment>,
    /// Remittance advice remark codes (LQ*HE).
    pub remarks: Vec<&'static str>,
}

/// A claim as the payer's front end received it: the number it gave the claim and its
/// verdict, before adjudication (all a 277CA says).
#[derive(Debug, Clone)]
pub struct Received {
    pub claim: Claim,
    pub payer_claim_number: String,
    pub front_end: FrontEnd,
}

#[derive(Debug, Clone)]
pub struct ClaimResult {
    pub claim: Claim,
    /// CLP02: 1 processed as primary, 4 denied.
    pub status: &'static str,
    pub lines: Vec<LineResult>,
    pub payer_claim_number: String,
}

impl ClaimResult {
    pub fn charge(&self) -> Cents {
        self.claim.total()
    }

    pub fn paid(&self) -> Cents {
        self.lines.iter().map(|l| l.paid).sum()
    }

    pub fn patient_responsibility(&self) -> Cents {
        self.lines
            .iter()
            .flat_map(|l| &l.adjustments)
            .filter(|a| a.group == "PR")
            .map(|a| a.cents)
            .sum()
    }
}

/// A deterministic share in thousandths, from a text (FNV-1a): the same member is found or not
/// the same way in every run.
fn per_thousand(text: &str) -> u32 {
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    u32::try_from(hash % 1000).unwrap_or(0)
}

/// The 277CA edits.
pub fn front_end(claim: &Claim, rules: &Rules) -> FrontEnd {
    let Some(payer) = rules.payer(&claim.payer_id) else {
        // A7:21 missing or invalid information; entity PR, the payer.
        return FrontEnd::Rejected {
            status: "21",
            entity: "PR",
            reason: "the payer id is not one this clearinghouse routes",
        };
    };
    let member = &claim.subscriber.member_id;
    if payer.member_id == MemberIdRule::Mbi && !is_mbi(member) {
        // A7:164 entity's contract/member number; entity IL, the insured.
        return FrontEnd::Rejected {
            status: "164",
            entity: "IL",
            reason: "the member id is not a Medicare Beneficiary Identifier",
        };
    }
    let unknown = payer
        .unknown_member_per_thousand
        .unwrap_or(rules.defaults.unknown_member_per_thousand);
    if per_thousand(&format!("{}|{member}", payer.id)) < unknown {
        // A7:33 subscriber and subscriber id not found.
        return FrontEnd::Rejected {
            status: "33",
            entity: "IL",
            reason: "the member is not found",
        };
    }
    FrontEnd::Accepted
}

fn has(line: &ServiceLine, modifiers: &[&str]) -> bool {
    line.modifiers
        .iter()
        .any(|m| modifiers.contains(&m.as_str()))
}

/// Denies a whole line for one reason.
fn denied(line: &ServiceLine, reason: &'static str, remark: &'static str) -> LineResult {
    LineResult {
        line: line.clone(),
        allowed: Cents::ZERO,
        paid: Cents::ZERO,
        adjustments: vec![Adjustment {
            group: "CO",
            reason,
            cents: line.charge,
        }],
        remarks: vec![remark],
    }
}

/// Adjudicates an accepted claim, updating what the payer remembers.
pub fn adjudicate(
    claim: &Claim,
    rules: &Rules,
    state: &mut PayerState,
    today: NaiveDate,
    payer_claim_number: String,
) -> ClaimResult {
    let Some(payer) = rules.payer(&claim.payer_id) else {
        let lines = claim
            .lines
            .iter()
            .map(|l| denied(l, "109", "N418"))
            .collect();
        return ClaimResult {
            claim: claim.clone(),
            status: "4",
            lines,
            payer_claim_number,
        };
    };
    let key = format!("{}|{}", payer.id, claim.id);
    let duplicate = claim.frequency == ClaimFrequency::Original && state.adjudicated.contains(&key);
    state.adjudicated.insert(key);
    let first_date = claim.lines.iter().map(|l| l.date).min().unwrap_or(today);
    let filing_limit = payer
        .timely_filing_days
        .unwrap_or(rules.defaults.timely_filing_days);
    let whole_claim_denial: Option<(&'static str, &'static str)> = if duplicate {
        Some(("18", "N522"))
    } else if (today - first_date).num_days() > filing_limit {
        Some(("29", "N211"))
    } else if payer.requires_authorization && claim.prior_authorization.is_none() {
        Some(("197", "M62"))
    } else if !draw_on_authorization(claim, state, first_date) {
        Some(("198", "N54"))
    } else {
        None
    };
    let lines: Vec<LineResult> = match whole_claim_denial {
        Some((reason, remark)) => claim
            .lines
            .iter()
            .map(|l| denied(l, reason, remark))
            .collect(),
        None => claim
            .lines
            .iter()
            .map(|line| adjudicate_line(claim, line, payer, rules, state))
            .collect(),
    };
    let status = if lines
        .iter()
        .all(|l| l.paid.is_zero() && l.allowed.is_zero())
    {
        "4"
    } else {
        "1"
    };
    ClaimResult {
        claim: claim.clone(),
        status,
        lines,
        payer_claim_number,
    }
}

/// Draws the claim's visit on the authorization it names, when the payer issued that number:
/// false when the date is outside the grant or its visits are used up (CARC 198, exceeded).
fn draw_on_authorization(claim: &Claim, state: &mut PayerState, date: NaiveDate) -> bool {
    let Some(grant) = claim
        .prior_authorization
        .as_ref()
        .and_then(|number| state.authorizations.get_mut(number))
    else {
        return true;
    };
    if grant.drawn_by.contains(&claim.id) {
        return true;
    }
    let within = (grant.from..=grant.to).contains(&date);
    if !within || grant.drawn_by.len() >= usize::try_from(grant.visits).unwrap_or(usize::MAX) {
        return false;
    }
    grant.drawn_by.insert(claim.id.clone());
    true
}

/// Whether the line was furnished by telehealth: POS 02 or 10 on the claim, or modifier 95.
fn by_telehealth(claim: &Claim, line: &ServiceLine) -> bool {
    [
        PlaceOfService::TELEHEALTH_OTHER,
        PlaceOfService::TELEHEALTH_HOME,
    ]
    .contains(&claim.place_of_service)
        || has(line, &["95"])
}

fn adjudicate_line(
    claim: &Claim,
    line: &ServiceLine,
    payer: &PayerRules,
    rules: &Rules,
    state: &mut PayerState,
) -> LineResult {
    let code = line.code.as_str();
    if rules.therapy_codes.iter().any(|c| c == code) && !has(line, &["GP", "GO", "GN"]) {
        return denied(line, "4", "N822");
    }
    if !rules.telehealth_codes.is_empty()
        && by_telehealth(claim, line)
        && !rules.telehealth_codes.iter().any(|c| c == code)
    {
        return denied(line, "5", "M77");
    }
    if let Some(required) = rules.diagnosis_required.iter().find(|d| d.code == code)
        && !claim.diagnoses.iter().any(|d| {
            required
                .prefixes
                .iter()
                .any(|p| d.as_str().starts_with(p.as_str()))
        })
    {
        return denied(line, "11", "M76");
    }
    let bundled = rules.ncci_pairs.iter().any(|[column1, column2]| {
        column2 == code
            && claim
                .lines
                .iter()
                .any(|other| other.date == line.date && other.code.as_str() == column1)
    });
    if bundled && !has(line, &["59", "XE", "XS", "XP", "XU"]) {
        return denied(line, "97", "M15");
    }
    let units = i64::from(line.units.max(1));
    let allowed_units = rules
        .units_per_day
        .get(code)
        .map_or(units, |&limit| units.min(i64::from(limit)));
    let charge = line.charge.0;
    let covered_charge = charge.saturating_mul(allowed_units) / units;
    let mut adjustments = Vec::new();
    let mut remarks = Vec::new();
    if covered_charge < charge {
        adjustments.push(Adjustment {
            group: "CO",
            reason: "151",
            cents: Cents(charge - covered_charge),
        });
        remarks.push("N362");
    }
    let fee = match rules.fee_schedule.get(code) {
        Some(&fee) => fee.saturating_mul(allowed_units),
        None => covered_charge.saturating_mul(rules.defaults.allowed_percent_of_charge) / 100,
    };
    let allowed = fee.min(covered_charge);
    let year = line.date.format("%Y").to_string();
    let member_year = format!("{}|{}|{year}", payer.id, claim.subscriber.member_id);
    let therapy = rules.therapy_codes.iter().any(|c| c == code);
    if therapy && let Some(threshold) = payer.kx_threshold_cents {
        let so_far = state
            .therapy_allowed
            .get(&member_year)
            .copied()
            .unwrap_or(0);
        if so_far.saturating_add(allowed) > threshold && !has(line, &["KX"]) {
            return denied(line, "119", "N640");
        }
    }
    if covered_charge > allowed {
        adjustments.push(Adjustment {
            group: "CO",
            reason: "45",
            cents: Cents(covered_charge - allowed),
        });
    }
    let deductible = payer
        .deductible_cents
        .unwrap_or(rules.defaults.deductible_cents);
    let met = state.deductible_met.get(&member_year).copied().unwrap_or(0);
    let toward_deductible = (deductible - met).clamp(0, allowed);
    if toward_deductible > 0 {
        adjustments.push(Adjustment {
            group: "PR",
            reason: "1",
            cents: Cents(toward_deductible),
        });
        state
            .deductible_met
            .insert(member_year.clone(), met + toward_deductible);
    }
    let coinsurance_percent = payer
        .coinsurance_percent
        .unwrap_or(rules.defaults.coinsurance_percent);
    let coinsurance = (allowed - toward_deductible).saturating_mul(coinsurance_percent) / 100;
    if coinsurance > 0 {
        adjustments.push(Adjustment {
            group: "PR",
            reason: "2",
            cents: Cents(coinsurance),
        });
    }
    if therapy {
        *state.therapy_allowed.entry(member_year).or_insert(0) += allowed;
    }
    LineResult {
        line: line.clone(),
        allowed: Cents(allowed),
        paid: Cents(allowed - toward_deductible - coinsurance),
        adjustments,
        remarks,
    }
}
