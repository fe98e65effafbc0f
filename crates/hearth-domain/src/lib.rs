//! Hearth's business vocabulary: identifiers, validated values and pure rules.
//! Nothing here performs IO, so every rule is unit-testable on its own.

pub mod auth;
pub mod contact;
pub mod customers;
pub mod history;
pub mod ids;
pub mod invalid;
pub mod search;

pub use ids::*;
pub use invalid::{FieldError, Invalid};
