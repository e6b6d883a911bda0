//! A running service on loopback for each test: its own empty database, three clinics, one
//! user per role (most assigned to `north` only), each signed in.

#![allow(dead_code, reason = "each test binary uses part of the support")]

use std::collections::HashMap;

use cleanclaim_app::access::{self, NewAccount, Role};
use cleanclaim_billing::Engine;
use cleanclaim_model::Encounter;
use cleanclaim_store::{Clinic, Store};
use cleanclaim_test_support::TestDatabase;
use reqwest::{Method, StatusCode};
use serde_json::Value;

pub const PASSWORD: &str = "correct horse battery staple";
/// The NPI of the therapist user, who sees only what this NPI rendered.
pub const THERAPIST_NPI: &str = "1234567893";

pub struct Server {
    pub base: String,
    pub client: reqwest::Client,
    pub store: Store,
    /// Each role's user name and bearer token.
    pub tokens: HashMap<Role, String>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    // Dropped last: the database outlives the server.
    _database: TestDatabase,
}

/// The user name of a role's test user.
pub fn user_of(role: Role) -> String {
    format!("{}_north", role.as_str())
}

impl Server {
    pub async fn start(database: TestDatabase) -> Self {
        let store = Store::connect(database.url()).await.unwrap();
        for id in ["north", "south", "east"] {
            store
                .put_clinic(&Clinic {
                    id: id.into(),
                    name: format!("{id} clinic"),
                })
                .await
                .unwrap();
        }
        for role in Role::ALL {
            let account = NewAccount {
                username: user_of(role),
                password: (role != Role::Integration).then(|| PASSWORD.to_owned()),
                role,
                npi: (role == Role::Therapist).then(|| THERAPIST_NPI.to_owned()),
                all_clinics: false,
                clinics: vec!["north".into()],
            };
            access::add_user(&store, &account).await.unwrap();
        }
        // An organization-wide administrator.
        let everywhere = NewAccount {
            username: "admin_all".into(),
            password: Some(PASSWORD.to_owned()),
            role: Role::Admin,
            npi: None,
            all_clinics: true,
            clinics: Vec::new(),
        };
        access::add_user(&store, &everywhere).await.unwrap();
        let engine = Engine::builtin().unwrap();
        let profile = toml::from_str(include_str!("../../../../examples/billing.toml")).unwrap();
        let state = cleanclaim_server::AppState::with_billing(
            store.clone(),
            engine,
            Some(profile),
            cleanclaim_remit::CategoryMap::builtin().unwrap(),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (shutdown, stop) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            cleanclaim_server::serve(
                listener,
                state,
                cleanclaim_server::ServeOptions::default(),
                async {
                    let _ = stop.await;
                },
            )
            .await
            .unwrap();
        });
        let mut server = Self {
            base,
            client: reqwest::Client::new(),
            store,
            tokens: HashMap::new(),
            shutdown: Some(shutdown),
            task: Some(task),
            _database: database,
        };
        for role in Role::ALL {
            let token = if role == Role::Integration {
                access::issue_api_token(&server.store, &user_of(role), "EMR")
                    .await
                    .unwrap()
            } else {
                server.login(&user_of(role), PASSWORD).await
            };
            server.tokens.insert(role, token);
        }
        server
    }

    pub async fn login(&self, username: &str, password: &str) -> String {
        let (status, body) = self
            .call(
                Method::POST,
                "/api/session",
                None,
                Some(serde_json::json!({"username": username, "password": password})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["token"].as_str().unwrap().to_owned()
    }

    /// Calls the API as a role (None: without credentials) and returns the status and JSON.
    pub async fn call_as(
        &self,
        role: Option<Role>,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let token = role.map(|r| self.tokens[&r].clone());
        self.call(method, path, token.as_deref(), body).await
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, value)
    }

    /// Stores an encounter through the API as the integration (north) or an admin.
    pub async fn post_encounter(&self, role: Role, encounter: &Encounter) -> (StatusCode, Value) {
        self.call_as(
            Some(role),
            Method::POST,
            "/api/encounters",
            Some(serde_json::to_value(encounter).unwrap()),
        )
        .await
    }

    pub async fn stop(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        self.store.close().await;
    }
}

/// Synthetic encounters moved to a clinic (and, when given, rendered by an NPI).
pub fn encounters_at(seed: u64, count: usize, clinic: &str, npi: Option<&str>) -> Vec<Encounter> {
    cleanclaim_synth::Generator::new(seed)
        .take(count)
        .map(|mut encounter| {
            encounter.administrative.location = Some(clinic.to_owned());
            encounter.id = format!("{clinic}-{}", encounter.id);
            encounter.patient.id = format!("{clinic}-{}", encounter.patient.id);
            if let (Some(npi), Some(rendering)) = (npi, encounter.compliance.rendering.as_mut()) {
                rendering.npi = npi.parse().unwrap();
                rendering.supervising_npi = None;
            }
            encounter
        })
        .collect()
}
