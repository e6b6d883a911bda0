//! Annual therapy thresholds (KX and targeted medical review), loaded from
//! `data/thresholds.toml`.

use cleanclaim_model::{Cents, Discipline};
use serde::Deserialize;

use crate::error::DataError;

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

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct KxRow {
    year: i32,
    pt_slp: i64,
    ot: i64,
    #[expect(dead_code, reason = "the source is for people auditing the file")]
    source: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReviewRow {
    amount: i64,
    through_year: i32,
    #[expect(dead_code, reason = "the source is for people auditing the file")]
    source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThresholdFile {
    #[expect(dead_code, reason = "the version is for people reading the file")]
    version: String,
    kx: Vec<KxRow>,
    targeted_review: ReviewRow,
}

/// Threshold amounts by calendar year.
#[derive(Debug, Clone)]
pub struct Thresholds {
    kx: Vec<KxRow>,
    review: ReviewRow,
}

impl Thresholds {
    /// The amounts shipped with cleanclaim (2019-2026).
    pub fn builtin() -> Result<Self, DataError> {
        Self::from_toml(
            "data/thresholds.toml",
            include_str!("../data/thresholds.toml"),
        )
    }

    /// Parses a threshold file; `file` names it in errors.
    pub fn from_toml(file: &str, text: &str) -> Result<Self, DataError> {
        let parsed: ThresholdFile = toml::from_str(text).map_err(|e| DataError::toml(file, &e))?;
        let mut kx = parsed.kx;
        kx.sort_by_key(|row| row.year);
        if let Some(pair) = kx
            .windows(2)
            .find(|w| w.first().map(|a| a.year) == w.get(1).map(|b| b.year))
        {
            let year = pair.first().map(|r| r.year).unwrap_or_default();
            return Err(DataError::invalid(
                file,
                format!("year {year} is listed twice"),
            ));
        }
        if kx.iter().any(|row| row.pt_slp <= 0 || row.ot <= 0) {
            return Err(DataError::invalid(
                file,
                "threshold amounts must be positive",
            ));
        }
        Ok(Self {
            kx,
            review: parsed.targeted_review,
        })
    }

    /// The KX threshold for a year and bucket; `None` for a year the data does not cover.
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
        (year <= self.review.through_year).then_some(Cents(self.review.amount))
    }
}
