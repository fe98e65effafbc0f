//! Hearth's persistence: every query scoped by organisation, written once
//! for SQLite and PostgreSQL.

mod engine;
mod error;
mod like;
mod migrate;
mod parent;

pub mod addresses;
pub mod attachments;
pub mod auth;
pub mod billing;
pub mod bulk;
pub mod call_status;
pub mod caller_id;
pub mod channels;
pub mod comms;
pub mod customer_contacts;
pub mod customers;
pub mod duplicates;
pub mod engagements;
pub mod equipment;
pub mod exports;
pub mod files;
pub mod history;
pub mod imports;
pub mod inbound;
pub mod insights;
pub mod jobs;
pub mod leads;
pub mod merges;
pub mod messages;
pub mod notes;
pub mod orgs;
pub mod outbox;
pub mod overview;
pub mod page;
pub mod portal;
pub mod reminders;
pub mod search;
pub mod segments;
pub mod support;
pub mod tags;
pub mod tasks;
pub mod templates;
pub mod tracking;
pub mod webhooks;

/// A migrated SQLite store in a folder that lives as long as the guard.
#[cfg(test)]
pub(crate) async fn test_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_sqlite(&dir.path().join("test.db"), false).unwrap();
    migrate(&store).await.unwrap();
    (dir, store)
}

pub use engine::{Bulk, Col, Conn, Engine, Raw, Row, Sql, Store};
pub use error::StoreError;
pub use futures::future::BoxFuture;
pub use migrate::migrate;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Wraps an async block as the boxed future a unit of work returns:
/// `store.read(work!(|c| customers::get(c, org, id)))`.
#[macro_export]
macro_rules! work {
    (|$c:ident| $body:expr) => {
        move |$c: &mut $crate::Conn| -> $crate::BoxFuture<'_, _> {
            Box::pin(async move { $body.await })
        }
    };
}
