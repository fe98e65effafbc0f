//! End-to-end: a real browser signs in to a real `hearth serve` and works
//! through the staff pages. One module per walk; `support` starts the server,
//! chromedriver and Chromium.
//!
//! Needs Debian's `chromium` and `chromium-driver` packages. Without them the
//! tests are skipped, except under `CI=true`, where they fail.

#[path = "../support/smtp.rs"]
#[allow(dead_code, reason = "shared with the API tests, which use all of it")]
mod smtp;
mod support;

mod customers;
mod engagements;
mod imports;
mod merge;
mod pipeline;
mod portal;
