//! One remittance claim, assessed: every adjustment categorized and explained, whether the
//! claim or its lines were denied, and the root cause of the money lost.

use cleanclaim_model::Cents;
use cleanclaim_x12::x835::{AdjustmentGroup, ClaimPayment, ClaimStatus};
use compact_str::CompactString;
use serde::Serialize;

use crate::category::Category;
use crate::map::{Basis, CategoryMap};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssessedAdjustment<'m> {
    /// The service line (index in the claim's lines), or `None` at claim level.
    pub line: Option<usize>,
    pub group: AdjustmentGroup,
    pub reason: CompactString,
    pub amount_cents: Cents,
    pub category: Category,
    pub basis: Basis<'m>,
}

impl AssessedAdjustment<'_> {
    /// The reason for the category, in words.
    pub fn why(&self) -> String {
        self.basis.why(self.group, &self.reason)
    }
}

impl Serialize for AssessedAdjustment<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = serializer.serialize_struct("AssessedAdjustment", 6)?;
        out.serialize_field("line", &self.line)?;
        out.serialize_field("group", &self.group)?;
        out.serialize_field("reason", &self.reason)?;
        out.serialize_field("amount_cents", &self.amount_cents)?;
        out.serialize_field("category", &self.category)?;
        out.serialize_field("why", &self.why())?;
        out.end()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClaimOutcome<'m> {
    /// CLP01.
    pub claim_id: CompactString,
    pub status: Option<ClaimStatus>,
    pub charge_cents: Cents,
    pub paid_cents: Cents,
    pub patient_responsibility_cents: Cents,
    /// The whole claim is denied: CLP02 is 4, or nothing was paid and a denial adjustment
    /// explains why.
    pub denied: bool,
    /// Lines paid nothing for a denial cause.
    pub denied_lines: usize,
    /// Money adjusted for denial causes (every category but contractual and patient share).
    pub denied_cents: Cents,
    /// The category with the most money denied; ties go to the earlier category.
    pub cause: Option<Category>,
    pub adjustments: Vec<AssessedAdjustment<'m>>,
    /// Charge less payment less adjustments; not zero means the payer's numbers do not add
    /// up and the claim needs a look before posting.
    pub imbalance_cents: Cents,
    /// Element errors the reader kept on the claim.
    pub errors: Vec<String>,
}

impl ClaimOutcome<'_> {
    /// Safe to post without a person looking: readable and balanced.
    pub fn is_clean(&self) -> bool {
        self.errors.is_empty() && self.imbalance_cents.is_zero()
    }
}

/// Categorizes every adjustment of `claim` and decides what was denied and why.
pub fn assess<'m>(claim: &ClaimPayment, map: &'m CategoryMap) -> ClaimOutcome<'m> {
    let claim_remarks = claim.remarks.iter().map(CompactString::as_str);
    let mut adjustments: Vec<AssessedAdjustment<'m>> = claim
        .adjustments
        .iter()
        .map(|a| {
            let c = map.categorize(a, claim_remarks.clone());
            AssessedAdjustment {
                line: None,
                group: a.group,
                reason: a.reason.clone(),
                amount_cents: a.amount_cents,
                category: c.category,
                basis: c.basis,
            }
        })
        .collect();
    let mut denied_lines = 0;
    for (index, line) in claim.lines.iter().enumerate() {
        let remarks = line
            .remarks
            .iter()
            .map(CompactString::as_str)
            .chain(claim_remarks.clone());
        let mut line_denied = false;
        for a in &line.adjustments {
            let c = map.categorize(a, remarks.clone());
            line_denied |= c.category.is_denial() && a.amount_cents > Cents::ZERO;
            adjustments.push(AssessedAdjustment {
                line: Some(index),
                group: a.group,
                reason: a.reason.clone(),
                amount_cents: a.amount_cents,
                category: c.category,
                basis: c.basis,
            });
        }
        if line_denied && line.paid_cents.is_zero() && line.charge_cents > Cents::ZERO {
            denied_lines += 1;
        }
    }
    let mut by_category: Vec<(Category, Cents)> = Vec::new();
    for a in adjustments.iter().filter(|a| a.category.is_denial()) {
        match by_category.iter_mut().find(|(c, _)| *c == a.category) {
            Some((_, total)) => *total += a.amount_cents,
            None => by_category.push((a.category, a.amount_cents)),
        }
    }
    by_category.sort_by_key(|(category, total)| (std::cmp::Reverse(*total), *category));
    let denied_cents = by_category.iter().map(|(_, total)| *total).sum();
    let cause = by_category
        .first()
        .filter(|(_, total)| *total > Cents::ZERO)
        .map(|(c, _)| *c);
    let denied = claim.status == Some(ClaimStatus::Denied)
        || (claim.paid_cents.is_zero() && claim.charge_cents > Cents::ZERO && cause.is_some());
    ClaimOutcome {
        claim_id: claim.patient_control_number.clone(),
        status: claim.status,
        charge_cents: claim.charge_cents,
        paid_cents: claim.paid_cents,
        patient_responsibility_cents: claim.patient_responsibility_cents,
        denied,
        denied_lines,
        denied_cents,
        cause,
        adjustments,
        imbalance_cents: claim.imbalance_cents(),
        errors: claim.errors.iter().map(ToString::to_string).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cleanclaim_x12::x835::{RemitItem, RemitReader};

    fn claims(text: &str) -> Vec<ClaimPayment> {
        RemitReader::new(text.as_bytes())
            .filter_map(|item| match item.unwrap() {
                RemitItem::Claim(c) => Some(*c),
                _ => None,
            })
            .collect()
    }

    const HEAD: &str = "ISA*00*          *00*          *ZZ*PAYER          *ZZ*CLINIC         *241101*1200*^*00501*000000001*0*P*:~GS*HP*PAYER*CLINIC*20241101*1200*1*X*005010X221A1~ST*835*0001~BPR*I*0*C*NON************20241101~TRN*1*T1*1512345678~N1*PR*ACME~N1*PE*CLINIC*XX*1234567893~LX*1~";

    fn wrap(body: &str) -> String {
        let count = 8 + body.matches('~').count();
        format!("{HEAD}{body}SE*{count}*0001~GE*1*1~IEA*1*000000001~")
    }

    #[test]
    fn a_denied_claim_names_its_cause() {
        let text = wrap(
            "CLP*E1*4*200*0*0*12*P1~SVC*HC:97110:GP*200*0**4~CAS*CO*16*200~REF*6R*E1-1~LQ*HE*N54~",
        );
        let map = CategoryMap::builtin().unwrap();
        let outcome = assess(&claims(&text)[0], &map);
        assert!(outcome.denied);
        assert_eq!(outcome.denied_lines, 1);
        assert_eq!(outcome.cause, Some(Category::Authorization));
        assert_eq!(outcome.denied_cents, Cents(20_000));
        assert!(outcome.adjustments[0].why().contains("N54"));
        assert!(outcome.is_clean());
    }

    #[test]
    fn contractual_and_patient_share_are_not_denials() {
        let text =
            wrap("CLP*E2*1*200*120*30*12*P2~SVC*HC:97110:GP*200*120**4~CAS*CO*45*50~CAS*PR*2*30~");
        let map = CategoryMap::builtin().unwrap();
        let outcome = assess(&claims(&text)[0], &map);
        assert!(!outcome.denied);
        assert_eq!(
            (outcome.denied_lines, outcome.denied_cents, outcome.cause),
            (0, Cents::ZERO, None)
        );
        let categories: Vec<_> = outcome.adjustments.iter().map(|a| a.category).collect();
        assert_eq!(
            categories,
            [Category::Contractual, Category::PatientResponsibility]
        );
    }

    #[test]
    fn a_partly_denied_claim_counts_the_denied_line_and_the_larger_cause() {
        let text = wrap(
            "CLP*E3*1*300*100*0*12*P3~SVC*HC:97110:GP*100*100**2~SVC*HC:97140:GP*100*0**2~CAS*CO*151*100~SVC*HC:97530:GP*100*0**2~CAS*CO*97*60~CAS*CO*45*40~",
        );
        let map = CategoryMap::builtin().unwrap();
        let outcome = assess(&claims(&text)[0], &map);
        assert!(!outcome.denied);
        assert_eq!(outcome.denied_lines, 2);
        assert_eq!(outcome.denied_cents, Cents(16_000));
        assert_eq!(outcome.cause, Some(Category::Units));
        assert_eq!(outcome.adjustments[1].line, Some(2));
    }

    #[test]
    fn an_unbalanced_claim_is_not_clean() {
        let text = wrap("CLP*E4*1*300*100*0*12*P4~SVC*HC:97110:GP*300*100**2~");
        let map = CategoryMap::builtin().unwrap();
        let outcome = assess(&claims(&text)[0], &map);
        assert_eq!(outcome.imbalance_cents, Cents(20_000));
        assert!(!outcome.is_clean());
    }
}
