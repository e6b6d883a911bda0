//! Every date and time element of the sets the validator knows, checked as a real date or
//! time: `20251301`, `20250230` and seven digits are not dates, whatever the guide's length
//! and type rules say of them.
//!
//! Sources: X12.6 (DT is CCYYMMDD, TM is HHMM[SS[D[D]]]); the DTP02 and DTM formats of
//! 005010X222A1 (837P), X221A1 (835), X214 (277CA). The 837P's BHT04 and DMG02 are checked
//! by its element table (`x837::elements`), the 835's TS303 by `x835::elements`, the
//! envelope's dates by `envelope_rules`.

use crate::error::{ErrorKind, X12Error};
use crate::token::Segment;
use crate::x837::elements::{date, time};

/// What the element must be; the message the validator and the 835 reader share.
const DATE: &str = "date (CCYYMMDD)";
const PERIOD: &str = "date range (CCYYMMDD-CCYYMMDD, the start not after the end)";
const DATE_TIME: &str = "date and time (CCYYMMDDHHMM)";
const TIME: &str = "time (HHMM[SS[DD]])";

/// Which of the guide's own tables already check some of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Checked {
    /// The 837P element table checks BHT04, BHT05 and DMG02.
    ByProfessionalTable,
    Nothing,
}

pub(crate) fn check(segment: &Segment<'_>, checked: Checked, errors: &mut Vec<X12Error>) {
    let mut at = |n: usize, ok: fn(&str) -> bool, what: &'static str| {
        let value = segment.element(n);
        if !value.is_empty() && !ok(value) {
            errors.push(segment.element_error(n, None, ErrorKind::BadValue(what)));
        }
    };
    match segment.id() {
        "DTP" => match segment.element(2) {
            "D8" => at(3, date8, DATE),
            "RD8" => at(3, period, PERIOD),
            "DT" => at(3, date_time, DATE_TIME),
            _ => {}
        },
        "DTM" => {
            at(2, date8, DATE);
            at(3, time, TIME);
        }
        "BHT" if checked == Checked::Nothing => {
            at(4, date8, DATE);
            at(5, time, TIME);
        }
        "DMG" if checked == Checked::Nothing && segment.element(1) == "D8" => at(2, date8, DATE),
        // 277CA status effective date; 835 payment date, fiscal period dates.
        "STC" => at(2, date8, DATE),
        "BPR" => at(16, date8, DATE),
        "PLB" => at(2, date8, DATE),
        _ => {}
    }
}

fn date8(value: &str) -> bool {
    value.len() == 8 && date(value)
}

fn period(value: &str) -> bool {
    value
        .split_once('-')
        .is_some_and(|(from, to)| date8(from) && date8(to) && from <= to)
}

fn date_time(value: &str) -> bool {
    value.len() == 12 && value.get(..8).is_some_and(date8) && value.get(8..).is_some_and(time)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_periods_and_times_must_exist() {
        for good in ["20250310", "20240229"] {
            assert!(date8(good), "{good}");
        }
        for bad in [
            "20251301", "20250230", "20250229", "2025031", "250310", "2025031a",
        ] {
            assert!(!date8(bad), "{bad}");
        }
        assert!(period("20250301-20250331"));
        assert!(!period("20250331-20250301"));
        assert!(!period("20250301"));
        assert!(!period("20250301-20250230"));
        assert!(date_time("202503101405") && !date_time("202503102460"));
    }
}
