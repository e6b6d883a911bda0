//! The loop structure of the 835 (005010X221A1), as data (see `crate::loops`), for the
//! validator: which segments each loop requires, in what order and how often. The streaming
//! reader (`read.rs`) is deliberately more lenient; it reads what payers send.
//!
//! Source: ASC X12N 005010X221A1 Health Care Claim Payment/Advice, section 2.4 (transaction
//! set listing: header, loops 1000A/1000B, detail loops 2000/2100/2110, summary PLB).
//! Situational segments have a minimum of 0. CAS and LQ are not qualified here: their group
//! and code qualifiers are checked by the reader, which reports them on the claim.

use crate::loops::{LoopSpec, MANY, child, qual, seg};

/// The 835 transaction set, from ST.
pub static HEADER: LoopSpec = LoopSpec {
    id: "HEADER",
    name: "Transaction set header",
    segments: &[
        seg("ST", "Transaction Set Header", 1, 1),
        seg("BPR", "Financial Information", 1, 1),
        seg("TRN", "Reassociation Trace Number", 1, 1),
        seg("CUR", "Foreign Currency Information", 0, 1),
        qual("REF", 1, &["EV"], "Receiver Identification", 0, 1),
        qual("REF", 1, &["F2"], "Version Identification", 0, 1),
        qual("DTM", 1, &["405"], "Production Date", 0, 1),
    ],
    children: &[
        child(&L1000A, 1, 1),
        child(&L1000B, 1, 1),
        child(&L2000, 0, MANY),
        child(&SUMMARY, 0, 1),
    ],
};

static L1000A: LoopSpec = LoopSpec {
    id: "1000A",
    name: "Payer Identification",
    segments: &[
        qual("N1", 1, &["PR"], "Payer Identification", 1, 1),
        seg("N3", "Payer Address", 1, 1),
        seg("N4", "Payer City, State, ZIP Code", 1, 1),
        qual(
            "REF",
            1,
            &["2U", "EO", "HI", "NF"],
            "Additional Payer Identification",
            0,
            4,
        ),
        qual(
            "PER",
            1,
            &["CX"],
            "Payer Business Contact Information",
            0,
            1,
        ),
        qual(
            "PER",
            1,
            &["BL"],
            "Payer Technical Contact Information",
            1,
            MANY,
        ),
        qual("PER", 1, &["IC"], "Payer WEB Site", 0, 1),
    ],
    children: &[],
};

static L1000B: LoopSpec = LoopSpec {
    id: "1000B",
    name: "Payee Identification",
    segments: &[
        qual("N1", 1, &["PE"], "Payee Identification", 1, 1),
        seg("N3", "Payee Address", 0, 1),
        seg("N4", "Payee City, State, ZIP Code", 0, 1),
        qual(
            "REF",
            1,
            &["0B", "D3", "PQ", "TJ"],
            "Payee Additional Identification",
            0,
            MANY,
        ),
        seg("RDM", "Remittance Delivery Method", 0, 1),
    ],
    children: &[],
};

static L2000: LoopSpec = LoopSpec {
    id: "2000",
    name: "Header Number",
    segments: &[
        seg("LX", "Header Number", 1, 1),
        seg("TS3", "Provider Summary Information", 0, 1),
        seg("TS2", "Provider Supplemental Summary Information", 0, 1),
    ],
    children: &[child(&L2100, 1, MANY)],
};

static L2100: LoopSpec = LoopSpec {
    id: "2100",
    name: "Claim Payment Information",
    segments: &[
        seg("CLP", "Claim Payment Information", 1, 1),
        seg("CAS", "Claim Adjustment", 0, 99),
        qual("NM1", 1, &["QC"], "Patient Name", 1, 1),
        qual("NM1", 1, &["IL"], "Insured Name", 0, 1),
        qual("NM1", 1, &["74"], "Corrected Patient/Insured Name", 0, 1),
        qual("NM1", 1, &["82"], "Service Provider Name", 0, 1),
        qual("NM1", 1, &["TT"], "Crossover Carrier Name", 0, 1),
        qual("NM1", 1, &["PR"], "Corrected Priority Payer Name", 0, 1),
        qual("NM1", 1, &["GB"], "Other Subscriber Name", 0, 1),
        seg("MIA", "Inpatient Adjudication Information", 0, 1),
        seg("MOA", "Outpatient Adjudication Information", 0, 1),
        qual(
            "REF",
            1,
            &[
                "1L", "1W", "28", "6P", "9A", "9C", "BB", "CE", "EA", "F8", "G1", "G3", "IG", "SY",
            ],
            "Other Claim Related Identification",
            0,
            5,
        ),
        qual(
            "REF",
            1,
            &[
                "0B", "1A", "1B", "1C", "1D", "1G", "1H", "1J", "D3", "G2", "LU",
            ],
            "Rendering Provider Identification",
            0,
            10,
        ),
        qual("DTM", 1, &["232", "233"], "Statement From or To Date", 0, 2),
        qual("DTM", 1, &["036"], "Coverage Expiration Date", 0, 1),
        qual("DTM", 1, &["050"], "Claim Received Date", 0, 1),
        qual("PER", 1, &["CX"], "Claim Contact Information", 0, 2),
        qual(
            "AMT",
            1,
            &[
                "AU", "D8", "DY", "F5", "I", "NL", "T", "T2", "ZK", "ZL", "ZM", "ZN", "ZO",
            ],
            "Claim Supplemental Information",
            0,
            13,
        ),
        qual(
            "QTY",
            1,
            &[
                "CA", "CD", "LA", "LE", "NE", "NR", "OU", "PS", "VS", "ZK", "ZL", "ZM", "ZN", "ZO",
            ],
            "Claim Supplemental Information Quantity",
            0,
            14,
        ),
    ],
    children: &[child(&L2110, 0, 999)],
};

static L2110: LoopSpec = LoopSpec {
    id: "2110",
    name: "Service Payment Information",
    segments: &[
        // SVC01-1, the product/service id qualifier (HC for HCPCS/CPT).
        qual(
            "SVC",
            1,
            &["AD", "ER", "HC", "HP", "IV", "N4", "N6", "NU", "UI", "WK"],
            "Service Payment Information",
            1,
            1,
        ),
        qual("DTM", 1, &["150", "151", "472"], "Service Date", 0, 2),
        seg("CAS", "Service Adjustment", 0, 99),
        qual(
            "REF",
            1,
            &["1S", "APC", "BB", "E9", "G1", "G3", "LU", "RB"],
            "Service Identification",
            0,
            8,
        ),
        qual("REF", 1, &["6R"], "Line Item Control Number", 0, 1),
        qual(
            "REF",
            1,
            &[
                "0B", "1A", "1B", "1C", "1D", "1G", "1H", "1J", "D3", "G2", "HPI", "SY", "TJ",
            ],
            "Rendering Provider Information",
            0,
            10,
        ),
        qual("REF", 1, &["0K"], "HealthCare Policy Identification", 0, 5),
        qual(
            "AMT",
            1,
            &["B6", "KH", "T", "T2", "ZK", "ZL", "ZM", "ZN", "ZO"],
            "Service Supplemental Amount",
            0,
            9,
        ),
        qual(
            "QTY",
            1,
            &["ZK", "ZL", "ZM", "ZN", "ZO"],
            "Service Supplemental Quantity",
            0,
            6,
        ),
        seg("LQ", "Health Care Remark Codes", 0, 99),
    ],
    children: &[],
};

/// The summary table: provider-level adjustments after the last claim.
static SUMMARY: LoopSpec = LoopSpec {
    id: "SUMMARY",
    name: "Provider Adjustment",
    segments: &[
        seg("PLB", "Provider Adjustment", 1, 1),
        seg("PLB", "Provider Adjustment", 0, MANY),
    ],
    children: &[],
};
