//! Annual therapy thresholds (KX and targeted medical review), from the `[thresholds]` table
//! of a rule pack.

use cleanclaim_model::{Cents, Discipline};
use serde::Deserialize;

/// The two threshold buckets: PT and SLP share one, OT has its own (BBA 2018 §50202).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    PtSlp,
    Ot,
}

impl Bucket {
    /// The bucket a discipline's services count toward.
    pub fn of(discipline: Discipline) -> Self {
        match discipline {
            Discipline::Pt | Discipline::Slp => Self::PtSlp,
            Discipline::Ot => Self::Ot,
        }
    }

    /// How the bucket is named in messages.
    pub fn label(self) -> &'static str {
        match self {
            Self::PtSlp => "PT and SLP combined",
            Self::Ot => "OT",
        }
    }
}

/// One year's KX amounts in cents, as a rule pack lists them.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct KxRow {
    year: i32,
    pt_slp: i64,
    ot: i64,
    #[expect(dead_code, reason = "the source is for people auditing the pack")]
    source: String,
}

/// The targeted medical review amount in cents and the last year it applies.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReviewRow {
    amount: i64,
    through_year: i32,
    #[expect(dead_code, reason = "the source is for people auditing the pack")]
    source: String,
}

/// The `[thresholds]` table of a rule pack.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ThresholdTable {
    #[serde(default)]
    kx: Vec<KxRow>,
    #[serde(default)]
    targeted_review: Option<ReviewRow>,
}

#[derive(Debug, Clone)]
pub struct Thresholds {
    kx: Vec<KxRow>,
    review: Option<ReviewRow>,
}

impl Thresholds {
    /// The amounts shipped with cleanclaim (2019-2026).
    /// No thresholds: for payers without a KX threshold.
    pub fn none() -> Self {
        Self {
            kx: Vec::new(),
            review: None,
        }
    }

    /// Checks a pack's threshold table; the error says what is wrong.
    pub(crate) fn from_table(table: ThresholdTable) -> Result<Self, String> {
        let mut kx = table.kx;
        kx.sort_by_key(|row| row.year);
        if let Some(pair) = kx
            .windows(2)
            .find(|w| w.first().map(|a| a.year) == w.get(1).map(|b| b.year))
        {
            let year = pair.first().map(|r| r.year).unwrap_or_default();
            return Err(format!("thresholds: year {year} is listed twice"));
        }
        if kx.iter().any(|row| row.pt_slp <= 0 || row.ot <= 0) {
            return Err("thresholds: KX amounts must be positive".to_owned());
        }
        Ok(Self {
            kx,
            review: table.targeted_review,
        })
    }

    /// Whether any year is on file.
    pub fn is_empty(&self) -> bool {
        self.kx.is_empty()
    }

    pub fn kx(&self, year: i32, bucket: Bucket) -> Option<Cents> {
        let row = self.kx.iter().find(|row| row.year == year)?;
        Some(Cents(match bucket {
            Bucket::PtSlp => row.pt_slp,
            Bucket::Ot => row.ot,
        }))
    }

    /// The targeted medical review amount for a year; `None` once it is indexed by the MEI
    /// and the data has no figure for it.
    pub fn targeted_review(&self, year: i32) -> Option<Cents> {
        let review = self.review.as_ref()?;
        (year <= review.through_year).then_some(Cents(review.amount))
    }
}
