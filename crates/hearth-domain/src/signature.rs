//! Request signing between Hearth and the systems it talks to (the payment
//! provider both ways, outbound webhook subscribers):
//! header `Hearth-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` over
//! `"<t>.<raw body>"` with the shared secret. The timestamp bounds replays
//! to [`TOLERANCE_SECS`]; a replay inside that window finds the payment
//! already recorded.

use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const HEADER: &str = "hearth-signature";
pub const TOLERANCE_SECS: i64 = 300;

fn mac(secret: &str, t: i64, body: &[u8]) -> Hmac<Sha256> {
    // HMAC takes a key of any length; this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The header value signing `body` at time `t`.
pub fn sign(secret: &str, t: i64, body: &[u8]) -> String {
    let tag = mac(secret, t, body).finalize().into_bytes();
    format!("t={t},v1={}", hex::encode(tag))
}

/// Whether `header` signs `body` with `secret`, within the tolerance of `now`.
pub fn verify(secret: &str, header: &str, body: &[u8], now: i64) -> bool {
    let mut t = None;
    let mut tags = vec![];
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => tags.extend(hex::decode(v).ok()),
            _ => {}
        }
    }
    let Some(t) = t else { return false };
    if (now - t).abs() > TOLERANCE_SECS {
        return false;
    }
    // verify_slice compares in constant time.
    tags.iter()
        .any(|tag| mac(secret, t, body).verify_slice(tag).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_only_with_the_right_secret_body_and_time() {
        let h = sign("s3cret", 1_700_000_000, b"{\"a\":1}");
        assert!(verify("s3cret", &h, b"{\"a\":1}", 1_700_000_100));
        assert!(!verify("other", &h, b"{\"a\":1}", 1_700_000_100));
        assert!(!verify("s3cret", &h, b"{\"a\":2}", 1_700_000_100));
        assert!(!verify(
            "s3cret",
            &h,
            b"{\"a\":1}",
            1_700_000_000 + TOLERANCE_SECS + 1
        ));
        assert!(!verify(
            "s3cret",
            "t=1700000000",
            b"{\"a\":1}",
            1_700_000_000
        ));
        assert!(!verify("s3cret", "garbage", b"", 0));
    }
}
