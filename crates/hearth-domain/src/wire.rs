//! How values arrive in JSON bodies, where the format allows more than serde
//! does by default.

use serde::{Deserialize, Deserializer};

/// Distinguishes a field sent as `null` (`Some(None)`) from one not sent
/// (`None`, with `#[serde(default)]`): null clears, absent keeps.
pub fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// A field that may be left out but not sent as null (with
/// `#[serde(default)]`): absent keeps, and null would be a value its
/// schema does not allow.
pub fn not_null<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}
