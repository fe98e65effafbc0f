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

/// Checks that every integer range `T`'s schema documents (`minimum`,
/// `maximum` of its properties) is the range the server enforces:
/// `accepts(property, value)` says whether a body with that value passes
/// validation. The bounds are written twice (utoipa's attributes take
/// literals only), so this is what keeps the two copies equal.
#[cfg(test)]
pub(crate) fn assert_documented_bounds<T: utoipa::PartialSchema>(
    accepts: impl Fn(&str, i64) -> bool,
) {
    let schema = serde_json::to_value(T::schema()).unwrap();
    let mut checked = 0;
    for (name, property) in schema["properties"].as_object().unwrap() {
        let bound = |key: &str| property.get(key).and_then(serde_json::Value::as_i64);
        if let Some(min) = bound("minimum") {
            assert!(
                accepts(name, min),
                "{name} = {min} is documented but refused"
            );
            assert!(!accepts(name, min - 1), "{name} = {} is accepted", min - 1);
            checked += 1;
        }
        if let Some(max) = bound("maximum") {
            assert!(
                accepts(name, max),
                "{name} = {max} is documented but refused"
            );
            assert!(!accepts(name, max + 1), "{name} = {} is accepted", max + 1);
            checked += 1;
        }
    }
    assert!(checked > 0, "no bounds documented in {schema}");
}

/// Checks that the `pattern` `T`'s schema documents for `property` admits
/// exactly the samples the server accepts (`accepts`), so a client (or a
/// fuzzer) that follows the document neither sends what is refused nor
/// is refused what the document allows.
#[cfg(test)]
pub(crate) fn assert_documented_pattern<T: utoipa::PartialSchema>(
    property: &str,
    samples: &[&str],
    accepts: impl Fn(&str) -> bool,
) {
    let schema = serde_json::to_value(T::schema()).unwrap();
    let pattern = schema["properties"][property]["pattern"]
        .as_str()
        .unwrap_or_else(|| panic!("{property} documents no pattern: {schema}"));
    let pattern = regex::Regex::new(pattern).unwrap();
    for sample in samples {
        assert_eq!(
            pattern.is_match(sample),
            accepts(sample),
            "{property} = {sample:?} against {pattern}"
        );
    }
}
