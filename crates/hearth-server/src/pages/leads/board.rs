//! The Kanban board and the lead list (the priority view with `hot`).

use super::{page_err, path_id, totals_text};
use crate::AppState;
use crate::api::leads::default_pipeline;
use crate::auth::{Auth, PageAuth};
use crate::pages::{Chrome, Html, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use hearth_domain::auth::Action;
use hearth_domain::leads::money::format_money;
use hearth_domain::leads::{Lead, LeadSource};
use hearth_domain::{PipelineId, StageId, UserId};
use hearth_store::leads::{self, ListQuery, board, pipelines};
use hearth_store::page::{self, Page};
use hearth_store::work;
use serde::Deserialize;

/// Filters as a browser sends them: empty strings for "any".
#[derive(Deserialize, Default)]
pub struct Filters {
    #[serde(default)]
    owner: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    hot: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    stage: String,
    #[serde(default)]
    cursor: String,
}

impl Filters {
    /// Unreadable values are ignored: a filter never breaks the page.
    fn query(&self) -> ListQuery {
        ListQuery {
            owner_id: self.owner.parse::<UserId>().ok(),
            source: LeadSource::parse(&self.source),
            hot: matches!(self.hot.as_str(), "true" | "on" | "1"),
            q: Some(self.q.clone()).filter(|q| !q.trim().is_empty()),
            stage_id: self.stage.parse::<StageId>().ok(),
            cursor: Some(self.cursor.clone()).filter(|c| !c.is_empty()),
            limit: page::DEFAULT_LIMIT,
            ..Default::default()
        }
    }
}

pub struct Card {
    pub id: String,
    pub name: String,
    pub value: String,
    pub score: i64,
    pub hot: bool,
    pub source: &'static str,
    pub stage_id: String,
    pub position: i64,
}

impl Card {
    fn of(l: &Lead) -> Card {
        Card {
            id: l.id.to_string(),
            name: l.display_name.clone(),
            value: format_money(l.fields.value_minor, &l.fields.currency),
            score: l.score,
            hot: l.hot,
            source: l.fields.source.label(),
            stage_id: l.stage_id.to_string(),
            position: l.position,
        }
    }
}

pub struct Column {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub count: i64,
    pub totals: String,
    pub cards: Vec<Card>,
    /// Leads not shown as cards.
    pub more: i64,
}

/// A stage as the move pickers list it.
pub struct StageOption {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
}

#[derive(Template)]
#[template(path = "leads/board.html")]
struct BoardPage {
    chrome: Chrome,
    pipeline_id: String,
    pipeline_name: String,
    pipelines: Vec<(String, String)>,
    columns: Vec<Column>,
    stages: Vec<StageOption>,
    owners: Vec<(String, String)>,
    sources: Vec<(&'static str, &'static str)>,
    owner: String,
    source: String,
    hot: bool,
    return_to: String,
}

pub async fn show_default(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Query(f): Query<Filters>,
) -> Result<Html, Response> {
    auth.require(Action::ReadLeads).map_err(page_err)?;
    let pipeline = default_pipeline(&s, &auth.principal)
        .await
        .map_err(page_err)?;
    render_board(s, auth, pipeline.id, f).await
}

pub async fn show(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Query(f): Query<Filters>,
) -> Result<Html, Response> {
    auth.require(Action::ReadLeads).map_err(page_err)?;
    let id: PipelineId = path_id(&id)?;
    render_board(s, auth, id, f).await
}

async fn render_board(
    s: AppState,
    auth: Auth,
    id: PipelineId,
    f: Filters,
) -> Result<Html, Response> {
    let org = auth.principal.org_id;
    let query = f.query();
    let hot = query.hot;
    let (board, all, owners) = s
        .store
        .read(work!(|c| async {
            let board = board::board(c, org, id, &query, 50).await?;
            let all = pipelines::list(c, org).await?;
            let owners = leads::owners(c, org).await?;
            Ok((board, all, owners))
        }))
        .await
        .map_err(page_err)?;
    let columns = board
        .columns
        .iter()
        .map(|col| Column {
            id: col.stage.id.to_string(),
            name: col.stage.name.clone(),
            kind: col.stage.kind.as_str(),
            count: col.count,
            totals: totals_text(&col.totals),
            cards: col.cards.iter().map(Card::of).collect(),
            more: col.count - col.cards.len() as i64,
        })
        .collect();
    let mut return_to = format!("/pipeline/{id}");
    let filters: Vec<String> = [
        ("owner", f.owner.as_str()),
        ("source", f.source.as_str()),
        ("hot", if hot { "true" } else { "" }),
    ]
    .iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(k, v)| format!("{k}={}", crate::auth::urlencode(v)))
    .collect();
    if !filters.is_empty() {
        return_to = format!("{return_to}?{}", filters.join("&"));
    }
    render(&BoardPage {
        chrome: Chrome::of(&auth),
        pipeline_id: id.to_string(),
        pipeline_name: board.pipeline.name.clone(),
        pipelines: all
            .iter()
            .map(|p| (p.id.to_string(), p.name.clone()))
            .collect(),
        columns,
        stages: stage_options(&board.pipeline),
        owners: owners
            .into_iter()
            .map(|(id, name)| (id.to_string(), name))
            .collect(),
        sources: LeadSource::ALL
            .iter()
            .map(|s| (s.as_str(), s.label()))
            .collect(),
        owner: f.owner,
        source: f.source,
        hot,
        return_to,
    })
}

pub fn stage_options(p: &hearth_domain::leads::Pipeline) -> Vec<StageOption> {
    p.stages
        .iter()
        .map(|s| StageOption {
            id: s.id.to_string(),
            name: s.name.clone(),
            kind: s.kind.as_str(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "leads/list.html")]
struct ListPage {
    chrome: Chrome,
    cards: Vec<Card>,
    stage_names: Vec<(String, String)>,
    next: Option<String>,
    q: String,
    hot: bool,
    stage: String,
}

/// Leads newest first; with `hot`, the priority view: hot leads by score.
pub async fn list(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Query(f): Query<Filters>,
) -> Result<Html, Response> {
    auth.require(Action::ReadLeads).map_err(page_err)?;
    let org = auth.principal.org_id;
    let query = f.query();
    let hot = query.hot;
    let (found, all): (Page<Lead>, _) = s
        .store
        .read(work!(|c| async {
            Ok((
                leads::list(c, org, &query).await?,
                pipelines::list(c, org).await?,
            ))
        }))
        .await
        .map_err(page_err)?;
    let stage_names = all
        .iter()
        .flat_map(|p| {
            p.stages
                .iter()
                .map(move |s| (s.id.to_string(), format!("{} · {}", p.name, s.name)))
        })
        .collect();
    let next = found.next_cursor.map(|c| {
        format!(
            "/leads?q={}&hot={}&stage={}&cursor={c}",
            crate::auth::urlencode(&f.q),
            if hot { "true" } else { "" },
            crate::auth::urlencode(&f.stage)
        )
    });
    render(&ListPage {
        chrome: Chrome::of(&auth),
        cards: found.items.iter().map(Card::of).collect(),
        stage_names,
        next,
        q: f.q,
        hot,
        stage: f.stage,
    })
}
