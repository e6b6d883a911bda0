//! What every mapping infers the same way: the visit type from the codes billed, and the
//! discipline from the clinician's role.

/// The visit type the codes show: evaluation and re-evaluation codes per discipline (CPT
/// descriptors; SLP has no re-evaluation code, MBPM ch.15 §220.3.C). A visit with a discharge
/// disposition (PV1-36) and no evaluation code is the discharge visit.
pub(crate) fn visit_type(discipline: &str, codes: &[&str], discharged: bool) -> &'static str {
    let any = |list: &[&str]| codes.iter().any(|c| list.contains(c));
    match discipline {
        "pt" if any(&["97164"]) => "re_evaluation",
        "pt" if any(&["97161", "97162", "97163"]) => "evaluation",
        "ot" if any(&["97168"]) => "re_evaluation",
        "ot" if any(&["97165", "97166", "97167"]) => "evaluation",
        "slp" if any(&["92521", "92522", "92523", "92524", "92610"]) => "evaluation",
        _ if discharged => "discharge",
        _ => "treatment",
    }
}

/// The discipline a clinician's role belongs to (a student has none of their own).
pub(crate) fn discipline_of_role(role: &str) -> Option<&'static str> {
    match role {
        "pt" | "pta" => Some("pt"),
        "ot" | "ota" => Some("ot"),
        "slp" => Some("slp"),
        _ => None,
    }
}
