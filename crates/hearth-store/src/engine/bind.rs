//! How a sea-query value is stored on SQLite. The types follow
//! research/store.md: ids as 16-byte blobs and instants as integer
//! microseconds, so both sort correctly and compare without parsing.

use rusqlite::types::{ToSqlOutput, Value as Lite};
use sea_query::Value;

pub(crate) fn sqlite_value(v: &Value) -> ToSqlOutput<'static> {
    let lite = match v {
        Value::Bool(b) => b.map(|b| Lite::Integer(b as i64)),
        Value::TinyInt(n) => n.map(|n| Lite::Integer(n.into())),
        Value::SmallInt(n) => n.map(|n| Lite::Integer(n.into())),
        Value::Int(n) => n.map(|n| Lite::Integer(n.into())),
        Value::BigInt(n) => n.map(Lite::Integer),
        Value::TinyUnsigned(n) => n.map(|n| Lite::Integer(n.into())),
        Value::SmallUnsigned(n) => n.map(|n| Lite::Integer(n.into())),
        Value::Unsigned(n) => n.map(|n| Lite::Integer(n.into())),
        Value::BigUnsigned(n) => n.map(|n| Lite::Integer(i64::try_from(n).unwrap_or(i64::MAX))),
        Value::Float(f) => f.map(|f| Lite::Real(f.into())),
        Value::Double(f) => f.map(Lite::Real),
        Value::String(s) => s.clone().map(Lite::Text),
        Value::Char(c) => c.map(|c| Lite::Text(c.to_string())),
        Value::Bytes(b) => b.clone().map(Lite::Blob),
        Value::Json(j) => j.as_ref().map(|j| Lite::Text(j.to_string())),
        Value::ChronoDate(d) => d.map(|d| Lite::Text(d.format("%Y-%m-%d").to_string())),
        Value::ChronoDateTimeUtc(t) => t.map(|t| Lite::Integer(t.timestamp_micros())),
        Value::Uuid(u) => u.map(|u| Lite::Blob(u.as_bytes().to_vec())),
        other => panic!("no SQLite mapping for {other:?}; add one in engine/bind.rs"),
    };
    ToSqlOutput::Owned(lite.unwrap_or(Lite::Null))
}
