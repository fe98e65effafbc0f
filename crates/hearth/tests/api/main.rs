//! The API and pages, exercised over real HTTP against a real server, on
//! SQLite always and on PostgreSQL when HEARTH_TEST_POSTGRES_URL is set.

mod helpers;

mod auth;
mod billing;
mod children;
mod cli;
mod comms;
mod customers;
mod duplicates;
mod exports;
mod imports;
mod inbound;
mod isolation;
mod jobs;
mod leads;
mod merge;
mod notes_tags;
mod outbox;
mod overview;
mod portal;
mod reminders;
mod search;
mod segments;
mod validation;
