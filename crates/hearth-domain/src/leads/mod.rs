//! Leads and the sales pipeline: prospects moving through configurable
//! stages until they are won (and become customers) or lost.

pub mod form;
pub mod lead;
pub mod money;
pub mod pipeline;
pub mod report;
pub mod score;

pub use lead::{Lead, LeadFields, LeadInput, LeadMove, LeadPatch, LeadSource};
pub use pipeline::{Pipeline, Stage, StageKind};
pub use report::format_money_totals;
pub use score::{LeadScore, ScoreLine, ScoringRules, SignalKind};
