//! What the codes of a 999 and a 277CA mean, for people reading a rejection.
//!
//! Sources: ASC X12 005010X231A1 (999) IK3-04, IK4-03, IK5/AK9 code lists; X12 external code
//! list 507 (Health Care Claim Status Category Codes) for STC01-1.

/// IK304: why a segment is in error.
pub fn segment_error(code: &str) -> &'static str {
    match code {
        "1" => "unrecognized segment id",
        "2" => "unexpected segment",
        "3" => "required segment missing",
        "4" => "loop occurs over maximum times",
        "5" => "segment exceeds maximum use",
        "6" => "segment not in defined transaction set",
        "7" => "segment not in proper sequence",
        "8" => "segment has data element errors",
        "I4" => "implementation \"not used\" segment present",
        "I6" => "implementation dependent segment missing",
        "I7" => "implementation loop occurs under minimum times",
        "I8" => "implementation segment below minimum use",
        "I9" => "implementation dependent \"not used\" segment present",
        _ => "unknown segment error code",
    }
}

/// IK403: why a data element is in error.
pub fn element_error(code: &str) -> &'static str {
    match code {
        "1" => "required data element missing",
        "2" => "conditional required data element missing",
        "3" => "too many data elements",
        "4" => "data element too short",
        "5" => "data element too long",
        "6" => "invalid character in data element",
        "7" => "invalid code value",
        "8" => "invalid date",
        "9" => "invalid time",
        "10" => "exclusion condition violated",
        "12" => "too many repetitions",
        "13" => "too many components",
        "I6" => "code value not used in implementation",
        "I9" => "implementation dependent data element missing",
        "I10" => "implementation \"not used\" data element present",
        "I11" => "implementation too few repetitions",
        "I12" => "implementation pattern match failure",
        "I13" => "implementation dependent \"not used\" data element present",
        _ => "unknown element error code",
    }
}

/// IK502-06: why a transaction set is in error.
pub fn set_error(code: &str) -> &'static str {
    match code {
        "1" => "transaction set not supported",
        "2" => "transaction set trailer missing",
        "3" => "transaction set control number in header and trailer do not match",
        "4" => "number of included segments does not match actual count",
        "5" => "one or more segments in error",
        "6" => "missing or invalid transaction set identifier",
        "7" => "missing or invalid transaction set control number",
        "23" => "transaction set control number not unique within the functional group",
        "I5" => "implementation one or more segments in error",
        "I6" => "implementation convention not supported",
        _ => "unknown transaction set error code",
    }
}

/// STC01-1: the claim status category.
pub fn status_category(code: &str) -> &'static str {
    match code {
        "A0" => "acknowledgement/forwarded: the claim was forwarded to another entity",
        "A1" => "acknowledgement/receipt: received, not yet accepted for processing",
        "A2" => "acknowledgement/acceptance into the adjudication system",
        "A3" => "acknowledgement/returned as unprocessable claim",
        "A4" => "acknowledgement/not found",
        "A5" => "acknowledgement/split claim",
        "A6" => "acknowledgement/rejected for missing information",
        "A7" => "acknowledgement/rejected for invalid information",
        "A8" => "acknowledgement/rejected for relational field in error",
        "E0" => "response not possible: error on submitted request data",
        "E1" => "response not possible: system status",
        "E2" => "information holder is not responding; resubmit later",
        "E3" => "correction required: relational fields in error",
        "E4" => "trading partner agreement specific requirement not met",
        _ => "unknown status category",
    }
}
