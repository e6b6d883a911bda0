//! The loop structure of the 277CA (005010X214), as data (see `crate::loops`), for the
//! validator. The HL levels are nested as the guide draws them: information source (20) >
//! information receiver (21) > billing provider (19) > patient (PT); a new HL of a level
//! closes the loops below it.
//!
//! Source: ASC X12N 005010X214 Health Care Claim Acknowledgment, section 2.4 (transaction
//! set listing). STC is not qualified here: the reader checks its composites and reports
//! them per claim.

use crate::loops::{LoopSpec, MANY, child, qual, seg};

/// Whether a transaction set is a 277CA of the 5010 guide, whose loops the validator checks.
pub fn is_claim_acknowledgment(code: &str, version: &str) -> bool {
    code == "277" && version.starts_with("005010X214")
}

/// The 277CA transaction set, from ST.
pub static HEADER: LoopSpec = LoopSpec {
    id: "HEADER",
    name: "Transaction set header",
    segments: &[
        seg("ST", "Transaction Set Header", 1, 1),
        // BHT01 0085: information source, receiver, provider, patient.
        qual(
            "BHT",
            1,
            &["0085"],
            "Beginning of Hierarchical Transaction",
            1,
            1,
        ),
    ],
    children: &[child(&L2000A, 1, MANY)],
};

static L2000A: LoopSpec = LoopSpec {
    id: "2000A",
    name: "Information Source Level",
    segments: &[qual("HL", 3, &["20"], "Information Source Level", 1, 1)],
    children: &[
        child(&L2100A, 1, 1),
        child(&L2200A, 1, MANY),
        child(&L2000B, 1, 1),
    ],
};

static L2100A: LoopSpec = LoopSpec {
    id: "2100A",
    name: "Information Source Name",
    segments: &[qual(
        "NM1",
        1,
        &["PR", "AY"],
        "Information Source Name",
        1,
        1,
    )],
    children: &[],
};

static L2200A: LoopSpec = LoopSpec {
    id: "2200A",
    name: "Transmission Receipt Control Identifier",
    segments: &[
        qual(
            "TRN",
            1,
            &["1"],
            "Transmission Receipt Control Identifier",
            1,
            1,
        ),
        qual("DTP", 1, &["050"], "Information Source Receipt Date", 1, 1),
        qual("DTP", 1, &["009"], "Information Source Process Date", 1, 1),
    ],
    children: &[],
};

static L2000B: LoopSpec = LoopSpec {
    id: "2000B",
    name: "Information Receiver Level",
    segments: &[qual("HL", 3, &["21"], "Information Receiver Level", 1, 1)],
    children: &[
        child(&L2100B, 1, 1),
        child(&L2200B, 1, 1),
        child(&L2000C, 1, MANY),
    ],
};

static L2100B: LoopSpec = LoopSpec {
    id: "2100B",
    name: "Information Receiver Name",
    segments: &[qual("NM1", 1, &["41"], "Information Receiver Name", 1, 1)],
    children: &[],
};

static L2200B: LoopSpec = LoopSpec {
    id: "2200B",
    name: "Information Receiver Trace Identifier",
    segments: &[
        qual(
            "TRN",
            1,
            &["2"],
            "Information Receiver Trace Identifier",
            1,
            1,
        ),
        seg("STC", "Information Receiver Status Information", 1, MANY),
        qual("QTY", 1, &["90"], "Total Accepted Quantity", 0, 1),
        qual("QTY", 1, &["AA"], "Total Rejected Quantity", 0, 1),
        qual("AMT", 1, &["YU"], "Total Accepted Amount", 0, 1),
        qual("AMT", 1, &["YY"], "Total Rejected Amount", 0, 1),
    ],
    children: &[],
};

static L2000C: LoopSpec = LoopSpec {
    id: "2000C",
    name: "Billing Provider of Service Level",
    segments: &[qual(
        "HL",
        3,
        &["19"],
        "Billing Provider of Service Level",
        1,
        1,
    )],
    children: &[
        child(&L2100C, 1, MANY),
        child(&L2200C, 1, 1),
        child(&L2000D, 1, MANY),
    ],
};

static L2100C: LoopSpec = LoopSpec {
    id: "2100C",
    name: "Billing Provider Name",
    segments: &[qual("NM1", 1, &["85"], "Billing Provider Name", 1, 1)],
    children: &[],
};

static L2200C: LoopSpec = LoopSpec {
    id: "2200C",
    name: "Provider of Service Information Trace Identifier",
    segments: &[
        qual(
            "TRN",
            1,
            &["1"],
            "Provider of Service Information Trace Identifier",
            1,
            1,
        ),
        seg("STC", "Billing Provider Status Information", 1, MANY),
        qual(
            "REF",
            1,
            &["0B", "1G", "G2", "LU", "SY", "TJ"],
            "Provider Secondary Identifier",
            0,
            1,
        ),
        qual("QTY", 1, &["QA"], "Total Accepted Quantity", 0, 1),
        qual("QTY", 1, &["QC"], "Total Rejected Quantity", 0, 1),
        qual("AMT", 1, &["YU"], "Total Accepted Amount", 0, 1),
        qual("AMT", 1, &["YY"], "Total Rejected Amount", 0, 1),
    ],
    children: &[],
};

static L2000D: LoopSpec = LoopSpec {
    id: "2000D",
    name: "Patient Level",
    segments: &[qual("HL", 3, &["PT"], "Patient Level", 1, 1)],
    children: &[child(&L2100D, 1, 1), child(&L2200D, 0, MANY)],
};

static L2100D: LoopSpec = LoopSpec {
    id: "2100D",
    name: "Patient Name",
    segments: &[qual("NM1", 1, &["QC"], "Patient Name", 1, 1)],
    children: &[],
};

static L2200D: LoopSpec = LoopSpec {
    id: "2200D",
    name: "Claim Status Tracking Number",
    segments: &[
        qual("TRN", 1, &["2"], "Claim Status Tracking Number", 1, 1),
        seg("STC", "Claim Level Status Information", 1, MANY),
        qual("REF", 1, &["1K"], "Payer Claim Control Number", 0, 1),
        qual(
            "REF",
            1,
            &["D9"],
            "Claim Identifier Number for Clearinghouses and Other Transmission Intermediaries",
            0,
            1,
        ),
        qual(
            "REF",
            1,
            &["BLT"],
            "Institutional Bill Type Identification",
            0,
            1,
        ),
        qual("DTP", 1, &["472"], "Claim Level Service Date", 1, 1),
    ],
    children: &[child(&L2220D, 0, MANY)],
};

static L2220D: LoopSpec = LoopSpec {
    id: "2220D",
    name: "Service Line Information",
    segments: &[
        seg("SVC", "Service Line Information", 1, 1),
        seg("STC", "Service Line Level Status Information", 1, 1),
        qual("REF", 1, &["FJ"], "Service Line Item Identification", 0, 1),
        qual("REF", 1, &["XZ"], "Pharmacy Prescription Number", 0, 1),
        qual("DTP", 1, &["472"], "Service Line Date", 0, 1),
    ],
    children: &[],
};
