//! Hearth's business vocabulary: identifiers, validated values and pure rules.
//! Nothing here performs IO, so every rule is unit-testable on its own.

pub mod addresses;
pub mod auth;
pub mod billing;
pub mod channels;
pub mod comms;
pub mod contact;
pub mod customer_contacts;
pub mod customers;
pub mod duplicates;
pub mod engagements;
pub mod equipment;
pub mod history;
pub mod ids;
pub mod import;
pub mod inbound;
pub mod insights;
pub mod invalid;
pub mod jobs;
pub mod leads;
pub mod merge;
pub mod notes;
pub mod outbox;
pub mod portal;
pub mod reminders;
pub mod search;
pub mod secret;
pub mod segments;
pub mod signature;
pub mod support;
pub mod tags;
pub mod tasks;
pub mod templates;
pub mod tracking;
pub mod webhooks;
pub mod wire;
mod words;

pub use ids::*;
pub use invalid::{FieldError, Invalid};
