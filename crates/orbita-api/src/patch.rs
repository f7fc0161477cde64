//! PATCH as JSON merge patch (RFC 7396) over the record's current values: members present
//! replace, `null` clears (a required field cleared is then a 422), absent members stay.
//!
//! Lost updates: with `If-Match: "<version>"` the change is saved only over that version
//! (else 412), checked atomically by the service's `expected_version`. Without `If-Match` the
//! patch is applied to whatever is current (last write wins, field by field): if someone saves
//! between our read and our write, the patch is reapplied to their version.
//!
//! `DELETE` with `If-Match` compares the version just before deleting: the services delete by
//! id only, so a save landing in that instant is not caught (a PATCH's check is atomic).

use axum::http::StatusCode;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::extract::{IfMatch, from_json};
use crate::problem::ApiError;

/// How often a patch without `If-Match` is reapplied when others keep saving in between.
const ATTEMPTS: usize = 3;

/// RFC 7396.
fn merge(target: &mut Value, patch: &Value) {
    let Value::Object(members) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(target) = target {
        for (name, value) in members {
            if value.is_null() {
                target.remove(name);
            } else {
                merge(target.entry(name.clone()).or_insert(Value::Null), value);
            }
        }
    }
}

/// The writable view `current` with `patch` applied, read back as the same type.
pub fn apply<W: Serialize + DeserializeOwned>(current: &W, patch: &Value) -> Result<W, ApiError> {
    if !patch.is_object() {
        return Err(ApiError::field("body", "invalid-type", "A merge patch is a JSON object"));
    }
    let mut merged = serde_json::to_value(current).map_err(|_| ApiError::internal())?;
    merge(&mut merged, patch);
    from_json(merged)
}

/// Runs one read-modify-write `attempt`; reruns it when the record changed in between and the
/// client did not ask for a precondition. With `If-Match`, a change in between is a 412.
pub async fn retrying<T, F: Future<Output = Result<T, ApiError>>>(
    if_match: &IfMatch,
    mut attempt: impl FnMut() -> F,
) -> Result<T, ApiError> {
    for _ in 1..ATTEMPTS {
        match attempt().await {
            Err(e) if e.status() == StatusCode::PRECONDITION_FAILED && if_match.is_any() => continue,
            other => return other,
        }
    }
    attempt().await.map_err(|e| {
        if e.status() == StatusCode::PRECONDITION_FAILED && if_match.is_any() {
            ApiError::conflict("busy", "The record keeps changing; try again")
        } else {
            e
        }
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn merge_patch_follows_rfc_7396() {
        let mut doc = json!({"a": "b", "c": {"d": "e", "f": "g"}, "keep": 1});
        merge(&mut doc, &json!({"a": "z", "c": {"f": null}, "new": [1]}));
        assert_eq!(doc, json!({"a": "z", "c": {"d": "e"}, "keep": 1, "new": [1]}));
    }
}
