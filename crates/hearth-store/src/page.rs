//! Keyset pagination: the cursor carries the sort key of the last row seen,
//! so page 1,000 costs what page 1 costs.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Serialize, de::DeserializeOwned};

pub const MAX_LIMIT: u64 = 200;
pub const DEFAULT_LIMIT: u64 = 50;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass back as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

pub fn encode<K: Serialize>(key: &K) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(key).unwrap_or_default())
}

/// `None` for a cursor this server did not hand out.
pub fn decode<K: DeserializeOwned>(cursor: &str) -> Option<K> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Fetch one row more than asked: its presence says there is a next page.
pub fn finish<T, K: Serialize>(mut rows: Vec<T>, limit: u64, key: impl Fn(&T) -> K) -> Page<T> {
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = if more {
        rows.last().map(|r| encode(&key(r)))
    } else {
        None
    };
    Page {
        items: rows,
        next_cursor,
    }
}

/// The page size asked for; out of range is an error, not silently clamped,
/// so a client learns its page is not what it asked for.
pub fn limit(limit: Option<u64>) -> Result<u64, hearth_domain::Invalid> {
    limit_within(limit, DEFAULT_LIMIT, MAX_LIMIT)
}

/// [`limit`] for a list with its own default and largest page (search).
pub fn limit_within(
    limit: Option<u64>,
    default: u64,
    max: u64,
) -> Result<u64, hearth_domain::Invalid> {
    match limit.unwrap_or(default) {
        n if (1..=max).contains(&n) => Ok(n),
        _ => Err(hearth_domain::Invalid::field(
            "limit",
            format!("must be between 1 and {max}"),
        )),
    }
}
