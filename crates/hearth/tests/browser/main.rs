//! End-to-end: a real browser signs in to a real `hearth serve` and works
//! through the staff pages. One module per walk; `support` starts the server,
//! chromedriver and Chromium.
//!
//! Needs Debian's `chromium` and `chromium-driver` packages. Without them the
//! tests are skipped, except under `CI=true`, where they fail.

mod support;

mod customers;
mod engagements;
mod merge;
mod pipeline;
