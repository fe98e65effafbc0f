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

/// An integer, also when written `3.0`: JSON Schema counts that as an
/// integer, so a client generated from our OpenAPI document may send it.
pub fn whole_number<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Number {
        Int(i64),
        Float(f64),
    }
    match Number::deserialize(d)? {
        Number::Int(n) => Ok(n),
        Number::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(f as i64),
        Number::Float(f) => Err(serde::de::Error::custom(format!(
            "expected a whole number, got {f}"
        ))),
    }
}

/// [`whole_number`] for an optional field (use with `#[serde(default)]`).
pub fn optional_whole_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    whole_number(d).map(Some)
}

#[cfg(test)]
mod tests {
    #[derive(serde::Deserialize)]
    struct Versioned {
        #[serde(deserialize_with = "super::whole_number")]
        version: i64,
    }

    #[test]
    fn whole_floats_are_integers() {
        let v: Versioned = serde_json::from_str(r#"{"version": 3.0}"#).unwrap();
        assert_eq!(v.version, 3);
        assert!(serde_json::from_str::<Versioned>(r#"{"version": 3.5}"#).is_err());
        assert!(serde_json::from_str::<Versioned>(r#"{"version": "3"}"#).is_err());
    }
}
