//! Generated leads on each bench org's default pipeline, written through
//! the same store function a person's "new lead" uses (so stage totals,
//! positions and lead timelines are real), for the board and stage-move
//! benchmarks (issue 4, DESIGN.md §6).

use super::names::{FIRST, LAST};
use super::skewed;
use anyhow::Result;
use hearth_domain::history::Actor;
use hearth_domain::leads::{LeadInput, LeadSource, StageKind};
use hearth_domain::{LeadId, OrgId};
use hearth_store::leads::{self, pipelines};
use hearth_store::{Store, work};
use rand::Rng;
use rand::rngs::StdRng;
use serde_json::{Value, json};

/// Leads written per transaction.
const PER_TRANSACTION: usize = 500;
/// Lead ids per org listed in the sample for the stage-move benchmark.
const SAMPLE: usize = 1_000;

/// Writes `count` leads for `org` and returns the sample entry the load
/// driver reads: the pipeline, its open stages and some open leads.
pub async fn generate(
    store: &Store,
    rng: &mut StdRng,
    org: OrgId,
    org_index: usize,
    count: usize,
) -> Result<Value> {
    let actor = Actor::system("bench generate");
    let pipeline = {
        let actor = actor.clone();
        store
            .write(work!(|c| pipelines::default_pipeline(c, org, &actor)))
            .await?
    };
    let open: Vec<_> = pipeline
        .stages
        .iter()
        .filter(|s| s.kind == StageKind::Open)
        .map(|s| s.id)
        .collect();
    let stage_of = |kind: StageKind| {
        pipeline
            .stages
            .iter()
            .find(|s| s.kind == kind)
            .map(|s| s.id)
    };
    let (won, lost) = (stage_of(StageKind::Won), stage_of(StageKind::Lost));
    let mut sampled: Vec<LeadId> = Vec::new();
    let mut done = 0;
    while done < count {
        let n = PER_TRANSACTION.min(count - done);
        let inputs: Vec<LeadInput> = (0..n)
            .map(|_| {
                let roll: f64 = rng.random();
                let (stage_id, lost_reason) = match roll {
                    r if r < 0.05 => (lost, Some("Went with another company".to_string())),
                    r if r < 0.15 => (won, None),
                    _ => (Some(open[rng.random_range(0..open.len())]), None),
                };
                LeadInput {
                    first_name: Some(FIRST[skewed(rng, FIRST.len())].to_string()),
                    last_name: Some(LAST[skewed(rng, LAST.len())].to_string()),
                    phone: Some(format!("512555{:04}", rng.random_range(0..10_000))),
                    source: Some(LeadSource::ALL[rng.random_range(0..LeadSource::ALL.len())]),
                    value_minor: Some(rng.random_range(10..2_000) * 1_000),
                    pipeline_id: Some(pipeline.id),
                    stage_id,
                    lost_reason,
                    ..LeadInput::default()
                }
            })
            .collect();
        let actor = actor.clone();
        let made = store
            .write(work!(|c| async {
                let mut open_ids = Vec::new();
                for input in &inputs {
                    let lead = leads::create(c, org, "US", &actor, input).await?;
                    if input.lost_reason.is_none() && input.stage_id != won {
                        open_ids.push(lead.id);
                    }
                }
                Ok(open_ids)
            }))
            .await?;
        let room = SAMPLE.saturating_sub(sampled.len());
        sampled.extend(made.into_iter().take(room));
        done += n;
    }
    Ok(json!({
        "org": org_index,
        "pipeline_id": pipeline.id,
        "open_stages": open,
        "leads": sampled,
    }))
}
