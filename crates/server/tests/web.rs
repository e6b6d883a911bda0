#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail loudly by design"
)]
//! The web pages over real HTTP: sign in with the form, the dashboard and queues in the user's
//! scope, values escaped, sign out ends the session.

mod support;

use cleanclaim_app::access::Role;
use cleanclaim_store::Clinic;
use cleanclaim_test_support::TestDatabase;
use reqwest::StatusCode;
use support::{PASSWORD, Server, encounters_at, user_of};

/// A request with the session cookie (and, for a POST, a form).
async fn as_user(
    web: &reqwest::Client,
    method: &str,
    url: String,
    cookie: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    let request = match method {
        "POST" => web.post(url).form(form),
        _ => web.get(url),
    };
    request.header("cookie", cookie).send().await.unwrap()
}

/// A page's HTML, read with the session cookie.
async fn page_text(web: &reqwest::Client, url: String, cookie: &str) -> String {
    as_user(web, "GET", url, cookie, &[])
        .await
        .text()
        .await
        .unwrap()
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_see_the_dashboard_and_queues_of_your_clinics_and_sign_out() {
    let server = Server::start(TestDatabase::sqlite()).await;
    // A clinic name that would be markup if it were not escaped.
    server
        .store
        .put_clinic(&Clinic {
            id: "north".into(),
            name: "North <b>Main</b>".into(),
        })
        .await
        .unwrap();
    let south = encounters_at(8, 10, "south", None);
    for encounter in encounters_at(7, 30, "north", None)
        .iter()
        .chain(south.iter())
    {
        server.post_encounter(Role::Admin, encounter).await;
    }
    let web = client();
    let base = &server.base;

    let page = web.get(format!("{base}/dashboard")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    assert_eq!(page.headers()["location"], "/login");
    let (form, form_cookie, token) = login_form(&web, base).await;
    assert!(
        form.contains("<form method=\"post\" action=\"/login\">"),
        "{form}"
    );
    let sign_in = |username: String, password: &'static str, cookie: String, token: String| {
        web.post(format!("{base}/login"))
            .header("cookie", cookie)
            .form(&[
                ("username", username.as_str()),
                ("password", password),
                ("token", token.as_str()),
            ])
            .send()
    };

    // A form posted without this server's token (another site's form: login CSRF) is refused,
    // whatever the password.
    let forged = sign_in(
        user_of(Role::Biller),
        PASSWORD,
        String::new(),
        token.clone(),
    )
    .await
    .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert!(
        forged
            .headers()
            .get("set-cookie")
            .is_some_and(|c| c.to_str().unwrap().starts_with("cleanclaim_login="))
    );
    let mismatched = sign_in(
        user_of(Role::Biller),
        PASSWORD,
        form_cookie.clone(),
        "0".repeat(64),
    )
    .await
    .unwrap();
    assert_eq!(mismatched.status(), StatusCode::FORBIDDEN);

    let wrong = sign_in(
        user_of(Role::Biller),
        "nope",
        form_cookie.clone(),
        token.clone(),
    )
    .await
    .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(
        wrong
            .text()
            .await
            .unwrap()
            .contains("The user name or password is wrong.")
    );

    let signed_in = sign_in(user_of(Role::Biller), PASSWORD, form_cookie, token)
        .await
        .unwrap();
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    let cookie = signed_in.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    assert!(
        signed_in.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("HttpOnly")
    );

    let dashboard = as_user(&web, "GET", format!("{base}/dashboard"), &cookie, &[]).await;
    let status = dashboard.status();
    if status != StatusCode::OK {
        panic!("{status}: {}", dashboard.text().await.unwrap());
    }
    assert_eq!(
        dashboard.headers()["content-type"],
        "text/html; charset=utf-8"
    );
    let html = dashboard.text().await.unwrap();
    assert!(
        html.contains("First-pass clean claim rate") && html.contains("<svg role=\"img\""),
        "{html}"
    );
    let options: Vec<&str> = html
        .split("<option")
        .filter(|o| o.contains("north"))
        .collect();
    assert!(
        html.contains("North &lt;b&gt;Main&lt;&#x2f;b&gt;")
            || html.contains("North &lt;b&gt;Main&lt;/b&gt;"),
        "the clinic name is escaped: {options:?}"
    );
    assert!(!html.contains("<b>Main</b>"));
    assert!(
        !html.contains("south clinic"),
        "a north biller does not see the south clinic"
    );
    // 30 north visits were scrubbed; the south ones are not counted.
    let scrubbed: usize = html
        .split("<section aria-labelledby=\"auto\">")
        .nth(1)
        .unwrap()
        .split("<tr><th scope=\"row\">")
        .skip(1)
        .map(|row| {
            row.split("<td class=\"n\">")
                .nth(1)
                .unwrap()
                .split('<')
                .next()
                .unwrap()
                .parse::<usize>()
                .unwrap()
        })
        .sum();
    assert_eq!(scrubbed, 30);
    let filtered = as_user(
        &web,
        "GET",
        format!("{base}/dashboard?discipline=pt&from=2026-01-01"),
        &cookie,
        &[],
    )
    .await;
    assert_eq!(filtered.status(), StatusCode::OK);
    assert!(
        filtered
            .text()
            .await
            .unwrap()
            .contains("<option value=\"pt\" selected>")
    );

    // Two periods side by side, with a staff cost for the cost to collect.
    let compared = page_text(
        &web,
        format!("{base}/dashboard?a_from=2000-01-01&a_to=2025-06-30&b_from=2025-07-01&b_to=2030-12-31&staff_cost=12000"),
        &cookie,
    )
    .await;
    assert!(
        compared.contains("Baseline 2000-01-01 to 2025-06-30")
            && compared.contains("After 2025-07-01 to 2030-12-31")
            && compared.contains("<th scope=\"row\">Cost to collect</th>"),
        "{compared}"
    );

    let queues = as_user(
        &web,
        "GET",
        format!("{base}/queues?queue=documentation_hold"),
        &cookie,
        &[],
    )
    .await;
    let html = queues.text().await.unwrap();
    assert!(
        html.contains("open item(s) in documentation hold"),
        "{html}"
    );
    assert!(
        !html.contains("S8-"),
        "no south visit in a north user's queues"
    );

    // A held visit opens from its queue row: the trace shows every line's explanation and
    // each finding with its fix; another clinic's visit is not found.
    let held = html
        .split("<a href=\"/encounters/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let trace = as_user(
        &web,
        "GET",
        format!("{base}/encounters/{held}"),
        &cookie,
        &[],
    )
    .await;
    assert_eq!(trace.status(), StatusCode::OK);
    let page = trace.text().await.unwrap();
    assert!(
        page.contains("Scrub result now: documentation hold")
            && page.contains("unit(s)")
            && page.contains("<th scope=\"col\">Fix</th>"),
        "{page}"
    );
    assert!(
        page.contains("new record"),
        "the result history says why: {page}"
    );
    let foreign = as_user(
        &web,
        "GET",
        format!("{base}/encounters/{}", south[0].id),
        &cookie,
        &[],
    )
    .await;
    assert_eq!(foreign.status(), StatusCode::NOT_FOUND);
    let provider = as_user(&web, "GET", format!("{base}/provider"), &cookie, &[]).await;
    assert_eq!(provider.status(), StatusCode::OK);
    let page = provider.text().await.unwrap();
    assert!(
        page.contains("Why visits are held most often") && page.contains("How to avoid it"),
        "{page}"
    );

    // Work an item: take it, then resolve it; it leaves the open list.
    let count = |html: &str| -> usize {
        html.split("<caption>")
            .nth(1)
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let before = count(&html);
    assert!(before > 0, "{html}");
    let id: i64 = html
        .split("action=\"/queues/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let back = [("queue", "documentation_hold")];
    let took = as_user(
        &web,
        "POST",
        format!("{base}/queues/{id}/take"),
        &cookie,
        &back,
    )
    .await;
    assert_eq!(took.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        took.headers()["location"],
        "/queues?queue=documentation_hold"
    );
    let html = page_text(
        &web,
        format!("{base}/queues?queue=documentation_hold"),
        &cookie,
    )
    .await;
    assert!(
        html.contains(&format!("<td>{}</td>", user_of(Role::Biller))),
        "the taker is the owner"
    );
    let resolved = as_user(
        &web,
        "POST",
        format!("{base}/queues/{id}/resolve"),
        &cookie,
        &back,
    )
    .await;
    assert_eq!(resolved.status(), StatusCode::SEE_OTHER);
    let html = page_text(
        &web,
        format!("{base}/queues?queue=documentation_hold"),
        &cookie,
    )
    .await;
    assert_eq!(count(&html), before - 1);
    assert!(!html.contains(&format!("action=\"/queues/{id}/")));

    // Largest charges first: the list's charges never rise.
    let by_dollars = page_text(&web, format!("{base}/queues?order=dollars"), &cookie).await;
    assert!(by_dollars.contains("largest charges first"), "{by_dollars}");
    let charges: Vec<f64> = by_dollars
        .split("<td class=\"n\">")
        .skip(1)
        .filter_map(|cell| cell.split('<').next())
        .filter_map(|text| text.trim_start_matches('$').replace(',', "").parse().ok())
        .collect();
    assert!(charges.len() > 1, "{by_dollars}");
    assert!(
        charges.windows(2).all(|pair| pair[0] >= pair[1]),
        "{charges:?}"
    );

    // A comment from the page lands on the item, and the trace shows it.
    let next: i64 = by_dollars
        .split("action=\"/queues/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let commented = as_user(
        &web,
        "POST",
        format!("{base}/queues/{next}/comment"),
        &cookie,
        &[("text", "called the clinic <today>"), ("order", "dollars")],
    )
    .await;
    assert_eq!(commented.status(), StatusCode::SEE_OTHER);
    assert_eq!(commented.headers()["location"], "/queues?order=dollars");
    let comments = server.store.queue_comments(next).await.unwrap();
    assert_eq!(comments.len(), 1);
    assert_eq!(comments[0].1, "called the clinic <today>");
    let empty = as_user(
        &web,
        "POST",
        format!("{base}/queues/{next}/comment"),
        &cookie,
        &[("text", "  ")],
    )
    .await;
    assert_eq!(empty.status(), StatusCode::BAD_REQUEST);
    let bad_status = as_user(
        &web,
        "POST",
        format!("{base}/queues/{next}/status"),
        &cookie,
        &[("status", "billed")],
    )
    .await;
    assert_eq!(bad_status.status(), StatusCode::BAD_REQUEST);

    // An authorization item takes the payer's answer: extension requested keeps it open. A
    // ready visit sent again as a Medicaid visit with no authorization on file is one.
    let north = encounters_at(7, 30, "north", None);
    let ids: Vec<String> = north.iter().map(|e| e.id.clone()).collect();
    let results = server.store.latest_results(&ids).await.unwrap();
    let mut unauthorized = north
        .iter()
        .find(|e| results[&e.id].queue == "ready_to_bill")
        .unwrap()
        .clone();
    unauthorized.id = format!("{}-MCD", unauthorized.id);
    unauthorized.administrative.payer.id = "MCD01".into();
    unauthorized.administrative.payer.name = "State Medicaid".into();
    unauthorized.administrative.payer.plan = cleanclaim_model::PlanType::Medicaid;
    unauthorized.administrative.authorization = None;
    server.post_encounter(Role::Admin, &unauthorized).await;
    let authorization =
        page_text(&web, format!("{base}/queues?queue=authorization"), &cookie).await;
    let held: i64 = authorization
        .split("action=\"/queues/")
        .nth(1)
        .unwrap_or_else(|| panic!("no authorization hold: {authorization}"))
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(authorization.contains(&format!("action=\"/queues/{held}/status\"")));
    let set = as_user(
        &web,
        "POST",
        format!("{base}/queues/{held}/status"),
        &cookie,
        &[
            ("status", "extension_requested"),
            ("queue", "authorization"),
        ],
    )
    .await;
    assert_eq!(set.status(), StatusCode::SEE_OTHER);
    let after = page_text(&web, format!("{base}/queues?queue=authorization"), &cookie).await;
    assert!(after.contains("<td>extension requested</td>"), "{after}");

    let out = as_user(&web, "POST", format!("{base}/logout"), &cookie, &[]).await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert!(
        out.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    let after = as_user(&web, "GET", format!("{base}/dashboard"), &cookie, &[]).await;
    assert_eq!(after.status(), StatusCode::SEE_OTHER, "the session ended");
    server.stop().await;
}

/// The sign-in page, its form-token cookie (`name=value`) and the token in its form.
async fn login_form(web: &reqwest::Client, base: &str) -> (String, String, String) {
    let page = web.get(format!("{base}/login")).send().await.unwrap();
    let cookie = page.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let html = page.text().await.unwrap();
    let token = html
        .split("name=\"token\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    assert_eq!(cookie, format!("cleanclaim_login={token}"));
    (html, cookie, token)
}

/// The rule packs page shows each pack's periods and checks a pasted pack for billers; the
/// audit report is for admins and auditors, with the hash chain verified.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rule_packs_page_and_the_audit_report() {
    let server = Server::start(TestDatabase::sqlite()).await;
    let web = client();
    let base = &server.base;
    let cookie_of = |token: String| format!("cleanclaim_session={token}");
    let biller = cookie_of(server.login(&user_of(Role::Biller), PASSWORD).await);
    let auditor = cookie_of(server.login(&user_of(Role::Auditor), PASSWORD).await);

    let packs = as_user(&web, "GET", format!("{base}/packs"), &biller, &[]).await;
    assert_eq!(packs.status(), StatusCode::OK);
    let html = packs.text().await.unwrap();
    assert!(
        html.contains("medicare-part-b")
            && html.contains("cms 8 minute")
            && html.contains("Check a rule pack"),
        "{html}"
    );
    let checked = as_user(
        &web,
        "POST",
        format!("{base}/packs/check"),
        &biller,
        &[("text", "[pack]\nid = \"x\"\n")],
    )
    .await;
    assert_eq!(checked.status(), StatusCode::OK);
    let html = checked.text().await.unwrap();
    assert!(
        html.contains("role=\"status\" class=\"error\">upload.toml"),
        "{html}"
    );
    // An auditor reads the packs but may not check one.
    let refused = as_user(
        &web,
        "POST",
        format!("{base}/packs/check"),
        &auditor,
        &[("text", "x")],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    let audit = as_user(&web, "GET", format!("{base}/audit"), &biller, &[]).await;
    assert_eq!(audit.status(), StatusCode::FORBIDDEN);
    let audit = as_user(
        &web,
        "GET",
        format!("{base}/audit?resource=rule_packs"),
        &auditor,
        &[],
    )
    .await;
    assert_eq!(audit.status(), StatusCode::OK);
    let html = audit.text().await.unwrap();
    assert!(html.contains("0 break(s)"), "{html}");
    assert!(
        html.contains(&format!(
            "<td>{}</td><td>read</td><td>rule_packs</td>",
            user_of(Role::Biller)
        )),
        "the biller's read of the packs page is on the report: {html}"
    );
    server.stop().await;
}
