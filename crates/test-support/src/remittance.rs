//! An 835 a payer could send for claims we wrote, for tests that post one.

use cleanclaim_x12::x837::read_claims;

/// An 835 paying the claims of an 837: each line paid at 60% with a CO-45 write-down, except
/// that every second line of a claim is denied CO-197 (authorization), under trace `trace`.
pub fn answer_835(claims_837: &str, trace: &str) -> String {
    let claims = read_claims(claims_837).unwrap_or_else(|e| panic!("the 837 reads back: {e}"));
    let mut body = String::new();
    let mut total = 0;
    for claim in &claims {
        let mut lines = String::new();
        let mut paid = 0;
        for (n, line) in claim.lines.iter().enumerate() {
            let charge = line.charge.0;
            let mods: String = line
                .modifiers
                .iter()
                .map(|m| format!(":{}", m.as_str()))
                .collect();
            let line_paid = if n % 2 == 1 { 0 } else { charge * 6 / 10 };
            let adjustment = if line_paid == 0 {
                format!("CAS*CO*197*{}~", cents(charge))
            } else {
                format!("CAS*CO*45*{}~", cents(charge - line_paid))
            };
            paid += line_paid;
            lines.push_str(&format!(
                "SVC*HC:{}{mods}*{}*{}**{}~DTM*472*{}~{adjustment}REF*6R*{}~",
                line.code.as_str(),
                cents(charge),
                cents(line_paid),
                line.units,
                line.date.format("%Y%m%d"),
                line.control_number
            ));
        }
        total += paid;
        body.push_str(&format!(
            "CLP*{}*1*{}*{}*0*MB*PCN-{}~{lines}",
            claim.id,
            cents(claim.total().0),
            cents(paid),
            claim.id
        ));
    }
    let inner = format!(
        "BPR*I*{}*C*ACH*CCP*01*999*DA*123*1512345678**01*888*DA*456*20250320~TRN*1*{trace}*1512345678~N1*PR*MEDICARE PART B~N1*PE*CLINIC*XX*1245319599~REF*TJ*371234567~LX*1~{body}",
        cents(total)
    );
    let count = 2 + inner.matches('~').count();
    format!(
        "ISA*00*          *00*          *ZZ*PAYER          *ZZ*CLINIC         *250320*1200*^*00501*000000001*0*P*:~GS*HP*PAYER*CLINIC*20250320*1200*1*X*005010X221A1~ST*835*0001~{inner}SE*{count}*0001~GE*1*1~IEA*1*000000001~"
    )
}

fn cents(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}
