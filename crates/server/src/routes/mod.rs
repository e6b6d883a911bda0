//! The route table: every route the service answers, with its policy and what the OpenAPI
//! document says of it. The router is built from this table alone, so a route cannot exist
//! without a policy, and the role x route test walks the same table.

mod admin;
mod audit;
mod billing;
pub(crate) use billing::post_835;
mod encounters;
mod fhir;
mod kpis;
mod organization;
mod packs;
mod patients;
pub(crate) mod queues;
mod session;

use axum::extract::DefaultBodyLimit;
use axum::http::Method;
use axum::routing::{MethodRouter, delete, get, post, put};
use schemars::{JsonSchema, Schema, SchemaGenerator};

use crate::policy::{
    ADMINISTER, ANYONE_SIGNED_IN, BILL, COMMENT_QUEUES, MANAGE_PACKS, Policy, READ_AUDIT,
    READ_VISITS, WORK_QUEUES, WRITE_PATIENT_RECORDS, WRITE_VISITS,
};
use crate::state::AppState;

/// The largest payer file accepted (an 835 of a large payment runs to tens of megabytes;
/// everything else is held to the router's 2 MiB).
const MAX_X12_BODY: usize = 64 << 20;

/// A schema for the OpenAPI document, made by the generator it is given.
pub type SchemaOf = fn(&mut SchemaGenerator) -> Schema;

fn schema<T: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    generator.subschema_for::<T>()
}

/// What a route takes as its body.
#[derive(Debug, Clone, Copy)]
pub enum Body {
    None,
    Json(SchemaOf),
    /// Text of a media type (a rule pack's TOML, an X12 file).
    Text(&'static str),
}

/// A query or path parameter, for the OpenAPI document.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    pub name: &'static str,
    pub location: &'static str,
    pub description: &'static str,
}

const fn path_param(name: &'static str, description: &'static str) -> Param {
    Param {
        name,
        location: "path",
        description,
    }
}

const fn query_param(name: &'static str, description: &'static str) -> Param {
    Param {
        name,
        location: "query",
        description,
    }
}

/// One route.
#[derive(Debug)]
pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub policy: Policy,
    pub tag: &'static str,
    pub summary: &'static str,
    pub params: &'static [Param],
    pub body: Body,
    pub response: SchemaOf,
    /// The status of a successful answer.
    pub success: u16,
    pub handler: MethodRouter<AppState>,
}

/// Every route of the service.
pub fn table() -> Vec<Route> {
    use crate::policy::Policy::Public;
    vec![
        Route {
            method: Method::GET,
            path: "/api/health",
            policy: Public,
            tag: "service",
            summary: "Whether the service and its database answer",
            params: &[],
            body: Body::None,
            response: schema::<session::Health>,
            success: 200,
            handler: get(session::health),
        },
        Route {
            method: Method::GET,
            path: "/api/openapi.json",
            policy: Public,
            tag: "service",
            summary: "This API's OpenAPI 3.1 document",
            params: &[],
            body: Body::None,
            response: schema::<serde_json::Value>,
            success: 200,
            handler: get(crate::openapi::document),
        },
        Route {
            method: Method::POST,
            path: "/api/session",
            policy: Public,
            tag: "session",
            summary: "Sign in with a user name and password; answers a session token",
            params: &[],
            body: Body::Json(schema::<session::LoginRequest>),
            response: schema::<session::LoginAnswer>,
            success: 201,
            handler: post(session::login),
        },
        Route {
            method: Method::DELETE,
            path: "/api/session",
            policy: ANYONE_SIGNED_IN,
            tag: "session",
            summary: "Sign out: the session token stops working",
            params: &[],
            body: Body::None,
            response: schema::<session::Done>,
            success: 200,
            handler: delete(session::logout),
        },
        Route {
            method: Method::GET,
            path: "/api/me",
            policy: ANYONE_SIGNED_IN,
            tag: "session",
            summary: "Who is signed in: user, role, clinics",
            params: &[],
            body: Body::None,
            response: schema::<session::Me>,
            success: 200,
            handler: get(session::me),
        },
        Route {
            method: Method::POST,
            path: "/api/encounters",
            policy: WRITE_VISITS,
            tag: "encounters",
            summary: "Store an encounter (or a new version of it) and scrub it at once with the patient's history; honors Idempotency-Key",
            params: const {
                &[Param {
                    name: "Idempotency-Key",
                    location: "header",
                    description: "Sent again with the same body, the first answer is returned and nothing is stored twice",
                }]
            },
            body: Body::Json(schema::<cleanclaim_model::Encounter>),
            response: schema::<encounters::Stored>,
            success: 201,
            handler: post(encounters::create),
        },
        Route {
            method: Method::POST,
            path: "/fhir/Bundle",
            policy: WRITE_VISITS,
            tag: "fhir",
            summary: "A FHIR R4 transaction or collection Bundle (Patient, Coverage, Practitioner, PractitionerRole, Encounter, Procedure, Condition, CarePlan, ServiceRequest): its visits and plans of care stored in one intake; refused whole with an OperationOutcome naming each element at fault",
            params: &[],
            body: Body::Text("application/fhir+json"),
            response: schema::<serde_json::Value>,
            success: 200,
            handler: post(fhir::post_bundle),
        },
        Route {
            method: Method::GET,
            path: "/api/kpis",
            policy: READ_VISITS,
            tag: "kpis",
            summary: "Revenue-cycle KPIs of the visits the caller may see (first-pass clean claim rate, denials per 100 visits by cause, DOS-to-submission lag, auto-cleared share), by month; JSON or format=csv",
            params: const {
                &[
                    query_param("location", "clinic id"),
                    query_param("payer", "payer id"),
                    query_param("provider", "rendering provider NPI"),
                    query_param("discipline", "pt, ot or slp"),
                    query_param("from", "first date of service (YYYY-MM-DD)"),
                    query_param("to", "last date of service (YYYY-MM-DD)"),
                    query_param("format", "json (default) or csv"),
                ]
            },
            body: Body::None,
            response: schema::<serde_json::Value>,
            success: 200,
            handler: get(kpis::read),
        },
        Route {
            method: Method::GET,
            path: "/fhir/Claim",
            policy: BILL,
            tag: "fhir",
            summary: "The claims of a claim batch as FHIR R4 Claims (a searchset Bundle), read back from the 837P that was sent",
            params: const { &[query_param("batch", "claim batch id")] },
            body: Body::None,
            response: schema::<serde_json::Value>,
            success: 200,
            handler: get(fhir::search_claims),
        },
        Route {
            method: Method::GET,
            path: "/fhir/ClaimResponse",
            policy: BILL,
            tag: "fhir",
            summary: "What the payer's posted 835s said of a claim, as FHIR R4 ClaimResponses (a searchset Bundle)",
            params: const { &[query_param("claim", "claim id (CLM01: the encounter id)")] },
            body: Body::None,
            response: schema::<serde_json::Value>,
            success: 200,
            handler: get(fhir::search_claim_responses),
        },
        Route {
            method: Method::GET,
            path: "/api/encounters",
            policy: READ_VISITS,
            tag: "encounters",
            summary: "Encounters the caller may see, by id, with filters",
            params: const {
                &[
                    query_param("from", "first date of service (YYYY-MM-DD)"),
                    query_param("to", "last date of service (YYYY-MM-DD)"),
                    query_param("location", "clinic id"),
                    query_param("provider", "rendering provider NPI"),
                    query_param("payer", "payer id"),
                    query_param("queue", "work queue of the latest result"),
                    query_param("after", "encounter id to continue after (the next page)"),
                    query_param("limit", "at most this many (1 to 1000, default 100)"),
                ]
            },
            body: Body::None,
            response: schema::<encounters::EncounterList>,
            success: 200,
            handler: get(encounters::list),
        },
        Route {
            method: Method::GET,
            path: "/api/encounters/{id}",
            policy: READ_VISITS,
            tag: "encounters",
            summary: "An encounter's latest version with its latest scrub result",
            params: const { &[path_param("id", "encounter id")] },
            body: Body::None,
            response: schema::<encounters::EncounterDetail>,
            success: 200,
            handler: get(encounters::read),
        },
        Route {
            method: Method::PUT,
            path: "/api/encounters/{id}",
            policy: WRITE_VISITS,
            tag: "encounters",
            summary: "Replace an encounter with a corrected version; it is scrubbed again",
            params: const { &[path_param("id", "encounter id (must match the body's id)")] },
            body: Body::Json(schema::<cleanclaim_model::Encounter>),
            response: schema::<encounters::Stored>,
            success: 200,
            handler: put(encounters::update),
        },
        Route {
            method: Method::GET,
            path: "/api/queue-items",
            policy: READ_VISITS,
            tag: "queues",
            summary: "Work-queue items of the caller's clinics, newest first unless ordered",
            params: const {
                &[
                    query_param(
                        "queue",
                        "documentation_hold, authorization, coding_review, ready_to_bill",
                    ),
                    query_param("open", "true (default): open items only"),
                    query_param("owner", "assigned to this user"),
                    query_param("location", "clinic id"),
                    query_param("limit", "at most this many (1 to 1000, default 100)"),
                    query_param(
                        "order",
                        "newest (default), oldest (waiting longest first) or dollars (largest charges first)",
                    ),
                ]
            },
            body: Body::None,
            response: schema::<queues::ItemList>,
            success: 200,
            handler: get(queues::list),
        },
        Route {
            method: Method::POST,
            path: "/api/queue-items/{id}/assign",
            policy: WORK_QUEUES,
            tag: "queues",
            summary: "Assign an open item to a user",
            params: const { &[path_param("id", "queue item id")] },
            body: Body::Json(schema::<queues::Assign>),
            response: schema::<session::Done>,
            success: 200,
            handler: post(queues::assign),
        },
        Route {
            method: Method::POST,
            path: "/api/queue-items/{id}/comments",
            policy: COMMENT_QUEUES,
            tag: "queues",
            summary: "Comment on an item",
            params: const { &[path_param("id", "queue item id")] },
            body: Body::Json(schema::<queues::Comment>),
            response: schema::<session::Done>,
            success: 201,
            handler: post(queues::comment),
        },
        Route {
            method: Method::POST,
            path: "/api/queue-items/{id}/status",
            policy: WORK_QUEUES,
            tag: "queues",
            summary: "Set an open item's status (extension_requested, denied, patient_pay, resolved, open)",
            params: const { &[path_param("id", "queue item id")] },
            body: Body::Json(schema::<queues::SetStatus>),
            response: schema::<session::Done>,
            success: 200,
            handler: post(queues::set_status),
        },
        Route {
            method: Method::PUT,
            path: "/api/authorizations",
            policy: WRITE_PATIENT_RECORDS,
            tag: "patients",
            summary: "Store an authorization (a new version when it changes); the patient's visits are scrubbed again",
            params: &[],
            body: Body::Json(schema::<patients::AuthorizationBody>),
            response: schema::<patients::RecordStored>,
            success: 200,
            handler: put(patients::put_authorization),
        },
        Route {
            method: Method::PUT,
            path: "/api/plans-of-care",
            policy: WRITE_PATIENT_RECORDS,
            tag: "patients",
            summary: "Store a plan of care and its certification; the patient's visits are scrubbed again",
            params: &[],
            body: Body::Json(schema::<patients::PlanBody>),
            response: schema::<patients::RecordStored>,
            success: 200,
            handler: put(patients::put_plan),
        },
        Route {
            method: Method::GET,
            path: "/api/patients/{id}/authorizations",
            policy: READ_VISITS,
            tag: "patients",
            summary: "A patient's authorizations: visits and units used by the stored visits, and left",
            params: const { &[path_param("id", "patient id (the clinic's MRN)")] },
            body: Body::None,
            response: schema::<patients::Ledger>,
            success: 200,
            handler: get(patients::ledger),
        },
        Route {
            method: Method::POST,
            path: "/api/claim-batches",
            policy: BILL,
            tag: "claims",
            summary: "Bill the caller's ready encounters not yet billed: one 837P, kept for download, its claims recorded as submitted",
            params: &[],
            body: Body::Json(schema::<billing::BatchRequest>),
            response: schema::<billing::BatchAnswer>,
            success: 201,
            handler: post(billing::create_batch),
        },
        Route {
            method: Method::GET,
            path: "/api/claim-batches/{id}",
            policy: BILL,
            tag: "claims",
            summary: "A claim batch: who made it, when, its interchange control number, claims and total",
            params: const { &[path_param("id", "claim batch id")] },
            body: Body::None,
            response: schema::<billing::BatchInfo>,
            success: 200,
            handler: get(billing::read_batch),
        },
        Route {
            method: Method::GET,
            path: "/api/claim-batches/{id}/837",
            policy: BILL,
            tag: "claims",
            summary: "Download a claim batch's 837P (application/edi-x12)",
            params: const { &[path_param("id", "claim batch id")] },
            body: Body::None,
            response: schema::<String>,
            success: 200,
            handler: get(billing::download_batch),
        },
        Route {
            method: Method::POST,
            path: "/api/remittances",
            policy: BILL,
            tag: "claims",
            summary: "Post an 835 (whole or not at all; a payment already posted is skipped), matched to the claims sent; organization-wide users. With ?background=true: 202 and a job",
            params: const {
                &[query_param(
                    "background",
                    "true: post in the background and answer 202 with a job id",
                )]
            },
            body: Body::Text("application/edi-x12"),
            response: schema::<billing::RemittanceAnswer>,
            success: 200,
            handler: post(billing::post_remittance).layer(DefaultBodyLimit::max(MAX_X12_BODY)),
        },
        Route {
            method: Method::GET,
            path: "/api/jobs/{id}",
            policy: BILL,
            tag: "claims",
            summary: "A background job: queued, running, done (with its result) or failed (with why)",
            params: const { &[path_param("id", "job id")] },
            body: Body::None,
            response: schema::<billing::JobBody>,
            success: 200,
            handler: get(billing::read_job),
        },
        Route {
            method: Method::POST,
            path: "/api/acknowledgments",
            policy: BILL,
            tag: "claims",
            summary: "Record a 999, 277CA or TA1 against the claims it answers; organization-wide users",
            params: &[],
            body: Body::Text("application/edi-x12"),
            response: schema::<billing::AckAnswer>,
            success: 200,
            handler: post(billing::post_acknowledgment).layer(DefaultBodyLimit::max(MAX_X12_BODY)),
        },
        Route {
            method: Method::GET,
            path: "/api/packs",
            policy: ANYONE_SIGNED_IN,
            tag: "rule packs",
            summary: "The rule packs the engine runs",
            params: &[],
            body: Body::None,
            response: schema::<Vec<packs::PackSummary>>,
            success: 200,
            handler: get(packs::list),
        },
        Route {
            method: Method::GET,
            path: "/api/packs/{id}",
            policy: ANYONE_SIGNED_IN,
            tag: "rule packs",
            summary: "One rule pack: its periods and expression rules",
            params: const { &[path_param("id", "pack id")] },
            body: Body::None,
            response: schema::<packs::PackDetail>,
            success: 200,
            handler: get(packs::read),
        },
        Route {
            method: Method::POST,
            path: "/api/packs/validate",
            policy: MANAGE_PACKS,
            tag: "rule packs",
            summary: "Check an uploaded rule pack (TOML) the way `cleanclaim rules check` does",
            params: &[],
            body: Body::Text("application/toml"),
            response: schema::<packs::Validation>,
            success: 200,
            handler: post(packs::validate),
        },
        Route {
            method: Method::GET,
            path: "/api/audit",
            policy: READ_AUDIT,
            tag: "audit",
            summary: "Audit events, newest first",
            params: const {
                &[
                    query_param("actor", "user name"),
                    query_param("patient", "patient id"),
                    query_param("resource", "encounter, queue_item, session, ..."),
                    query_param("from", "first instant (RFC 3339)"),
                    query_param("to", "instant before which (RFC 3339)"),
                    query_param("before", "seq to continue before (the next page)"),
                    query_param("limit", "at most this many (1 to 1000, default 100)"),
                ]
            },
            body: Body::None,
            response: schema::<audit::EventList>,
            success: 200,
            handler: get(audit::list),
        },
        Route {
            method: Method::GET,
            path: "/api/clinics",
            policy: ANYONE_SIGNED_IN,
            tag: "organization",
            summary: "The organization's clinics",
            params: &[],
            body: Body::None,
            response: schema::<Vec<admin::ClinicBody>>,
            success: 200,
            handler: get(admin::clinics),
        },
        Route {
            method: Method::POST,
            path: "/api/clinics",
            policy: ADMINISTER,
            tag: "organization",
            summary: "Add a clinic, or rename one",
            params: &[],
            body: Body::Json(schema::<admin::ClinicBody>),
            response: schema::<session::Done>,
            success: 201,
            handler: post(admin::put_clinic),
        },
        Route {
            method: Method::PUT,
            path: "/api/providers",
            policy: ADMINISTER,
            tag: "organization",
            summary: "Add a clinician or replace what is known of one: credential, license, supervisor, clinic",
            params: &[],
            body: Body::Json(schema::<organization::ProviderBody>),
            response: schema::<session::Done>,
            success: 200,
            handler: put(organization::put_provider),
        },
        Route {
            method: Method::GET,
            path: "/api/providers",
            policy: ANYONE_SIGNED_IN,
            tag: "organization",
            summary: "The clinicians of the caller's clinics",
            params: &[],
            body: Body::None,
            response: schema::<Vec<organization::ProviderItem>>,
            success: 200,
            handler: get(organization::providers),
        },
        Route {
            method: Method::GET,
            path: "/api/payers",
            policy: ANYONE_SIGNED_IN,
            tag: "organization",
            summary: "Which rule pack judges which payer (by payer id, then plan-type defaults)",
            params: &[],
            body: Body::None,
            response: schema::<Vec<organization::PayerItem>>,
            success: 200,
            handler: get(organization::payers),
        },
        Route {
            method: Method::POST,
            path: "/api/users",
            policy: ADMINISTER,
            tag: "organization",
            summary: "Add a user with a role and clinics",
            params: &[],
            body: Body::Json(schema::<admin::NewUserBody>),
            response: schema::<admin::UserCreated>,
            success: 201,
            handler: post(admin::create_user),
        },
        Route {
            method: Method::POST,
            path: "/api/users/{username}/tokens",
            policy: ADMINISTER,
            tag: "organization",
            summary: "Issue an API token for a user (an EMR integration); shown once",
            params: const { &[path_param("username", "user name")] },
            body: Body::Json(schema::<admin::TokenRequest>),
            response: schema::<admin::TokenIssued>,
            success: 201,
            handler: post(admin::issue_token),
        },
    ]
}

/// A limit from a query, within 1..=1000 (100 when absent).
pub(crate) fn page_limit(limit: Option<i64>) -> Result<i64, crate::error::ApiError> {
    match limit {
        None => Ok(100),
        Some(n) if (1..=1000).contains(&n) => Ok(n),
        Some(_) => Err(crate::error::ApiError::field(
            crate::error::ErrorCode::InvalidInput,
            "limit",
            "limit must be between 1 and 1000",
        )),
    }
}
