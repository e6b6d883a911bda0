//! Reading a JSON body: a bad one is 400 (not JSON) or 422 (a value is wrong) with the JSON
//! path of the problem, and never quotes the value sent (it may be PHI).

use serde::de::DeserializeOwned;

use crate::error::{ApiError, ErrorCode};

pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = cleanclaim_model::safe_path(&error);
        let inner = error.into_inner();
        let code = if inner.is_syntax() || inner.is_eof() || inner.is_io() {
            ErrorCode::BadRequest
        } else {
            ErrorCode::InvalidInput
        };
        let message = cleanclaim_model::redact_quoted(&inner.to_string());
        if path.is_empty() {
            ApiError::new(code, message)
        } else {
            ApiError::field(code, path, message)
        }
    })?;
    deserializer.end().map_err(|_| {
        ApiError::new(
            ErrorCode::BadRequest,
            "the body holds more than one JSON value",
        )
    })?;
    Ok(value)
}
