//! The OpenAPI document, made from the route table (paths, methods, policies, parameters) and
//! the request and response types (schemas from `schemars`, the crate that already makes the
//! encounter's JSON Schema), so it cannot describe a route that is not served.

use std::sync::OnceLock;

use axum::Json;
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value, json};

use crate::error::ErrorEnvelope;
use crate::policy::Policy;
use crate::routes::{Body, table};

pub async fn document() -> Json<Value> {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    Json(DOCUMENT.get_or_init(build).clone())
}

/// Builds the document.
pub fn build() -> Value {
    let mut generator = SchemaSettings::openapi3().into_generator();
    let error = generator.subschema_for::<ErrorEnvelope>();
    let mut paths = Map::new();
    for route in table() {
        let mut operation = Map::new();
        operation.insert("summary".into(), json!(route.summary));
        operation.insert("tags".into(), json!([route.tag]));
        operation.insert(
            "operationId".into(),
            json!(format!(
                "{}{}",
                route.method.as_str().to_lowercase(),
                route
                    .path
                    .replace("/api", "")
                    .replace(['/', '{', '}', '-', '.'], "_")
            )),
        );
        match route.policy {
            Policy::Public => {
                operation.insert("security".into(), json!([]));
            }
            Policy::Roles(roles) => {
                let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
                operation.insert("x-roles".into(), json!(names));
            }
        }
        let parameters: Vec<Value> = route
            .params
            .iter()
            .map(|p| {
                json!({
                    "name": p.name,
                    "in": p.location,
                    "required": p.location == "path",
                    "description": p.description,
                    "schema": {"type": "string"},
                })
            })
            .collect();
        if !parameters.is_empty() {
            operation.insert("parameters".into(), Value::Array(parameters));
        }
        match route.body {
            Body::None => {}
            Body::Json(schema) => {
                let schema = schema(&mut generator);
                operation.insert(
                    "requestBody".into(),
                    json!({"required": true, "content": {"application/json": {"schema": schema}}}),
                );
            }
            Body::Text(media) => {
                operation.insert(
                    "requestBody".into(),
                    json!({"required": true, "content": {media: {"schema": {"type": "string"}}}}),
                );
            }
        }
        let response = (route.response)(&mut generator);
        operation.insert(
            "responses".into(),
            json!({
                route.success.to_string(): {
                    "description": "success",
                    "content": {"application/json": {"schema": response}},
                },
                "default": {
                    "description": "an error, in the one envelope every route uses",
                    "content": {"application/json": {"schema": error}},
                },
            }),
        );
        let entry = paths
            .entry(route.path.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(methods) = entry {
            methods.insert(
                route.method.as_str().to_lowercase(),
                Value::Object(operation),
            );
        }
    }
    let schemas: Map<String, Value> = generator.take_definitions(true).into_iter().collect();
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "cleanclaim",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Therapy encounters to clean claims: store and scrub encounters, work the queues, read the audit log. Every route but health, login and this document needs a bearer token (a session from POST /api/session, or an API token); `x-roles` lists the roles a route admits.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
            },
        },
        "security": [{"bearer": []}],
    })
}
