//! Walking a JSON document, for tests that change one value at a time (the canary tests).

use serde_json::Value;

/// Every path to a value in `value` (objects by key, arrays by index), the root first.
pub fn json_paths(value: &Value) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    walk(value, Vec::new(), &mut out);
    out
}

fn walk(value: &Value, at: Vec<String>, out: &mut Vec<Vec<String>>) {
    out.push(at.clone());
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let mut next = at.clone();
                next.push(key.clone());
                walk(child, next, out);
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                let mut next = at.clone();
                next.push(index.to_string());
                walk(child, next, out);
            }
        }
        _ => {}
    }
}

/// The value at a path [`json_paths`] gave.
pub fn json_at<'v>(value: &'v mut Value, path: &[String]) -> &'v mut Value {
    path.iter().fold(value, |value, step| match value {
        Value::Object(map) => map.get_mut(step).unwrap_or_else(|| panic!("no key {step}")),
        Value::Array(items) => step
            .parse::<usize>()
            .ok()
            .and_then(|index| items.get_mut(index))
            .unwrap_or_else(|| panic!("no element {step}")),
        _ => panic!("no child {step}"),
    })
}
