//! Billing (seed 000 "Invoices and payments", "Membership"; seed 001
//! "Spending history"; seed 002 "loyalty"): money, quotes, invoices,
//! payments, memberships, the loyalty ledger and spending insights. All of
//! it is integer arithmetic on minor units; nothing here ever holds a float.

pub mod invoices;
pub mod lines;
pub mod loyalty;
pub mod memberships;
pub mod money;
pub mod payments;
pub mod quotes;
pub mod settings;
pub mod spending;

#[cfg(test)]
mod properties;
