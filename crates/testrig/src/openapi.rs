//! Checks JSON responses against the Mastodon OpenAPI description in
//! `shared/mastodon-openapi/schema.json` (beside the repository).
//!
//! Implements the JSON Schema keywords that description uses: `type`
//! (single or list), `properties`, `additionalProperties` (as a schema),
//! `required`, `items`, `enum`, `oneOf`,
//! `$ref` to `#/components/schemas/…`, and the `date-time` and `uri`
//! formats. Unknown properties are allowed, as in the description.

use std::path::PathBuf;
use std::sync::OnceLock;

use serde_json::Value;

fn schema_path() -> PathBuf {
    if let Ok(path) = std::env::var("TERTULIA_TEST_OPENAPI_SCHEMA") {
        return PathBuf::from(path);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/mastodon-openapi/schema.json")
}

fn document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        let path = schema_path();
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "cannot read the Mastodon OpenAPI schema at {}: {e} (set TERTULIA_TEST_OPENAPI_SCHEMA)",
                path.display()
            )
        });
        serde_json::from_str(&text).expect("OpenAPI schema is JSON")
    })
}

/// Panics, listing every mismatch, unless `value` fits the named schema
/// (e.g. `"Instance"`, `"Account"`).
pub fn assert_matches(value: &Value, schema_name: &str) {
    let errors = check(value, schema_name);
    assert!(errors.is_empty(), "response does not match {schema_name}:\n  {}\n{value:#}", errors.join("\n  "));
}

/// [`assert_matches`] for a grouped notifications answer
/// (`GroupedNotificationsResults`). The schema types
/// `most_recent_notification_id` as a number; Tertulia sends it as a
/// string, as every other id (docs/api.md says why), so that one field is
/// compared as the number it holds.
pub fn assert_grouped_notifications(body: &Value) {
    let mut body = body.clone();
    for group in body["notification_groups"].as_array_mut().expect("notification_groups is a list") {
        let raw = group["most_recent_notification_id"].as_str().expect("the id is a string").to_owned();
        group["most_recent_notification_id"] = Value::from(raw.parse::<i64>().expect("the id is a number"));
    }
    assert_matches(&body, "GroupedNotificationsResults");
}

/// Every way `value` departs from the named schema; empty when it fits.
pub fn check(value: &Value, schema_name: &str) -> Vec<String> {
    let schema = named(schema_name).unwrap_or_else(|| panic!("no schema named {schema_name}"));
    let mut errors = Vec::new();
    validate(value, schema, "$", &mut errors);
    errors
}

fn named(name: &str) -> Option<&'static Value> {
    document().pointer(&format!("/components/schemas/{name}"))
}

fn validate(value: &Value, schema: &Value, path: &str, errors: &mut Vec<String>) {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        match reference.strip_prefix("#/components/schemas/").and_then(named) {
            Some(target) => validate(value, target, path, errors),
            None => errors.push(format!("{path}: unresolvable $ref {reference}")),
        }
    }
    if let Some(types) = schema.get("type")
        && !type_matches(value, types)
    {
        errors.push(format!("{path}: expected type {types}, got {}", kind(value)));
        return;
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !value.is_null()
        && !allowed.contains(value)
    {
        errors.push(format!("{path}: {value} is not one of {}", Value::Array(allowed.clone())));
    }
    if let Some(options) = schema.get("oneOf").and_then(Value::as_array) {
        let fits = options.iter().filter(|option| {
            let mut scratch = Vec::new();
            validate(value, option, path, &mut scratch);
            scratch.is_empty()
        });
        if fits.count() == 0 {
            errors.push(format!("{path}: matches none of the oneOf alternatives"));
        }
    }
    if let (Some(format), Some(text)) = (schema.get("format").and_then(Value::as_str), value.as_str()) {
        check_format(format, text, path, errors);
    }
    if let Value::Object(map) = value {
        for field in schema.get("required").and_then(Value::as_array).into_iter().flatten() {
            if let Some(field) = field.as_str()
                && !map.contains_key(field)
            {
                errors.push(format!("{path}: missing required field `{field}`"));
            }
        }
        let properties = schema.get("properties").and_then(Value::as_object);
        for (field, subschema) in properties.into_iter().flatten() {
            if let Some(child) = map.get(field) {
                validate(child, subschema, &format!("{path}.{field}"), errors);
            }
        }
        // A schema for the other properties (the fields of a validation
        // error's `details`); `true`/`false` forms are not used.
        if let Some(others) = schema.get("additionalProperties").filter(|s| s.is_object()) {
            for (field, child) in map.iter().filter(|(field, _)| properties.is_none_or(|p| !p.contains_key(*field))) {
                validate(child, others, &format!("{path}.{field}"), errors);
            }
        }
    }
    if let (Value::Array(items), Some(item_schema)) = (value, schema.get("items")) {
        for (index, item) in items.iter().enumerate() {
            validate(item, item_schema, &format!("{path}[{index}]"), errors);
        }
    }
}

fn type_matches(value: &Value, types: &Value) -> bool {
    match types {
        Value::String(name) => is_type(value, name),
        Value::Array(names) => names.iter().filter_map(Value::as_str).any(|name| is_type(value, name)),
        _ => true,
    }
}

fn is_type(value: &Value, name: &str) -> bool {
    match name {
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        "null" => value.is_null(),
        _ => true,
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn check_format(format: &str, text: &str, path: &str, errors: &mut Vec<String>) {
    let ok = match format {
        "date-time" => chrono::DateTime::parse_from_rfc3339(text).is_ok(),
        "uri" => url::Url::parse(text).is_ok(),
        _ => true,
    };
    if !ok {
        errors.push(format!("{path}: '{text}' is not a valid {format}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_missing_field_a_wrong_type_and_a_bad_date_are_all_reported() {
        let errors = check(
            &json!({
                "id": 5,
                "name": "rule",
                "created_at": "yesterday",
            }),
            "Application",
        );
        let text = errors.join("\n");
        assert!(text.contains("missing required field"), "{text}");
    }

    #[test]
    fn every_field_of_a_validation_errors_details_is_checked() {
        let good =
            json!({"error": "Validation failed", "details": {"title": [{"error": "ERR_BLANK", "description": "x"}]}});
        assert!(check(&good, "ValidationError").is_empty());
        let bad = json!({"error": "Validation failed", "details": {"title": [{"error": "ERR_BLANK"}]}});
        let text = check(&bad, "ValidationError").join("\n");
        assert!(text.contains("$.details.title[0]: missing required field `description`"), "{text}");
    }

    #[test]
    fn a_well_formed_field_passes() {
        assert!(check(&json!({"name": "Site", "value": "Madrid", "verified_at": null}), "Field").is_empty());
        assert!(!check(&json!({"name": "Site", "value": 3, "verified_at": null}), "Field").is_empty());
    }
}
