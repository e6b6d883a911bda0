//! What an 835 says, as typed values: the payment, each claim with its lines and
//! adjustments, and provider-level adjustments.
//!
//! Source: ASC X12 005010X221A1 (Health Care Claim Payment/Advice), loops 1000A/B, 2000,
//! 2100, 2110 and the PLB segment; balancing rules in section 1.10.2.

use chrono::NaiveDate;
use cleanclaim_model::Cents;
use compact_str::CompactString;
use serde::Serialize;

use crate::envelope::TransactionHeader;
use crate::error::X12Error;

/// One item of a remittance, in file order. A claim is yielded whole once its last segment
/// has been read; nothing else is kept between items.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "item", rename_all = "snake_case")]
pub enum RemitItem {
    /// The header of a transaction set (BPR, TRN, payer and payee), before its claims.
    Payment(Box<Payment>),
    Claim(Box<ClaimPayment>),
    /// PLB: adjustments to the provider not tied to one claim.
    ProviderAdjustment(ProviderAdjustment),
    /// SE: the transaction set ends; its totals for the balancing check.
    End(TransactionTotals),
}

/// A payer or payee (N1 with its N3/N4 and REF).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Party {
    pub name: String,
    /// N103: XV (CMS plan id), XX (NPI), FI (tax id)...
    pub id_qualifier: String,
    pub id: String,
    /// REF*2U (payer) or REF*TJ (payee tax id).
    pub additional_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Payment {
    #[serde(skip)]
    pub transaction: TransactionHeader,
    /// BPR01: I (remittance with payment), H (notification only), X, P, U...
    pub handling: String,
    /// BPR02, signed by BPR03 (a debit is negative).
    pub total_cents: Cents,
    /// BPR04: ACH, CHK, BOP, FWT, NON.
    pub method: String,
    /// BPR16.
    pub payment_date: Option<NaiveDate>,
    /// TRN02: the check or EFT trace number.
    pub trace_number: String,
    /// TRN03: the payer's identifier (1 + tax id).
    pub trace_originator: String,
    /// DTM*405.
    pub production_date: Option<NaiveDate>,
    pub payer: Party,
    pub payee: Party,
    /// Element errors in the header: reading goes on, the values read as their defaults.
    #[serde(serialize_with = "as_messages")]
    pub errors: Vec<X12Error>,
}

impl Payment {
    /// Who the payment comes from, for telling one payer's trace numbers from another's:
    /// TRN03, else the payer's N1 or REF*2U id, else its name.
    pub fn payer_key(&self) -> &str {
        [
            self.trace_originator.as_str(),
            &self.payer.id,
            &self.payer.additional_id,
            &self.payer.name,
        ]
        .into_iter()
        .find(|key| !key.is_empty())
        .unwrap_or_default()
    }

    /// Who was paid, as the identifiers a submission records for its billing provider: the
    /// payee's NPI (N1*PE with N103 `XX`) and tax id (N103 `FI`, else REF*TJ), each empty when
    /// the 835 does not give it. Hyphens are dropped from the tax id (`12-3456789`).
    pub fn payee_ids(&self) -> PayeeIds {
        let payee = &self.payee;
        let tax_id = match payee.id_qualifier.as_str() {
            "FI" => &payee.id,
            _ => &payee.additional_id,
        };
        PayeeIds {
            npi: if payee.id_qualifier == "XX" {
                payee.id.clone()
            } else {
                String::new()
            },
            tax_id: tax_id.chars().filter(|c| *c != '-').collect(),
        }
    }
}

/// The payee's identifiers: see [`Payment::payee_ids`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PayeeIds {
    pub npi: String,
    pub tax_id: String,
}

/// CAS: one adjustment (group, reason, amount, quantity).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Adjustment {
    pub group: AdjustmentGroup,
    /// The Claim Adjustment Reason Code.
    pub reason: CompactString,
    pub amount_cents: Cents,
    pub quantity: Option<CompactString>,
}

/// CAS01: who the adjustment falls on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
pub enum AdjustmentGroup {
    /// Contractual obligation: the provider writes it off.
    CO,
    /// Other adjustment.
    OA,
    /// Payer initiated reduction.
    PI,
    /// Patient responsibility: billed to the patient.
    PR,
    /// Correction and reversal, in 4010-era files only.
    CR,
}

impl AdjustmentGroup {
    pub fn from_code(code: &str) -> Option<Self> {
        Some(match code {
            "CO" => Self::CO,
            "OA" => Self::OA,
            "PI" => Self::PI,
            "PR" => Self::PR,
            "CR" => Self::CR,
            _ => return None,
        })
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::CO => "CO",
            Self::OA => "OA",
            Self::PI => "PI",
            Self::PR => "PR",
            Self::CR => "CR",
        }
    }
}

/// CLP02.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimStatus {
    /// 1, 2, 3.
    Processed { sequence: u8 },
    /// 4.
    Denied,
    /// 19, 20, 21: processed and forwarded to the next payer.
    ProcessedForwarded { sequence: u8 },
    /// 22.
    Reversal,
    /// 23.
    NotOurClaimForwarded,
    /// 25.
    PredeterminationOnly,
}

impl ClaimStatus {
    pub fn from_code(code: &str) -> Option<Self> {
        Some(match code {
            "1" => Self::Processed { sequence: 1 },
            "2" => Self::Processed { sequence: 2 },
            "3" => Self::Processed { sequence: 3 },
            "4" => Self::Denied,
            "19" => Self::ProcessedForwarded { sequence: 1 },
            "20" => Self::ProcessedForwarded { sequence: 2 },
            "21" => Self::ProcessedForwarded { sequence: 3 },
            "22" => Self::Reversal,
            "23" => Self::NotOurClaimForwarded,
            "25" => Self::PredeterminationOnly,
            _ => return None,
        })
    }

    /// The CLP02 code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Processed { sequence: 1 } => "1",
            Self::Processed { sequence: 2 } => "2",
            Self::Processed { .. } => "3",
            Self::Denied => "4",
            Self::ProcessedForwarded { sequence: 1 } => "19",
            Self::ProcessedForwarded { sequence: 2 } => "20",
            Self::ProcessedForwarded { .. } => "21",
            Self::Reversal => "22",
            Self::NotOurClaimForwarded => "23",
            Self::PredeterminationOnly => "25",
        }
    }

    pub const CODES: &'static str = "1, 2, 3, 4, 19, 20, 21, 22, 23, 25";
}

/// CLP06, the claim filing indicator of the 835 (005010X221A1): its own list, which is not
/// the 837's SBR09 (no `CI` or `BL`).
pub const CLAIM_FILING_CODES: [&str; 19] = [
    "12", "13", "14", "15", "16", "17", "AM", "CH", "DS", "HM", "LM", "MA", "MB", "MC", "OF", "TV",
    "VA", "WC", "ZZ",
];

/// Loop 2100: one claim as the payer adjudicated it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ClaimPayment {
    /// Ordinal of the CLP segment in the file, to point a biller at it.
    pub segment: usize,
    /// CLP01: our CLM01, echoed.
    pub patient_control_number: CompactString,
    /// `None` when CLP02 is missing or not a code (the claim then carries the error).
    pub status: Option<ClaimStatus>,
    pub charge_cents: Cents,
    pub paid_cents: Cents,
    /// CLP05.
    pub patient_responsibility_cents: Cents,
    /// CLP06.
    pub filing_indicator: CompactString,
    /// CLP07: the payer's claim control number, needed to replace or void the claim.
    pub payer_claim_number: CompactString,
    /// CLP09.
    pub frequency: CompactString,
    /// NM1*QC.
    pub patient_name: CompactString,
    /// DTM*232 and DTM*233.
    pub statement_from: Option<NaiveDate>,
    pub statement_to: Option<NaiveDate>,
    /// DTM*050.
    pub received: Option<NaiveDate>,
    pub adjustments: Vec<Adjustment>,
    /// Remittance Advice Remark Codes from MOA (professional) or MIA (institutional).
    pub remarks: Vec<CompactString>,
    pub lines: Vec<LinePayment>,
    /// Element errors inside the claim's segments. A claim with errors is still yielded, so
    /// that one damaged claim does not hold up a payer's whole remittance, but it must not be
    /// posted without review: the amounts it carries may be wrong.
    #[serde(serialize_with = "as_messages")]
    pub errors: Vec<X12Error>,
}

fn as_messages<S: serde::Serializer>(
    errors: &[X12Error],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(errors.iter().map(ToString::to_string))
}

impl ClaimPayment {
    /// Charge less payment less every adjustment, claim and line level (X221A1 1.10.2.1):
    /// zero for a balanced claim.
    pub fn imbalance_cents(&self) -> Cents {
        let adjusted = self
            .adjustments
            .iter()
            .chain(self.lines.iter().flat_map(|l| &l.adjustments))
            .map(|a| a.amount_cents);
        Cents::wide_difference(
            self.charge_cents,
            [self.paid_cents].into_iter().chain(adjusted),
        )
    }
}

/// Loop 2110: one service line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LinePayment {
    pub segment: usize,
    /// SVC01-1: HC (HCPCS/CPT), usually.
    pub qualifier: CompactString,
    pub code: CompactString,
    pub modifiers: Vec<CompactString>,
    pub charge_cents: Cents,
    pub paid_cents: Cents,
    /// SVC05; the guide omits it when one unit was paid.
    pub units_paid: CompactString,
    /// SVC06-2, when the payer adjudicated a different code from the one billed.
    pub submitted_code: Option<CompactString>,
    /// SVC07: units billed, when they differ from the units paid.
    pub units_billed: Option<CompactString>,
    /// DTM*472, or DTM*150 for a period.
    pub service_date: Option<NaiveDate>,
    /// REF*6R: our line control number, echoed.
    pub control_number: Option<CompactString>,
    /// AMT*B6.
    pub allowed_cents: Option<Cents>,
    pub adjustments: Vec<Adjustment>,
    /// LQ*HE.
    pub remarks: Vec<CompactString>,
}

impl LinePayment {
    /// Charge less payment less adjustments (X221A1 1.10.2.1.1): zero when balanced.
    pub fn imbalance_cents(&self) -> Cents {
        let adjusted = self.adjustments.iter().map(|a| a.amount_cents);
        Cents::wide_difference(
            self.charge_cents,
            [self.paid_cents].into_iter().chain(adjusted),
        )
    }
}

/// PLB: one provider-level adjustment (a reason with its reference and amount). A positive
/// amount reduces the payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProviderAdjustment {
    pub segment: usize,
    /// PLB01.
    pub provider_id: String,
    /// PLB02.
    pub fiscal_period_end: Option<NaiveDate>,
    /// PLB03-1: WO (overpayment recovery), L6 (interest), FB (forwarding balance)...
    pub reason: String,
    /// PLB03-2.
    pub reference: String,
    pub amount_cents: Cents,
}

/// The sums an 835 must balance (X221A1 1.10.2.4): BPR02 = claims paid - provider
/// adjustments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TransactionTotals {
    pub segment: usize,
    pub payment_cents: Cents,
    pub claims_paid_cents: Cents,
    pub provider_adjustments_cents: Cents,
    pub claims: usize,
}

impl TransactionTotals {
    /// Claims paid less provider adjustments less BPR02, in wide arithmetic: a payer's
    /// amounts are untrusted, and no sum of them may overflow (a panic) or wrap (a
    /// balanced-looking set). Beyond cents it clamps, which is still not zero.
    pub fn imbalance_cents(&self) -> Cents {
        Cents::wide_difference(
            self.claims_paid_cents,
            [self.provider_adjustments_cents, self.payment_cents],
        )
    }
}
