//! `cleanclaim remit` end to end: the project's 835 fixtures as a table and as JSON lines, an
//! overriding category map, and posting to an empty database of the test's own an 835
//! answering claims `cleanclaim claims` wrote.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests fail loudly by design"
)]

mod common;

use cleanclaim_test_support::answer_835;
use common::{
    TestDatabase, cleanclaim, cleanclaim_db, fixture, scratch, scratch_dir, submit, unique,
    x12_data,
};

#[test]
fn a_remittance_prints_payments_and_denials_with_causes() {
    // The first interchange pays its claim; nothing is denied there. The second denies.
    let paid = cleanclaim(&["remit", &fixture("835/bom-crlf-two-interchanges.835")]);
    let stdout = String::from_utf8_lossy(&paid.stdout);
    assert_eq!(paid.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("payment ACH 85.76 from MEDICARE PART B"),
        "{stdout}"
    );
    assert!(
        stdout.contains("2 claim(s), 85.76 paid; 1 denied, 0 partly denied"),
        "{stdout}"
    );

    let denied = cleanclaim(&["remit", &fixture("835/paid-and-denied.835")]);
    let stdout = String::from_utf8_lossy(&denied.stdout);
    assert_eq!(
        denied.status.code(),
        Some(1),
        "denials are findings: {stdout}"
    );
    assert!(stdout.contains("denied: authorization CO-197"), "{stdout}");
    assert!(
        stdout.contains("authorization: 1 claim(s), 152.00 denied"),
        "{stdout}"
    );
    assert!(
        stdout.contains("documentation: 1 claim(s), 95.00 denied"),
        "{stdout}"
    );
}

#[test]
fn json_lines_end_with_a_summary_and_the_category_map_can_be_overridden() {
    let dir = scratch_dir("remit-json");
    let file = fixture("835/paid-and-denied.835");
    let output = cleanclaim(&["remit", "--format", "json", &file]);
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let items: Vec<_> = lines.iter().map(|l| l["item"].as_str().unwrap()).collect();
    assert_eq!(
        items,
        [
            "payment",
            "claim",
            "claim",
            "claim",
            "provider_adjustment",
            "end",
            "summary"
        ]
    );
    assert_eq!(lines[2]["outcome"]["cause"], "authorization");
    assert_eq!(lines[6]["denied"], 1);

    let overrides = dir.join("ours.toml");
    std::fs::write(
        &overrides,
        "version = 1\n[carc]\n\"197\" = { category = \"eligibility\", label = \"Filed with the wrong plan\" }\n",
    )
    .unwrap();
    let output = cleanclaim(&[
        "remit",
        "--format",
        "json",
        "--categories",
        overrides.to_str().unwrap(),
        &file,
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let claim: serde_json::Value = serde_json::from_str(stdout.lines().nth(2).unwrap()).unwrap();
    assert_eq!(claim["outcome"]["cause"], "eligibility");
    assert!(
        claim["outcome"]["adjustments"][0]["why"]
            .as_str()
            .unwrap()
            .contains("Filed with the wrong plan")
    );

    std::fs::write(
        &overrides,
        "version = 1\n[carc]\n\"197\" = \"eligibility\"\n",
    )
    .unwrap();
    let bad = cleanclaim(&["remit", "--categories", overrides.to_str().unwrap(), &file]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("ours.toml"));
}

#[test]
fn posting_links_claims_refuses_a_second_posting_and_leaves_nothing_from_a_broken_file() {
    let database = TestDatabase::sqlite();
    let (dir, profile, _) = scratch("remit-post", 'R');
    let data = x12_data();
    let claims_file = dir.join("out.837");
    submit(
        &database,
        &profile,
        &claims_file,
        &["pt-medicare", "ot-commercial"],
    );

    let trace = format!("EFT{}", unique());
    let remittance = dir.join("answer.835");
    let text = answer_835(&std::fs::read_to_string(&claims_file).unwrap(), &trace);
    std::fs::write(&remittance, &text).unwrap();
    let remit = remittance.to_str().unwrap();

    let first = cleanclaim_db(&database, &["remit", "--post", remit]);
    let stdout = String::from_utf8_lossy(&first.stdout);
    let stderr = String::from_utf8_lossy(&first.stderr);
    assert_eq!(
        first.status.code(),
        Some(1),
        "denied lines are findings: {stdout}{stderr}"
    );
    assert!(
        stderr.contains(
            "posted 2 claim(s); 0 not matched to a submitted claim, 0 line(s) not matched"
        ),
        "{stderr}"
    );
    assert!(stdout.contains("authorization"), "{stdout}");

    let second = cleanclaim_db(&database, &["remit", "--post", remit]);
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(1));
    assert!(stderr.contains("already posted"), "{stderr}");
    assert!(stderr.contains("posted 0 claim(s)"), "{stderr}");

    // A new trace number, cut off before its end: an error, and nothing of it is posted,
    // so the whole file posts afterwards as new.
    let trace = format!("EFT{}", unique());
    let whole = answer_835(&std::fs::read_to_string(&claims_file).unwrap(), &trace);
    let broken = dir.join("broken.835");
    std::fs::write(&broken, &whole[..whole.len() - 30]).unwrap();
    let failed = cleanclaim_db(&database, &["remit", "--post", broken.to_str().unwrap()]);
    assert_eq!(failed.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&failed.stderr).contains("nothing posted"));
    std::fs::write(&broken, &whole).unwrap();
    let retried = cleanclaim_db(&database, &["remit", "--post", broken.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&retried.stderr);
    assert!(stderr.contains("posted 2 claim(s)"), "{stderr}");

    // The denied line is fixed and the claim replaced: the payer's claim number comes from
    // the posted 835 when the resubmissions file leaves it blank.
    let resubmissions = dir.join("resubmit.csv");
    std::fs::write(
        &resubmissions,
        "claim_id,frequency,payer_claim_number\nPT-0001,replacement,\n",
    )
    .unwrap();
    let replacement = dir.join("replacement.837");
    let replaced = cleanclaim_db(
        &database,
        &[
            "claims",
            "--profile",
            profile.to_str().unwrap(),
            "--out",
            replacement.to_str().unwrap(),
            "--resubmissions",
            resubmissions.to_str().unwrap(),
            data.join("encounters/pt-medicare.json").to_str().unwrap(),
        ],
    );
    assert_eq!(
        replaced.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&replaced.stderr)
    );
    let text = std::fs::read_to_string(&replacement).unwrap();
    assert!(text.contains("CLM*PT-0001*134***11:B:7*"), "{text}");
    assert!(text.contains("REF*F8*PCN-PT-0001~"), "{text}");

    // A resubmission of a claim this run does not build is a mistake, and stops the run.
    std::fs::write(
        &resubmissions,
        "claim_id,frequency,payer_claim_number\nPT-9999,void,X1\n",
    )
    .unwrap();
    let wrong = cleanclaim_db(
        &database,
        &[
            "claims",
            "--profile",
            profile.to_str().unwrap(),
            "--out",
            dir.join("wrong.837").to_str().unwrap(),
            "--resubmissions",
            resubmissions.to_str().unwrap(),
            data.join("encounters/pt-medicare.json").to_str().unwrap(),
        ],
    );
    assert_eq!(wrong.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("PT-9999"));
}

#[test]
fn acknowledgments_are_read_and_recorded_against_our_claims_once() {
    let database = TestDatabase::sqlite();
    let (dir, profile, sender) = scratch("ack-post", 'K');
    submit(
        &database,
        &profile,
        &dir.join("out.837"),
        &["pt-medicare", "ot-commercial"],
    );
    // A fresh sender starts at ST02 0001 (one transaction set for two claims). The
    // acknowledgment's own ISA13 is new each run: it is what makes a verdict new.
    let control = format!("{:09}", unique() % 1_000_000_000);
    let isa = format!(
        "ISA*00*          *00*          *ZZ*PAYER          *ZZ*{sender:<15}*250320*1200*^*00501*{control}*0*P*:~"
    );
    let rejection = format!(
        "{isa}GS*FA*PAYER*CLINIC*20250320*1200*77*X*005010X231A1~ST*999*0001*005010X231A1~AK1*HC*1*005010X222A1~AK2*837*0001*005010X222A1~IK3*NM1*7*2010BA*8~IK4*9*67*1~IK5*R*5~AK9*R*1*1*0~SE*8*0001~GE*1*77~IEA*1*{control}~"
    );
    let file = dir.join("answer.999");
    std::fs::write(&file, rejection).unwrap();
    let first = cleanclaim_db(&database, &["ack", "--post", file.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&first.stdout);
    let stderr = String::from_utf8_lossy(&first.stderr);
    assert_eq!(first.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stdout.contains("837 set 0001: REJECTED"), "{stdout}");
    assert!(stdout.contains("required data element missing"), "{stdout}");
    assert!(
        stderr.contains("2 claim verdict(s), 2 new; 0 acknowledgment(s) name nothing"),
        "{stderr}"
    );
    let again = cleanclaim_db(&database, &["ack", "--post", file.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&again.stderr).contains("2 claim verdict(s), 0 new"));

    let ca = format!(
        "{isa}GS*HN*PAYER*CLINIC*20250320*1200*78*X*005010X214~ST*277*0001*005010X214~BHT*0085*08*B1*20250320*1200*TH~HL*1**20*1~NM1*PR*2*MEDICARE*****PI*12345~HL*2*1*21*1~NM1*41*2*CLINIC*****46*{sender}~HL*3*2*19*1~NM1*85*2*CLINIC*****XX*1234567893~HL*4*3*PT~NM1*QC*1*DOE*JANE****MI*1EG4TE5MK73~TRN*2*PT-0001~STC*A2:20*20250320*WQ*134~HL*5*3*PT~NM1*QC*1*ROE*RICHARD****MI*W123456789~TRN*2*OT-0002~STC*A7:21:82*20250320*U*152~TRN*2*NOT-OURS~STC*A2:20*20250320*WQ*10~SE*20*0001~GE*1*78~IEA*1*{control}~"
    );
    let file = dir.join("answer.277");
    std::fs::write(&file, ca).unwrap();
    let posted = cleanclaim_db(&database, &["ack", "--post", file.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&posted.stdout);
    let stderr = String::from_utf8_lossy(&posted.stderr);
    assert_eq!(posted.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stdout.contains("claim OT-0002: Rejected A7:21:82"),
        "{stdout}"
    );
    assert!(
        stderr.contains("2 claim verdict(s), 2 new; 1 acknowledgment(s) name nothing"),
        "{stderr}"
    );
}

#[test]
fn envelope_counts_that_do_not_match_are_warned_about() {
    let dir = scratch_dir("remit-envelope");
    let text = std::fs::read_to_string(fixture("835/paid-and-denied.835"))
        .unwrap()
        .replace("SE*45*0001", "SE*46*0001");
    let file = dir.join("miscounted.835");
    std::fs::write(&file, text).unwrap();
    let output = cleanclaim(&["remit", file.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("warning: segment") && stderr.contains("declares \"46\" segments"),
        "{stderr}"
    );
}

/// Regression (issue 11): a closed port waited 30 s and said `pool timed out`; a missing
/// database printed its error three times. Both now name the server and the fix, once.
#[test]
fn database_mistakes_name_the_server_and_the_fix() {
    let file = fixture("835/paid-and-denied.835");
    let server = common::TestDatabase::create();
    let missing = server.url().rsplit_once('/').unwrap().0.to_owned() + "/cleanclaim_no_such_db";
    // Port 9 (discard) is closed on the test machine's loopback.
    let closed = "postgres://postgres@127.0.0.1:9/test";
    for (url, expected) in [
        (
            closed,
            "cannot connect to PostgreSQL at 127.0.0.1:9 (database `test`): connection refused",
        ),
        (
            missing.as_str(),
            "the database does not exist; create it with `createdb -h",
        ),
    ] {
        let output = cleanclaim(&["remit", "--post", "--database-url", url, &file]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(expected), "{stderr}");
        assert_eq!(stderr.matches("cannot connect").count(), 1, "{stderr}");
    }
}

/// Regression (issue 11): `remit` took one file, and a long claim id pushed its row out of
/// the columns.
#[test]
fn several_remittances_are_read_in_one_run_and_long_ids_keep_the_columns() {
    let dir = scratch_dir("remit-several");
    let long_id = "PT-2026-03-09-CLINIC-00042-VISIT-0001";
    let text = std::fs::read_to_string(fixture("835/paid-and-denied.835"))
        .unwrap()
        .replace("CLP*PT-0001*", &format!("CLP*{long_id}*"));
    let long = dir.join("long.835");
    std::fs::write(&long, text).unwrap();
    let output = cleanclaim(&[
        "remit",
        &fixture("835/bom-crlf-two-interchanges.835"),
        long.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    // 2 claims from the first file, 3 from the second.
    assert!(stdout.contains("5 claim(s), 267.52 paid"), "{stdout}");
    assert!(stdout.contains(&format!("\n  {long_id}\n")), "{stdout}");
    let header = stdout.lines().find(|l| l.contains("charged")).unwrap();
    let charged_end = header.find("charged").unwrap() + "charged".len();
    for row in stdout.lines().filter(|l| l.contains("paid as primary")) {
        // The charge is right-aligned under its heading: `NNN.NN` ends where `charged` ends.
        assert_eq!(
            row.get(charged_end - 3..charged_end - 2),
            Some("."),
            "{row}"
        );
        assert_eq!(row.get(charged_end..=charged_end), Some(" "), "{row}");
    }
}

/// Amounts at the edge of what cents can hold, in every place an 835 carries one: read,
/// assessed and totalled without a panic (exit 101), and flagged as not balancing.
#[test]
fn amounts_at_the_edge_of_cents_never_panic() {
    let max = "92233720368547758.07";
    let min = "-92233720368547758.08";
    let mut body = String::new();
    for claim in 0..5 {
        body.push_str(&format!(
            "CLP*EDGE-{claim}*1*{max}*{min}*{max}*MB*PCN{claim}~CAS*CO*45*{max}*1*CO*45*{max}~SVC*HC:97110*{max}*{min}**1~CAS*PR*1*{max}~REF*6R*EDGE-{claim}-1~"
        ));
    }
    let inner = format!(
        "BPR*I*{max}*C*ACH*CCP*01*999*DA*123*1512345678**01*888*DA*456*20250320~TRN*1*EDGE*1512345678~N1*PR*PAYER~N1*PE*CLINIC*XX*1245319599~LX*1~{body}PLB*1245319599*20251231*WO:1*{max}*WO:2*{max}~"
    );
    let count = 2 + inner.matches('~').count();
    let text = format!(
        "ISA*00*          *00*          *ZZ*PAYER          *ZZ*CLINIC         *250320*1200*^*00501*000000001*0*P*:~GS*HP*PAYER*CLINIC*20250320*1200*1*X*005010X221A1~ST*835*0001~{inner}SE*{count}*0001~GE*1*1~IEA*1*000000001~"
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("edge.835");
    std::fs::write(&file, text).unwrap();
    for format in ["table", "json"] {
        let output = cleanclaim(&["remit", "--format", format, file.to_str().unwrap()]);
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            matches!(output.status.code(), Some(1 | 2)),
            "{format}: {:?}\n{stdout}{stderr}",
            output.status
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}
