//! Linking a remittance claim and its lines back to the claim we submitted.
//!
//! The 835 echoes our CLM01 in CLP01 and our line control number (REF*6R, which the writer
//! always sends) in the 2110 loop's REF*6R (X221A1 loop 2110 REF "Line Item Control
//! Number": required when the claim carried one). Payers that drop REF*6R are linked by
//! position, and only when the line counts agree.

use cleanclaim_x12::x835::ClaimPayment;
use serde::Serialize;

/// What we submitted for one claim: its CLM01 and its lines' REF*6R, in order.
#[derive(Debug, Clone, Copy)]
pub struct Submitted<'a> {
    pub claim_id: &'a str,
    pub line_controls: &'a [String],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "by", content = "line", rename_all = "snake_case")]
pub enum LineLink {
    /// REF*6R named the line (its index among what we submitted).
    Control(usize),
    /// No REF*6R; the line counts agree, so the same position.
    Position(usize),
    /// Not one of ours: a REF*6R we never sent, or no way to tell.
    Unmatched,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClaimLink {
    /// Our claim id, when CLP01 is one of ours.
    pub claim_id: Option<String>,
    /// One entry per remittance line.
    pub lines: Vec<LineLink>,
}

impl ClaimLink {
    pub fn is_complete(&self) -> bool {
        self.claim_id.is_some() && !self.lines.contains(&LineLink::Unmatched)
    }
}

/// Links `claim` to `submitted` (the claim CLP01 names, if we have it).
pub fn link(claim: &ClaimPayment, submitted: Option<Submitted<'_>>) -> ClaimLink {
    let Some(ours) = submitted.filter(|s| s.claim_id == claim.patient_control_number) else {
        return ClaimLink {
            claim_id: None,
            lines: vec![LineLink::Unmatched; claim.lines.len()],
        };
    };
    let same_count = ours.line_controls.len() == claim.lines.len();
    let lines = claim
        .lines
        .iter()
        .enumerate()
        .map(|(position, line)| match &line.control_number {
            Some(control) => ours
                .line_controls
                .iter()
                .position(|c| c == control)
                .map_or(LineLink::Unmatched, LineLink::Control),
            None if same_count => LineLink::Position(position),
            None => LineLink::Unmatched,
        })
        .collect();
    ClaimLink {
        claim_id: Some(ours.claim_id.to_owned()),
        lines,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cleanclaim_x12::x835::{RemitItem, RemitReader};

    fn claim(lines: &str) -> ClaimPayment {
        let body = format!("CLP*E-7*1*200*200*0*12*P~{lines}");
        let count = 8 + body.matches('~').count();
        let text = format!(
            "ISA*00*          *00*          *ZZ*PAYER          *ZZ*CLINIC         *241101*1200*^*00501*000000001*0*P*:~GS*HP*PAYER*CLINIC*20241101*1200*1*X*005010X221A1~ST*835*0001~BPR*I*200*C*NON************20241101~TRN*1*T1*1512345678~N1*PR*ACME~N1*PE*CLINIC*XX*1234567893~LX*1~{body}SE*{count}*0001~GE*1*1~IEA*1*000000001~"
        );
        RemitReader::new(text.as_bytes())
            .find_map(|i| match i.unwrap() {
                RemitItem::Claim(c) => Some(*c),
                _ => None,
            })
            .unwrap()
    }

    #[test]
    fn lines_link_by_control_number_in_any_order() {
        let controls = ["E-7-1".to_owned(), "E-7-2".to_owned()];
        let ours = Submitted {
            claim_id: "E-7",
            line_controls: &controls,
        };
        let remit = claim("SVC*HC:97140*100*100~REF*6R*E-7-2~SVC*HC:97110*100*100~REF*6R*E-7-1~");
        let linked = link(&remit, Some(ours));
        assert_eq!(linked.lines, [LineLink::Control(1), LineLink::Control(0)]);
        assert!(linked.is_complete());
    }

    #[test]
    fn without_control_numbers_lines_link_by_position_only_when_counts_agree() {
        let controls = ["E-7-1".to_owned(), "E-7-2".to_owned()];
        let ours = Submitted {
            claim_id: "E-7",
            line_controls: &controls,
        };
        let two = claim("SVC*HC:97110*100*100~SVC*HC:97140*100*100~");
        assert_eq!(
            link(&two, Some(ours)).lines,
            [LineLink::Position(0), LineLink::Position(1)]
        );
        let one = claim("SVC*HC:97110*200*200~");
        assert_eq!(link(&one, Some(ours)).lines, [LineLink::Unmatched]);
        let foreign = claim("SVC*HC:97110*100*100~REF*6R*X-1~SVC*HC:97140*100*100~REF*6R*E-7-1~");
        let linked = link(&foreign, Some(ours));
        assert_eq!(linked.lines, [LineLink::Unmatched, LineLink::Control(0)]);
        assert!(!linked.is_complete());
    }

    #[test]
    fn a_claim_we_did_not_send_links_to_nothing() {
        let remit = claim("SVC*HC:97110*200*200~");
        assert_eq!(link(&remit, None).claim_id, None);
        let controls = [];
        let other = Submitted {
            claim_id: "E-8",
            line_controls: &controls,
        };
        assert_eq!(link(&remit, Some(other)).claim_id, None);
    }
}
