//! The web pages of `cleanclaim serve`: sign in, the KPI dashboard and the work queues,
//! rendered on the server (minijinja templates, escaped by default; inline SVG charts, no
//! script, nothing fetched from another host). A page reads the session cookie the sign-in
//! form sets (the same sessions as the API), shows what the user's scope admits, and audits
//! what it shows.

use std::sync::OnceLock;

use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::header::{CONTENT_TYPE, SET_COOKIE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{NaiveDate, Utc};
use cleanclaim_app::access::{self, AccessError, Principal};
use cleanclaim_app::kpis::KpiFilter;
use cleanclaim_store::{AuditOutcome, QueueFilter, QueueOrder};
use minijinja::{Environment, context};
use serde::{Deserialize, Serialize};

use crate::kpi_cache::KpiReadError;
use crate::policy::{READ_VISITS, SESSION_COOKIE, WORK_QUEUES, session_cookie};

mod audit;
mod encounter;
mod packs;
mod provider;
use crate::state::AppState;

/// The pages' templates, part of the binary.
const TEMPLATE_FILES: [(&str, &str); 10] = [
    ("base.html", include_str!("../../templates/base.html")),
    (
        "counting.html",
        include_str!("../../templates/counting.html"),
    ),
    ("bars.html", include_str!("../../templates/bars.html")),
    ("login.html", include_str!("../../templates/login.html")),
    (
        "dashboard.html",
        include_str!("../../templates/dashboard.html"),
    ),
    ("queues.html", include_str!("../../templates/queues.html")),
    (
        "encounter.html",
        include_str!("../../templates/encounter.html"),
    ),
    (
        "provider.html",
        include_str!("../../templates/provider.html"),
    ),
    ("packs.html", include_str!("../../templates/packs.html")),
    ("audit.html", include_str!("../../templates/audit.html")),
];

fn templates() -> &'static Environment<'static> {
    static TEMPLATES: OnceLock<Environment<'static>> = OnceLock::new();
    TEMPLATES.get_or_init(|| {
        let mut env = Environment::new();
        for (name, text) in TEMPLATE_FILES {
            // The templates are part of the binary and checked by the tests: a broken one is a
            // build defect, reported by render() as a 500 rather than a panic here.
            let _ = env.add_template(name, text);
        }
        env.add_filter("dollars", dollars);
        // Ids in links (`/encounters/{id}`): our own encoder, the one the query strings use.
        env.add_filter("urlencode", |value: &str| encode(value));
        env
    })
}

/// Cents as dollars with thousands separators: 1234567 → "$12,345.67".
fn dollars(cents: i64) -> String {
    let whole = (cents / 100).unsigned_abs().to_string();
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (n, digit) in whole.chars().enumerate() {
        if n > 0 && (whole.len() - n).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}${grouped}.{:02}", (cents % 100).unsigned_abs())
}

/// Keeps the page's audit event, then renders it: the audit row is kept before the page
/// leaves, and a page whose read cannot be audited is not shown.
async fn audited_render(
    state: &AppState,
    event: cleanclaim_store::AuditEvent,
    name: &str,
    values: minijinja::Value,
) -> Response {
    match state.store().audit(&[event]).await {
        Ok(()) => render(name, values),
        Err(error) => crate::ApiError::from(error).into_response(),
    }
}

fn render(name: &str, values: minijinja::Value) -> Response {
    let page = templates()
        .get_template(name)
        .and_then(|template| template.render(values));
    match page {
        Ok(html) => ([(CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response(),
        Err(error) => {
            tracing::error!(template = name, %error, "a page could not be rendered");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the page could not be rendered",
            )
                .into_response()
        }
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/dashboard") }))
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/dashboard", get(dashboard))
        .route("/queues", get(queues))
        .route("/queues/{id}/take", post(take))
        .route("/queues/{id}/resolve", post(resolve))
        .route("/queues/{id}/comment", post(comment))
        .route("/queues/{id}/status", post(set_status))
        .route("/encounters/{id}", get(encounter::page))
        .route("/provider", get(provider::page))
        .route("/packs", get(packs::page))
        .route("/packs/check", post(packs::check))
        .route("/audit", get(audit::page))
}

/// The signed-in user a page may show data to, or where to send them instead.
async fn page_user(state: &AppState, headers: &HeaderMap) -> Result<Principal, Response> {
    let Some(token) = session_cookie(headers) else {
        return Err(Redirect::to("/login").into_response());
    };
    let principal = access::authenticate(state.store(), &token, Utc::now())
        .await
        .map_err(|_| Redirect::to("/login").into_response())?;
    if !READ_VISITS.admits(principal.role) {
        return Err((StatusCode::FORBIDDEN, "this role has no pages; use the API").into_response());
    }
    Ok(principal)
}

#[derive(Debug, Serialize)]
struct UserView {
    username: String,
    role: String,
    clinics: Option<Vec<String>>,
}

fn user_view(principal: &Principal) -> UserView {
    UserView {
        username: principal.username.clone(),
        role: principal.role.to_string(),
        clinics: principal.scope.clinics.clone(),
    }
}

/// The sign-in form's anti-forgery cookie: the form carries the same random token, so a form
/// another site posts (to sign the visitor in as someone else: login CSRF) is refused.
const LOGIN_COOKIE: &str = "cleanclaim_login";

/// The sign-in page with a fresh form token, its cookie set, `status` and an error if any.
fn login_form(status: StatusCode, username: &str, error: Option<&str>) -> Response {
    let Ok(token) = access::form_token() else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "no random token").into_response();
    };
    let page = render(
        "login.html",
        context! { username => username, error => error, token => token },
    );
    let cookie = format!(
        "{LOGIN_COOKIE}={token}; HttpOnly; Secure; SameSite=Strict; Path=/login; Max-Age=3600"
    );
    (status, [(SET_COOKIE, cookie)], page).into_response()
}

async fn login_page() -> Response {
    login_form(StatusCode::OK, "", None)
}

#[derive(Debug, Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    token: String,
}

/// Whether the form's token is the one its cookie holds (compared in constant time).
fn form_token_matches(headers: &HeaderMap, token: &str) -> bool {
    let Some(expected) = crate::policy::cookie(headers, LOGIN_COOKIE) else {
        return false;
    };
    expected.len() == token.len()
        && !token.is_empty()
        && expected
            .bytes()
            .zip(token.bytes())
            .fold(0u8, |diff, (a, b)| diff | (a ^ b))
            == 0
}

async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    if !form_token_matches(&headers, &form.token) {
        return login_form(
            StatusCode::FORBIDDEN,
            &form.username,
            Some("The sign-in form expired or did not come from this server; sign in again."),
        );
    }
    match access::login(state.store(), &form.username, &form.password, Utc::now()).await {
        Ok(login) => {
            let cookie = format!(
                "{SESSION_COOKIE}={}; HttpOnly; Secure; SameSite=Strict; Path=/",
                login.token
            );
            ([(SET_COOKIE, cookie)], Redirect::to("/dashboard")).into_response()
        }
        Err(error) => {
            let message = match error {
                AccessError::Locked { .. } => {
                    "This account is locked for a while after five failed sign-ins."
                }
                _ => "The user name or password is wrong.",
            };
            login_form(StatusCode::UNAUTHORIZED, &form.username, Some(message))
        }
    }
}

async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = session_cookie(&headers) {
        let _ = access::logout(state.store(), &token, Utc::now()).await;
    }
    let cookie = format!("{SESSION_COOKIE}=; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=0");
    ([(SET_COOKIE, cookie)], Redirect::to("/login")).into_response()
}

/// The dashboard's filters as the form sends them (empty fields are no filter).
#[derive(Debug, Default, Deserialize, Serialize)]
struct DashboardQuery {
    location: Option<String>,
    payer: Option<String>,
    discipline: Option<String>,
    from: Option<String>,
    to: Option<String>,
    /// Before and after: the baseline's and the later period's dates of service.
    a_from: Option<String>,
    a_to: Option<String>,
    b_from: Option<String>,
    b_to: Option<String>,
    /// The billing team's staff cost per month, in dollars (cost to collect).
    staff_cost: Option<String>,
}

fn present(value: &Option<String>) -> Option<String> {
    value
        .as_ref()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// Percent-encodes a query value (ids and dates, but never trusted to be plain).
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[derive(Debug, Serialize)]
struct Bar {
    label: String,
    value: f64,
    text: String,
}

async fn dashboard(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<DashboardQuery>,
) -> Response {
    let principal = match page_user(&state, &headers).await {
        Ok(principal) => principal,
        Err(response) => return response,
    };
    let date = |v: &Option<String>| {
        present(v).and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
    };
    let filter = KpiFilter {
        location: present(&query.location),
        payer: present(&query.payer),
        provider: principal.scope.rendering_npi.clone(),
        discipline: present(&query.discipline),
        from: date(&query.from),
        to: date(&query.to),
        clinics: principal.scope.clinics.clone(),
        as_of: None,
    };
    let (figures, clinics) = match (state.kpi_figures().await, state.store().clinics().await) {
        (Ok(figures), Ok(clinics)) => (figures, clinics),
        (Err(KpiReadError::Counting), _) => return counting(&principal),
        (Err(error), _) => return crate::ApiError::from(error).into_response(),
        (_, Err(error)) => return crate::ApiError::from(error).into_response(),
    };
    let facts = &figures.snapshot.index;
    let kpis = facts.compute(&filter);
    // Before and after: both ranges given, each counted after its run-out, with the page's
    // other cuts.
    let staff_cost =
        present(&query.staff_cost).and_then(|d| cleanclaim_model::Cents::parse_dollars(&d));
    let comparison = match (
        date(&query.a_from),
        date(&query.a_to),
        date(&query.b_from),
        date(&query.b_to),
    ) {
        (Some(a_from), Some(a_to), Some(b_from), Some(b_to))
            if a_from <= a_to && b_from <= b_to =>
        {
            let base = KpiFilter {
                from: None,
                to: None,
                ..filter.clone()
            };
            Some([(a_from, a_to), (b_from, b_to)].map(|range| {
                cleanclaim_app::kpi_periods::period_figures(
                    facts,
                    &base,
                    range,
                    cleanclaim_app::kpi_periods::ADJUDICATION_RUN_OUT_DAYS,
                    staff_cost,
                )
            }))
        }
        _ => None,
    };
    let clinics: Vec<_> = clinics
        .into_iter()
        .filter(|c| {
            principal
                .scope
                .clinics
                .as_ref()
                .is_none_or(|mine| mine.contains(&c.id))
        })
        .map(|c| context! { id => c.id, name => c.name })
        .collect();
    let first_pass_bars: Vec<Bar> = kpis
        .first_pass
        .iter()
        .map(|r| Bar {
            label: r.month.clone(),
            value: r.rate.unwrap_or(0.0),
            text: r
                .rate
                .map_or_else(|| "pending".into(), |v| format!("{v:.2}%")),
        })
        .collect();
    let denial_bars: Vec<Bar> = kpis
        .denials_over_period
        .iter()
        .map(|total| {
            let per_100 = total.per_100_visits.unwrap_or(0.0);
            Bar {
                label: total.cause.clone(),
                value: per_100,
                text: format!("{per_100:.2}"),
            }
        })
        .collect();
    let denial_max = denial_bars.iter().map(|b| b.value).fold(0.0, f64::max);
    let query_string: String = [
        ("location", &filter.location),
        ("payer", &filter.payer),
        ("discipline", &filter.discipline),
    ]
    .iter()
    .filter_map(|(name, value)| value.as_ref().map(|v| format!("&{name}={}", encode(v))))
    .chain(
        [("from", filter.from), ("to", filter.to)]
            .iter()
            .filter_map(|(name, d)| d.map(|d| format!("&{name}={d}"))),
    )
    .collect();
    audited_render(
        &state,
        principal.event("read", "dashboard", AuditOutcome::Success),
        "dashboard.html",
        context! {
            page => "dashboard",
            user => user_view(&principal),
            clinics => clinics,
            filter => context! {
                location => filter.location, payer => filter.payer, discipline => filter.discipline,
                from => filter.from.map(|d| d.to_string()), to => filter.to.map(|d| d.to_string()),
            },
            kpis => kpis,
            first_pass_bars => first_pass_bars,
            denial_bars => denial_bars,
            denial_max => denial_max,
            query => query_string,
            comparison => comparison,
            figures => context! {
                read_at => figures.snapshot.read_at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
                behind => figures.behind,
            },
            compare => context! {
                a_from => present(&query.a_from), a_to => present(&query.a_to),
                b_from => present(&query.b_from), b_to => present(&query.b_to),
                staff_cost => present(&query.staff_cost),
            },
        },
    )
    .await
}

/// The dashboard while the first read since the start is under way: it says so and reloads.
fn counting(principal: &Principal) -> Response {
    use crate::kpi_cache::RETRY_SECONDS;
    let mut response = render(
        "counting.html",
        context! { page => "dashboard", user => user_view(principal), retry_seconds => RETRY_SECONDS },
    );
    // A page that did not render keeps its 500.
    if response.status().is_success() {
        *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
        response
            .headers_mut()
            .insert(axum::http::header::RETRY_AFTER, RETRY_SECONDS.into());
    }
    response
}

#[derive(Debug, Deserialize)]
struct QueueQuery {
    queue: Option<String>,
    /// `newest` (the default), `oldest` or `dollars`.
    order: Option<String>,
}

/// The list order a page asked for; anything else is the default.
fn order_of(order: Option<&str>) -> (QueueOrder, &'static str) {
    match order {
        Some("oldest") => (QueueOrder::Oldest, "oldest"),
        Some("dollars") => (QueueOrder::Dollars, "dollars"),
        _ => (QueueOrder::Newest, "newest"),
    }
}

async fn queues(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<QueueQuery>,
) -> Response {
    let principal = match page_user(&state, &headers).await {
        Ok(principal) => principal,
        Err(response) => return response,
    };
    let queue = present(&query.queue);
    let (order, order_name) = order_of(query.order.as_deref());
    let filter = QueueFilter {
        queue: queue.clone(),
        open_only: true,
        owner: None,
        clinic_id: None,
        limit: 500,
        order,
    };
    let items = match state
        .store()
        .list_queue_items(&principal.scope, &filter)
        .await
    {
        Ok(items) => items,
        Err(error) => return crate::ApiError::from(error).into_response(),
    };
    let ids: Vec<String> = items.iter().map(|item| item.encounter_id.clone()).collect();
    let charges = match state.store().latest_results(&ids).await {
        Ok(results) => results,
        Err(error) => return crate::ApiError::from(error).into_response(),
    };
    let mut comments = Vec::with_capacity(items.len());
    for item in &items {
        match state.store().queue_comments(item.id).await {
            Ok(list) => comments.push(list.len()),
            Err(error) => return crate::ApiError::from(error).into_response(),
        }
    }
    let rows: Vec<_> = items
        .iter()
        .zip(comments)
        .map(|(item, comments)| {
            context! {
                charge => charges.get(&item.encounter_id).map(|r| r.charge_cents),
                status => item.status,
                comments => comments,
                id => item.id,
                encounter_id => item.encounter_id,
                queue => item.queue,
                since => item.entered_at.format("%Y-%m-%d %H:%M").to_string(),
                owner => item.owner,
                finding => item.findings.lines().next().unwrap_or(""),
                fix => fix_of(item.findings.lines().next().unwrap_or("")),
            }
        })
        .collect();
    audited_render(
        &state,
        principal.event("list", "queue_item", AuditOutcome::Success),
        "queues.html",
        context! {
            page => "queues", user => user_view(&principal), queue => queue, items => rows,
            can_work => WORK_QUEUES.admits(principal.role), order => order_name,
        },
    )
    .await
}

/// The fix text of the rule a stored finding (`rule_id: message`) names.
fn fix_of(finding: &str) -> &'static str {
    finding
        .split_once(':')
        .and_then(|(rule, _)| cleanclaim_billing::rules::by_id(rule.trim()))
        .map_or("", |rule| rule.fix.as_ref())
}

/// Where a queue button sends the user back to: the list they were looking at.
#[derive(Debug, Deserialize)]
struct BackTo {
    #[serde(default)]
    queue: String,
    #[serde(default)]
    order: String,
}

fn back_to(form: &BackTo) -> Redirect {
    let queue = form.queue.trim();
    let order = match order_of(Some(form.order.trim())) {
        (QueueOrder::Newest, _) => String::new(),
        (_, name) => format!("order={name}"),
    };
    let query: Vec<String> = [
        (!queue.is_empty()).then(|| format!("queue={}", encode(queue))),
        (!order.is_empty()).then_some(order),
    ]
    .into_iter()
    .flatten()
    .collect();
    if query.is_empty() {
        Redirect::to("/queues")
    } else {
        Redirect::to(&format!("/queues?{}", query.join("&")))
    }
}

/// A comment or an authorization status from the queues page, with where to go back to.
#[derive(Debug, Deserialize)]
struct QueueForm {
    #[serde(default)]
    text: String,
    #[serde(default)]
    status: String,
    #[serde(flatten)]
    back: BackTo,
}

/// A button on the queues page: the same action, scope check and audit as the API's.
async fn queue_button(
    state: &AppState,
    headers: &HeaderMap,
    id: i64,
    action: impl FnOnce(&Principal) -> cleanclaim_store::QueueAction,
    name: &str,
    back: &BackTo,
) -> Response {
    let principal = match page_user(state, headers).await {
        Ok(principal) => principal,
        Err(response) => return response,
    };
    if !WORK_QUEUES.admits(principal.role) {
        return (StatusCode::FORBIDDEN, "this role may not work the queues").into_response();
    }
    let action = action(&principal);
    match crate::routes::queues::act(state, &principal, id, action, name).await {
        Ok(()) => back_to(back).into_response(),
        Err(error) => error.into_response(),
    }
}

async fn take(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(back): Form<BackTo>,
) -> Response {
    let assign = |me: &Principal| cleanclaim_store::QueueAction::Assign {
        owner: me.username.clone(),
    };
    queue_button(&state, &headers, id, assign, "assign", &back).await
}

async fn comment(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<QueueForm>,
) -> Response {
    let text = form.text.trim().to_owned();
    if text.is_empty() || text.chars().count() > crate::routes::queues::MAX_COMMENT {
        return (
            StatusCode::BAD_REQUEST,
            format!(
                "a comment is 1 to {} characters",
                crate::routes::queues::MAX_COMMENT
            ),
        )
            .into_response();
    }
    let comment = |me: &Principal| cleanclaim_store::QueueAction::Comment {
        author: me.username.clone(),
        text,
    };
    queue_button(&state, &headers, id, comment, "comment", &form.back).await
}

/// The authorization statuses the page offers: the front desk's answers from the payer.
const AUTHORIZATION_STATUSES: [&str; 4] =
    ["extension_requested", "denied", "patient_pay", "resolved"];

async fn set_status(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<QueueForm>,
) -> Response {
    let status = form.status.trim().to_owned();
    if !AUTHORIZATION_STATUSES.contains(&status.as_str()) {
        return (
            StatusCode::BAD_REQUEST,
            "status must be extension_requested, denied, patient_pay or resolved",
        )
            .into_response();
    }
    let set = |_: &Principal| cleanclaim_store::QueueAction::Status { status };
    queue_button(&state, &headers, id, set, "set_status", &form.back).await
}

async fn resolve(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(back): Form<BackTo>,
) -> Response {
    let resolved = |_: &Principal| cleanclaim_store::QueueAction::Status {
        status: "resolved".into(),
    };
    queue_button(&state, &headers, id, resolved, "set_status", &back).await
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn dollars_are_grouped_by_thousands_with_cents() {
        assert_eq!(dollars(0), "$0.00");
        assert_eq!(dollars(5), "$0.05");
        assert_eq!(dollars(123_456), "$1,234.56");
        assert_eq!(dollars(100_000_000), "$1,000,000.00");
        assert_eq!(dollars(-2_050), "-$20.50");
    }

    #[test]
    fn every_template_compiles() {
        let mut env = Environment::new();
        for (name, text) in TEMPLATE_FILES {
            env.add_template(name, text).unwrap();
        }
    }

    /// Every page renders with the values its handler gives (and empty data).
    #[test]
    fn the_templates_render() {
        let user = UserView {
            username: "ana".into(),
            role: "biller".into(),
            clinics: Some(vec!["north".into()]),
        };
        let kpis = cleanclaim_app::kpis::compute(
            &cleanclaim_store::KpiFacts::default(),
            &KpiFilter::default(),
        );
        let bars = vec![Bar {
            label: "2026-03".into(),
            value: 40.0,
            text: "40.00%".into(),
        }];
        let dashboard = templates().get_template("dashboard.html").unwrap().render(context! {
            page => "dashboard", user => user, clinics => vec![context! { id => "north", name => "North" }],
            filter => context! { location => "north" }, kpis => kpis, first_pass_bars => bars,
            denial_bars => Vec::<Bar>::new(), denial_max => 0.0, query => "",
            compare => context! {}, comparison => (),
            figures => context! { read_at => "2026-03-10 08:00:00 UTC", behind => true },
        });
        let html = dashboard.unwrap();
        assert!(html.contains("40.00%"));
        assert!(html.contains("as it stood at 2026-03-10 08:00:00 UTC"));
        assert!(html.contains("by who booked the visit"));
        let login = templates()
            .get_template("login.html")
            .unwrap()
            .render(context! { username => "", error => "wrong" })
            .unwrap();
        assert!(login.contains("wrong"));
        let trace = templates()
            .get_template("encounter.html")
            .unwrap()
            .render(context! {
                page => "encounter",
                e => context! { encounter_id => "E<1>", date_of_service => "2026-03-09" },
                appointments => Vec::<minijinja::Value>::new(), scrub => (),
                results => Vec::<minijinja::Value>::new(), stays => Vec::<minijinja::Value>::new(),
                submissions => Vec::<minijinja::Value>::new(),
                acknowledgments => Vec::<minijinja::Value>::new(),
                adjudications => vec![context! {
                    denied => true, payer => "Acme", trace => "T1", charge => 12_345,
                    paid => 0, patient => 0, cause => "authorization", adjustments => "CO-197 123.45",
                }],
            })
            .unwrap();
        assert!(trace.contains("E&lt;1&gt;") && !trace.contains("E<1>"));
        assert!(trace.contains("the record no longer reads"));
        assert!(trace.contains("charged $123.45, paid $0.00"));
        let provider = templates()
            .get_template("provider.html")
            .unwrap()
            .render(context! {
                page => "provider", user => context! { role => "therapist" }, week_of => "2026-11-30",
                this_week => vec![context! { encounter_id => "a b", since => "Mon", rule => "doc.x", why => "w", fix => "f" }],
                common => Vec::<minijinja::Value>::new(), open_holds => 1,
            })
            .unwrap();
        assert!(provider.contains("Your held visits") && provider.contains("/encounters/a%20b"));
        let counting = counting(&Principal {
            user_id: 1,
            username: "ana".into(),
            role: access::Role::Biller,
            scope: cleanclaim_store::Scope::everything(),
        });
        assert_eq!(counting.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(counting.headers()[axum::http::header::RETRY_AFTER], "5");
    }
}
