//! The field-level difference between two versions of a record, as the audit
//! log stores it and "view changes" shows it.

use serde::Serialize;
use serde_json::Value;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FieldChange {
    pub field: String,
    pub before: Value,
    pub after: Value,
}

/// Compares two serialised records field by field; absent and null count as
/// the same so optional fields do not produce noise.
pub fn diff(before: &Value, after: &Value) -> Vec<FieldChange> {
    let empty = serde_json::Map::new();
    let b = before.as_object().unwrap_or(&empty);
    let a = after.as_object().unwrap_or(&empty);
    let mut fields: Vec<&String> = b.keys().chain(a.keys()).collect();
    fields.sort();
    fields.dedup();
    fields
        .into_iter()
        .filter_map(|f| {
            let old = b.get(f).cloned().unwrap_or(Value::Null);
            let new = a.get(f).cloned().unwrap_or(Value::Null);
            (old != new).then(|| FieldChange {
                field: f.clone(),
                before: old,
                after: new,
            })
        })
        .collect()
}

/// Every field of a record as set on creation (or cleared on deletion).
pub fn all_fields(record: &Value, created: bool) -> Vec<FieldChange> {
    if created {
        diff(&Value::Null, record)
    } else {
        diff(record, &Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reports_only_changed_fields() {
        let changes = diff(
            &json!({"a": 1, "b": "x", "c": null}),
            &json!({"a": 2, "b": "x"}),
        );
        assert_eq!(
            changes,
            vec![FieldChange {
                field: "a".into(),
                before: json!(1),
                after: json!(2)
            }]
        );
    }

    #[test]
    fn creation_lists_every_set_field() {
        let changes = all_fields(&json!({"a": 1, "b": null}), true);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].after, json!(1));
    }
}

/// Who made a change, as the audit log and timeline attribute it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Actor {
    pub kind: ActorKind,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub id: Option<uuid::Uuid>,
    pub name: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    User,
    ApiKey,
    System,
    /// A customer acting for themselves in the portal.
    Customer,
}

impl ActorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::User => "user",
            ActorKind::ApiKey => "api_key",
            ActorKind::System => "system",
            ActorKind::Customer => "customer",
        }
    }

    pub fn parse(s: &str) -> ActorKind {
        match s {
            "user" => ActorKind::User,
            "api_key" => ActorKind::ApiKey,
            "customer" => ActorKind::Customer,
            _ => ActorKind::System,
        }
    }
}

impl Actor {
    pub fn system(name: &str) -> Actor {
        Actor {
            kind: ActorKind::System,
            id: None,
            name: name.to_string(),
        }
    }
}
