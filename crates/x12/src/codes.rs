//! External code lists the guides point to, where cleanclaim checks them.

/// States, provinces and territories (X12 code source 22) as N402 uses them: the 50 states
/// and DC, the US territories and freely associated states, the armed forces codes, and
/// Canada's provinces and territories. The guides use N402 only for US and Canadian
/// addresses.
pub const STATES: &[&str] = &[
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA",
    "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM",
    "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA",
    "WV", "WI", "WY", // states and DC
    "AS", "FM", "GU", "MH", "MP", "PW", "PR", "VI", // territories, freely associated states
    "AA", "AE", "AP", // armed forces
    "AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT", // Canada
];

/// What [`STATES`] holds, for messages.
pub const STATES_NAME: &str =
    "the US state, territory and Canadian province codes (X12 code source 22)";
