//! A synthetic 835 of any size, produced as it is read: for throughput and memory benchmarks
//! and for load tests, without a gigabyte fixture on disk.
//!
//! Each claim is a therapy visit with three timed lines (97110, 97140, 97530 with GP) that
//! balance the way a payer's would: contractual write-down, coinsurance, and every seventh
//! claim denied for authorization, every eleventh line for units.

use std::fmt::Write as _;
use std::io::{self, Read};

use cleanclaim_model::Cents;

use crate::money::format_cents;

/// How many claims go in one transaction set (ST..SE).
const CLAIMS_PER_TRANSACTION: usize = 5000;

/// Reads as an interchange of `claims` 835 claim payments.
#[derive(Debug)]
pub struct SyntheticRemittance {
    claims: usize,
    next_claim: usize,
    /// Segments in the open transaction set, for SE01.
    segments: usize,
    /// Produced and not yet read: a few claims at a time.
    text: String,
    pos: usize,
    transactions: usize,
    finished: bool,
}

const LINES: [(&str, i64); 3] = [("97110", 4), ("97140", 2), ("97530", 3)];
const UNIT_CHARGE: i64 = 4500;

impl SyntheticRemittance {
    pub fn new(claims: usize) -> Self {
        let mut this = Self {
            claims,
            next_claim: 0,
            segments: 0,
            text: String::new(),
            pos: 0,
            transactions: 0,
            finished: false,
        };
        this.text.push_str(
            "ISA*00*          *00*          *ZZ*SYNTHPAYER     *ZZ*CLINIC         *241101*1200*^*00501*000000001*0*P*:~\nGS*HP*SYNTHPAYER*CLINIC*20241101*1200*1*X*005010X221A1~\n",
        );
        this
    }

    /// Whole claims are paid or denied; the payment total is known before the first claim.
    fn claim_paid(n: usize) -> (bool, [i64; 3]) {
        let denied = n % 7 == 3;
        let mut paid = [0; 3];
        for (i, ((_, units), paid)) in LINES.iter().zip(&mut paid).enumerate() {
            let unit_denied = (n * 3 + i) % 11 == 5;
            *paid = if denied || unit_denied {
                0
            } else {
                units * UNIT_CHARGE * 60 / 100
            };
        }
        (denied, paid)
    }

    fn segment(&mut self, text: std::fmt::Arguments<'_>) {
        let _ = self.text.write_fmt(text);
        self.text.push_str("~\n");
        self.segments += 1;
    }

    fn open_transaction(&mut self) {
        self.transactions += 1;
        let first = self.next_claim;
        let last = (first + CLAIMS_PER_TRANSACTION).min(self.claims);
        let total: i64 = (first..last)
            .map(|n| Self::claim_paid(n).1.iter().sum::<i64>())
            .sum();
        self.segments = 0;
        let control = self.transactions;
        self.segment(format_args!("ST*835*{control:04}"));
        self.segment(format_args!(
            "BPR*I*{}*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*888888888*DA*654321*20241101",
            format_cents(Cents(total))
        ));
        self.segment(format_args!("TRN*1*SYN{control:08}*1512345678"));
        self.segment(format_args!("DTM*405*20241101"));
        self.segment(format_args!("N1*PR*SYNTHETIC HEALTH PLAN"));
        self.segment(format_args!("N1*PE*SYNTHETIC THERAPY CLINIC*XX*1234567893"));
        self.segment(format_args!("LX*1"));
    }

    fn claim(&mut self, n: usize) {
        let (denied, paid) = Self::claim_paid(n);
        let charge: i64 = LINES.iter().map(|(_, u)| u * UNIT_CHARGE).sum();
        let total_paid: i64 = paid.iter().sum();
        let coinsurance: i64 = paid.iter().map(|p| p / 3).sum();
        let status = if denied { 4 } else { 1 };
        self.segment(format_args!(
            "CLP*ENC{n:09}*{status}*{}*{}*{}*12*PCN{n:012}",
            format_cents(Cents(charge)),
            format_cents(Cents(total_paid)),
            format_cents(Cents(coinsurance))
        ));
        self.segment(format_args!("NM1*QC*1*PATIENT*SYNTH****MI*MEM{n:08}"));
        self.segment(format_args!("DTM*232*20241015"));
        for (i, (code, units)) in LINES.iter().enumerate() {
            let line_charge = units * UNIT_CHARGE;
            let line_paid = paid.get(i).copied().unwrap_or(0);
            self.segment(format_args!(
                "SVC*HC:{code}:GP*{}*{}**{units}",
                format_cents(Cents(line_charge)),
                format_cents(Cents(line_paid))
            ));
            self.segment(format_args!("DTM*472*20241015"));
            if line_paid == 0 {
                let (reason, remark) = if denied {
                    ("197", "N54")
                } else {
                    ("151", "N362")
                };
                self.segment(format_args!(
                    "CAS*CO*{reason}*{}",
                    format_cents(Cents(line_charge))
                ));
                self.segment(format_args!("REF*6R*ENC{n:09}-{}", i + 1));
                self.segment(format_args!("LQ*HE*{remark}"));
            } else {
                let allowed = line_paid + line_paid / 3;
                self.segment(format_args!(
                    "CAS*CO*45*{}",
                    format_cents(Cents(line_charge - allowed))
                ));
                self.segment(format_args!(
                    "CAS*PR*2*{}",
                    format_cents(Cents(line_paid / 3))
                ));
                self.segment(format_args!("REF*6R*ENC{n:09}-{}", i + 1));
                self.segment(format_args!("AMT*B6*{}", format_cents(Cents(allowed))));
            }
        }
    }

    /// Produces the next stretch of text. Returns false when everything has been produced.
    fn produce(&mut self) -> bool {
        self.text.clear();
        self.pos = 0;
        if self.finished {
            return false;
        }
        if self.next_claim < self.claims || self.transactions == 0 {
            if self.next_claim.is_multiple_of(CLAIMS_PER_TRANSACTION) && self.segments == 0 {
                self.open_transaction();
            }
            // A few claims at a time keep the buffer small and the overhead low.
            for _ in 0..16 {
                if self.next_claim >= self.claims {
                    break;
                }
                let n = self.next_claim;
                self.claim(n);
                self.next_claim += 1;
                if self.next_claim.is_multiple_of(CLAIMS_PER_TRANSACTION) {
                    break;
                }
            }
            if self.next_claim.is_multiple_of(CLAIMS_PER_TRANSACTION)
                || self.next_claim >= self.claims
            {
                let count = self.segments + 1;
                let control = self.transactions;
                let _ = writeln!(self.text, "SE*{count}*{control:04}~");
                self.segments = 0;
            }
            return true;
        }
        let _ = write!(self.text, "GE*{}*1~\nIEA*1*000000001~\n", self.transactions);
        self.finished = true;
        true
    }
}

impl Read for SyntheticRemittance {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.pos >= self.text.len() {
            if !self.produce() {
                return Ok(0);
            }
        }
        let available = self.text.as_bytes().get(self.pos..).unwrap_or_default();
        let n = available.len().min(out.len());
        if let (Some(dst), Some(src)) = (out.get_mut(..n), available.get(..n)) {
            dst.copy_from_slice(src);
        }
        self.pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::x835::{RemitItem, RemitReader};

    #[test]
    fn the_synthetic_remittance_reads_back_balanced() {
        let mut claims = 0;
        let mut ends = 0;
        let mut denied = 0;
        for item in RemitReader::new(SyntheticRemittance::new(12_000)) {
            match item.unwrap() {
                RemitItem::Claim(claim) => {
                    claims += 1;
                    assert_eq!(
                        claim.imbalance_cents(),
                        Cents::ZERO,
                        "claim {}",
                        claim.segment
                    );
                    assert!(claim.errors.is_empty());
                    denied += usize::from(claim.paid_cents.is_zero());
                }
                RemitItem::End(totals) => {
                    ends += 1;
                    assert_eq!(totals.imbalance_cents(), Cents::ZERO);
                }
                _ => {}
            }
        }
        assert_eq!((claims, ends), (12_000, 3));
        assert!(denied > 1000);
    }
}
