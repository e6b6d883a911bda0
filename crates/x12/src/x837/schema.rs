//! The loop structure of the 837P (005010X222A1), as data (see `crate::loops`).
//!
//! Source: ASC X12N 005010X222A1 Health Care Claim: Professional, section 2.4 (transaction
//! set listing). Segments the guide marks "situational" have a minimum of 0: whether their
//! situation applies is checked (where it is) by the semantic rules in `validate.rs`.

use crate::loops::{LoopSpec, MANY, child, qual, seg};

// Each NM1 loop is written out in full: a macro would hide the guide's order, and the order is
// what the validator checks.

pub static HEADER: LoopSpec = LoopSpec {
    id: "HEADER",
    name: "Transaction set header",
    segments: &[
        seg("ST", "Transaction Set Header", 1, 1),
        seg("BHT", "Beginning of Hierarchical Transaction", 1, 1),
    ],
    children: &[
        child(&L1000A, 1, 1),
        child(&L1000B, 1, 1),
        child(&L2000A, 1, MANY),
    ],
};

static L1000A: LoopSpec = LoopSpec {
    id: "1000A",
    name: "Submitter Name",
    segments: &[
        qual("NM1", 1, &["41"], "Submitter Name", 1, 1),
        seg("PER", "Submitter EDI Contact Information", 1, 2),
    ],
    children: &[],
};

static L1000B: LoopSpec = LoopSpec {
    id: "1000B",
    name: "Receiver Name",
    segments: &[qual("NM1", 1, &["40"], "Receiver Name", 1, 1)],
    children: &[],
};

static L2000A: LoopSpec = LoopSpec {
    id: "2000A",
    name: "Billing Provider Hierarchical Level",
    segments: &[
        qual(
            "HL",
            3,
            &["20"],
            "Billing Provider Hierarchical Level",
            1,
            1,
        ),
        qual(
            "PRV",
            1,
            &["BI"],
            "Billing Provider Specialty Information",
            0,
            1,
        ),
        seg("CUR", "Foreign Currency Information", 0, 1),
    ],
    children: &[
        child(&L2010AA, 1, 1),
        child(&L2010AB, 0, 1),
        child(&L2010AC, 0, 1),
        child(&L2000B, 1, MANY),
    ],
};

static L2010AA: LoopSpec = LoopSpec {
    id: "2010AA",
    name: "Billing Provider Name",
    segments: &[
        qual("NM1", 1, &["85"], "Billing Provider Name", 1, 1),
        seg("N3", "Billing Provider Address", 1, 1),
        seg("N4", "Billing Provider City, State, ZIP Code", 1, 1),
        qual(
            "REF",
            1,
            &["EI", "SY"],
            "Billing Provider Tax Identification",
            1,
            1,
        ),
        qual(
            "REF",
            1,
            &["0B", "1G"],
            "Billing Provider UPIN/License Information",
            0,
            2,
        ),
        qual(
            "PER",
            1,
            &["IC"],
            "Billing Provider Contact Information",
            0,
            2,
        ),
    ],
    children: &[],
};

static L2010AB: LoopSpec = LoopSpec {
    id: "2010AB",
    name: "Pay-to Address Name",
    segments: &[
        qual("NM1", 1, &["87"], "Pay-to Address Name", 1, 1),
        seg("N3", "Pay-to Address", 1, 1),
        seg("N4", "Pay-to Address City, State, ZIP Code", 1, 1),
    ],
    children: &[],
};

static L2010AC: LoopSpec = LoopSpec {
    id: "2010AC",
    name: "Pay-to Plan Name",
    segments: &[
        qual("NM1", 1, &["PE"], "Pay-to Plan Name", 1, 1),
        seg("N3", "Pay-to Plan Address", 1, 1),
        seg("N4", "Pay-to Plan City, State, ZIP Code", 1, 1),
        seg("REF", "Pay-to Plan Secondary Identification", 0, 2),
    ],
    children: &[],
};

static L2000B: LoopSpec = LoopSpec {
    id: "2000B",
    name: "Subscriber Hierarchical Level",
    segments: &[
        qual("HL", 3, &["22"], "Subscriber Hierarchical Level", 1, 1),
        seg("SBR", "Subscriber Information", 1, 1),
        seg("PAT", "Patient Information", 0, 1),
    ],
    children: &[
        child(&L2010BA, 1, 1),
        child(&L2010BB, 1, 1),
        child(&L2300, 0, 100),
        child(&L2000C, 0, MANY),
    ],
};

static L2010BA: LoopSpec = LoopSpec {
    id: "2010BA",
    name: "Subscriber Name",
    segments: &[
        qual("NM1", 1, &["IL"], "Subscriber Name", 1, 1),
        seg("N3", "Subscriber Address", 0, 1),
        seg("N4", "Subscriber City, State, ZIP Code", 0, 1),
        seg("DMG", "Subscriber Demographic Information", 0, 1),
        qual(
            "REF",
            1,
            &["SY"],
            "Subscriber Secondary Identification",
            0,
            1,
        ),
        qual(
            "REF",
            1,
            &["Y4"],
            "Property and Casualty Claim Number",
            0,
            1,
        ),
        seg(
            "PER",
            "Property and Casualty Subscriber Contact Information",
            0,
            1,
        ),
    ],
    children: &[],
};

static L2010BB: LoopSpec = LoopSpec {
    id: "2010BB",
    name: "Payer Name",
    segments: &[
        qual("NM1", 1, &["PR"], "Payer Name", 1, 1),
        seg("N3", "Payer Address", 0, 1),
        seg("N4", "Payer City, State, ZIP Code", 0, 1),
        qual(
            "REF",
            1,
            &["2U", "EI", "FY", "NF"],
            "Payer Secondary Identification",
            0,
            3,
        ),
        qual(
            "REF",
            1,
            &["G2", "LU"],
            "Billing Provider Secondary Identification",
            0,
            2,
        ),
    ],
    children: &[],
};

static L2000C: LoopSpec = LoopSpec {
    id: "2000C",
    name: "Patient Hierarchical Level",
    segments: &[
        qual("HL", 3, &["23"], "Patient Hierarchical Level", 1, 1),
        seg("PAT", "Patient Information", 1, 1),
    ],
    children: &[child(&L2010CA, 1, 1), child(&L2300, 1, 100)],
};

static L2010CA: LoopSpec = LoopSpec {
    id: "2010CA",
    name: "Patient Name",
    segments: &[
        qual("NM1", 1, &["QC"], "Patient Name", 1, 1),
        seg("N3", "Patient Address", 1, 1),
        seg("N4", "Patient City, State, ZIP Code", 1, 1),
        seg("DMG", "Patient Demographic Information", 1, 1),
        seg("REF", "Property and Casualty Claim Number", 0, 2),
        seg(
            "PER",
            "Property and Casualty Patient Contact Information",
            0,
            1,
        ),
    ],
    children: &[],
};

static L2300: LoopSpec = LoopSpec {
    id: "2300",
    name: "Claim Information",
    segments: &[
        seg("CLM", "Claim Information", 1, 1),
        seg("DTP", "Claim Dates", 0, 20),
        seg("PWK", "Claim Supplemental Information", 0, 10),
        seg("CN1", "Contract Information", 0, 1),
        seg("AMT", "Patient Amount Paid", 0, 1),
        seg("REF", "Claim References", 0, 14),
        seg("K3", "File Information", 0, 10),
        seg("NTE", "Claim Note", 0, 1),
        seg("CR1", "Ambulance Transport Information", 0, 1),
        seg("CR2", "Spinal Manipulation Service Information", 0, 1),
        seg("CRC", "Condition Indicators", 0, 8),
        qual("HI", 1, &["ABK", "BK"], "Health Care Diagnosis Code", 1, 1),
        qual(
            "HI",
            1,
            &["BP", "BO", "BQ", "BR", "BG", "BE"],
            "Other Health Care Information",
            0,
            3,
        ),
        seg("HCP", "Claim Pricing/Repricing Information", 0, 1),
    ],
    children: &[
        child(&L2310A, 0, 2),
        child(&L2310B, 0, 1),
        child(&L2310C, 0, 1),
        child(&L2310D, 0, 1),
        child(&L2310E, 0, 1),
        child(&L2310F, 0, 1),
        child(&L2320, 0, 10),
        child(&L2400, 1, 50),
    ],
};

static L2310A: LoopSpec = LoopSpec {
    id: "2310A",
    name: "Referring Provider Name",
    segments: &[
        qual("NM1", 1, &["DN", "P3"], "Referring Provider Name", 1, 1),
        seg("REF", "Referring Provider Secondary Identification", 0, 3),
    ],
    children: &[],
};

static L2310B: LoopSpec = LoopSpec {
    id: "2310B",
    name: "Rendering Provider Name",
    segments: &[
        qual("NM1", 1, &["82"], "Rendering Provider Name", 1, 1),
        qual(
            "PRV",
            1,
            &["PE"],
            "Rendering Provider Specialty Information",
            0,
            1,
        ),
        seg("REF", "Rendering Provider Secondary Identification", 0, 4),
    ],
    children: &[],
};

static L2310C: LoopSpec = LoopSpec {
    id: "2310C",
    name: "Service Facility Location Name",
    segments: &[
        qual("NM1", 1, &["77"], "Service Facility Location Name", 1, 1),
        seg("N3", "Service Facility Location Address", 1, 1),
        seg(
            "N4",
            "Service Facility Location City, State, ZIP Code",
            1,
            1,
        ),
        seg(
            "REF",
            "Service Facility Location Secondary Identification",
            0,
            3,
        ),
        seg("PER", "Service Facility Contact Information", 0, 1),
    ],
    children: &[],
};

static L2310D: LoopSpec = LoopSpec {
    id: "2310D",
    name: "Supervising Provider Name",
    segments: &[
        qual("NM1", 1, &["DQ"], "Supervising Provider Name", 1, 1),
        seg("REF", "Supervising Provider Secondary Identification", 0, 4),
    ],
    children: &[],
};

static L2310E: LoopSpec = LoopSpec {
    id: "2310E",
    name: "Ambulance Pick-up Location",
    segments: &[
        qual("NM1", 1, &["PW"], "Ambulance Pick-up Location", 1, 1),
        seg("N3", "Ambulance Pick-up Location Address", 1, 1),
        seg(
            "N4",
            "Ambulance Pick-up Location City, State, ZIP Code",
            1,
            1,
        ),
    ],
    children: &[],
};

static L2310F: LoopSpec = LoopSpec {
    id: "2310F",
    name: "Ambulance Drop-off Location",
    segments: &[
        qual("NM1", 1, &["45"], "Ambulance Drop-off Location", 1, 1),
        seg("N3", "Ambulance Drop-off Location Address", 1, 1),
        seg(
            "N4",
            "Ambulance Drop-off Location City, State, ZIP Code",
            1,
            1,
        ),
    ],
    children: &[],
};

static L2320: LoopSpec = LoopSpec {
    id: "2320",
    name: "Other Subscriber Information",
    segments: &[
        seg("SBR", "Other Subscriber Information", 1, 1),
        seg("CAS", "Claim Level Adjustments", 0, 5),
        seg("AMT", "Coordination of Benefits Amounts", 0, 3),
        seg("OI", "Other Insurance Coverage Information", 1, 1),
        seg("MOA", "Outpatient Adjudication Information", 0, 1),
    ],
    children: &[
        child(&L2330A, 1, 1),
        child(&L2330B, 1, 1),
        child(&L2330C, 0, 2),
        child(&L2330D, 0, 1),
        child(&L2330E, 0, 1),
        child(&L2330F, 0, 1),
        child(&L2330G, 0, 1),
    ],
};

static L2330A: LoopSpec = LoopSpec {
    id: "2330A",
    name: "Other Subscriber Name",
    segments: &[
        qual("NM1", 1, &["IL"], "Other Subscriber Name", 1, 1),
        seg("N3", "Other Subscriber Address", 0, 1),
        seg("N4", "Other Subscriber City, State, ZIP Code", 0, 1),
        seg("REF", "Other Subscriber Secondary Identification", 0, 1),
    ],
    children: &[],
};

static L2330B: LoopSpec = LoopSpec {
    id: "2330B",
    name: "Other Payer Name",
    segments: &[
        qual("NM1", 1, &["PR"], "Other Payer Name", 1, 1),
        seg("N3", "Other Payer Address", 0, 1),
        seg("N4", "Other Payer City, State, ZIP Code", 0, 1),
        seg("DTP", "Claim Check or Remittance Date", 0, 1),
        seg("REF", "Other Payer Secondary Identifiers", 0, 6),
    ],
    children: &[],
};

static L2330C: LoopSpec = LoopSpec {
    id: "2330C",
    name: "Other Payer Referring Provider",
    segments: &[
        qual(
            "NM1",
            1,
            &["DN", "P3"],
            "Other Payer Referring Provider",
            1,
            1,
        ),
        seg(
            "REF",
            "Other Payer Referring Provider Secondary Identification",
            1,
            3,
        ),
    ],
    children: &[],
};

static L2330D: LoopSpec = LoopSpec {
    id: "2330D",
    name: "Other Payer Rendering Provider",
    segments: &[
        qual("NM1", 1, &["82"], "Other Payer Rendering Provider", 1, 1),
        seg(
            "REF",
            "Other Payer Rendering Provider Secondary Identification",
            1,
            3,
        ),
    ],
    children: &[],
};

static L2330E: LoopSpec = LoopSpec {
    id: "2330E",
    name: "Other Payer Service Facility Location",
    segments: &[
        qual(
            "NM1",
            1,
            &["77"],
            "Other Payer Service Facility Location",
            1,
            1,
        ),
        seg(
            "REF",
            "Other Payer Service Facility Location Secondary Identification",
            1,
            3,
        ),
    ],
    children: &[],
};

static L2330F: LoopSpec = LoopSpec {
    id: "2330F",
    name: "Other Payer Supervising Provider",
    segments: &[
        qual("NM1", 1, &["DQ"], "Other Payer Supervising Provider", 1, 1),
        seg(
            "REF",
            "Other Payer Supervising Provider Secondary Identification",
            1,
            3,
        ),
    ],
    children: &[],
};

static L2330G: LoopSpec = LoopSpec {
    id: "2330G",
    name: "Other Payer Billing Provider",
    segments: &[
        qual("NM1", 1, &["85"], "Other Payer Billing Provider", 1, 1),
        seg(
            "REF",
            "Other Payer Billing Provider Secondary Identification",
            1,
            2,
        ),
    ],
    children: &[],
};

static L2400: LoopSpec = LoopSpec {
    id: "2400",
    name: "Service Line Number",
    segments: &[
        seg("LX", "Service Line Number", 1, 1),
        seg("SV1", "Professional Service", 1, 1),
        seg("SV5", "Durable Medical Equipment Service", 0, 1),
        seg("PWK", "Line Supplemental Information", 0, 10),
        seg("CR1", "Ambulance Transport Information", 0, 1),
        seg("CR3", "Durable Medical Equipment Certification", 0, 1),
        seg("CRC", "Condition Indicators", 0, 5),
        qual("DTP", 1, &["472"], "Date - Service Date", 1, 1),
        seg("DTP", "Other Line Dates", 0, 10),
        seg(
            "QTY",
            "Ambulance Patient Count / Obstetric Additional Units",
            0,
            2,
        ),
        seg("MEA", "Test Result", 0, 5),
        seg("CN1", "Contract Information", 0, 1),
        seg("REF", "Line References", 0, 17),
        seg("AMT", "Line Amounts", 0, 2),
        seg("K3", "File Information", 0, 10),
        seg("NTE", "Line Note", 0, 2),
        seg("PS1", "Purchased Service Information", 0, 1),
        seg("HCP", "Line Pricing/Repricing Information", 0, 1),
    ],
    children: &[
        child(&L2410, 0, 1),
        child(&L2420A, 0, 1),
        child(&L2420B, 0, 1),
        child(&L2420C, 0, 1),
        child(&L2420D, 0, 1),
        child(&L2420E, 0, 1),
        child(&L2420F, 0, 2),
        child(&L2420G, 0, 1),
        child(&L2420H, 0, 1),
        child(&L2430, 0, 15),
        child(&L2440, 0, MANY),
    ],
};

static L2410: LoopSpec = LoopSpec {
    id: "2410",
    name: "Drug Identification",
    segments: &[
        seg("LIN", "Drug Identification", 1, 1),
        seg("CTP", "Drug Quantity", 1, 1),
        seg(
            "REF",
            "Prescription or Compound Drug Association Number",
            0,
            1,
        ),
    ],
    children: &[],
};

static L2420A: LoopSpec = LoopSpec {
    id: "2420A",
    name: "Rendering Provider Name",
    segments: &[
        qual("NM1", 1, &["82"], "Rendering Provider Name", 1, 1),
        qual(
            "PRV",
            1,
            &["PE"],
            "Rendering Provider Specialty Information",
            0,
            1,
        ),
        seg("REF", "Rendering Provider Secondary Identification", 0, 20),
    ],
    children: &[],
};

static L2420B: LoopSpec = LoopSpec {
    id: "2420B",
    name: "Purchased Service Provider Name",
    segments: &[
        qual("NM1", 1, &["QB"], "Purchased Service Provider Name", 1, 1),
        seg(
            "REF",
            "Purchased Service Provider Secondary Identification",
            0,
            20,
        ),
    ],
    children: &[],
};

static L2420C: LoopSpec = LoopSpec {
    id: "2420C",
    name: "Service Facility Location Name",
    segments: &[
        qual("NM1", 1, &["77"], "Service Facility Location Name", 1, 1),
        seg("N3", "Service Facility Location Address", 1, 1),
        seg(
            "N4",
            "Service Facility Location City, State, ZIP Code",
            1,
            1,
        ),
        seg(
            "REF",
            "Service Facility Location Secondary Identification",
            0,
            3,
        ),
    ],
    children: &[],
};

static L2420D: LoopSpec = LoopSpec {
    id: "2420D",
    name: "Supervising Provider Name",
    segments: &[
        qual("NM1", 1, &["DQ"], "Supervising Provider Name", 1, 1),
        seg(
            "REF",
            "Supervising Provider Secondary Identification",
            0,
            20,
        ),
    ],
    children: &[],
};

static L2420E: LoopSpec = LoopSpec {
    id: "2420E",
    name: "Ordering Provider Name",
    segments: &[
        qual("NM1", 1, &["DK"], "Ordering Provider Name", 1, 1),
        seg("N3", "Ordering Provider Address", 0, 1),
        seg("N4", "Ordering Provider City, State, ZIP Code", 0, 1),
        seg("REF", "Ordering Provider Secondary Identification", 0, 20),
        seg("PER", "Ordering Provider Contact Information", 0, 1),
    ],
    children: &[],
};

static L2420F: LoopSpec = LoopSpec {
    id: "2420F",
    name: "Referring Provider Name",
    segments: &[
        qual("NM1", 1, &["DN", "P3"], "Referring Provider Name", 1, 1),
        seg("REF", "Referring Provider Secondary Identification", 0, 20),
    ],
    children: &[],
};

static L2420G: LoopSpec = LoopSpec {
    id: "2420G",
    name: "Ambulance Pick-up Location",
    segments: &[
        qual("NM1", 1, &["PW"], "Ambulance Pick-up Location", 1, 1),
        seg("N3", "Ambulance Pick-up Location Address", 1, 1),
        seg(
            "N4",
            "Ambulance Pick-up Location City, State, ZIP Code",
            1,
            1,
        ),
    ],
    children: &[],
};

static L2420H: LoopSpec = LoopSpec {
    id: "2420H",
    name: "Ambulance Drop-off Location",
    segments: &[
        qual("NM1", 1, &["45"], "Ambulance Drop-off Location", 1, 1),
        seg("N3", "Ambulance Drop-off Location Address", 1, 1),
        seg(
            "N4",
            "Ambulance Drop-off Location City, State, ZIP Code",
            1,
            1,
        ),
    ],
    children: &[],
};

static L2430: LoopSpec = LoopSpec {
    id: "2430",
    name: "Line Adjudication Information",
    segments: &[
        seg("SVD", "Line Adjudication Information", 1, 1),
        seg("CAS", "Line Adjustment", 0, 5),
        seg("DTP", "Line Check or Remittance Date", 1, 1),
        seg("AMT", "Remaining Patient Liability", 0, 1),
    ],
    children: &[],
};

static L2440: LoopSpec = LoopSpec {
    id: "2440",
    name: "Form Identification Code",
    segments: &[
        seg("LQ", "Form Identification Code", 1, 1),
        seg("FRM", "Supporting Documentation", 1, 99),
    ],
    children: &[],
};
