//! A merge's record: what was merged into what, by whom and when, the
//! field choices and the rows moved; and its undo button.

use super::{FIELD_LABELS, field_texts, moved_lines};
use crate::AppState;
use crate::auth::{Auth, PageAuth};
use crate::error::AppError;
use crate::pages::{Chrome, CsrfOnly, Html, error_page, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hearth_domain::MergeId;
use hearth_domain::auth::Action;
use hearth_domain::merge::Side;
use hearth_store::merges::{self, Merge};
use hearth_store::{StoreError, customers, work};

/// One field of the kept record: before, after, and whose value was asked for.
struct ChoiceLine {
    label: &'static str,
    before: String,
    after: String,
    taken: &'static str,
}

#[derive(Template)]
#[template(path = "merges/show.html")]
struct MergePage {
    chrome: Chrome,
    merge: Merge,
    kept_name: String,
    merged_name: String,
    choices: Vec<ChoiceLine>,
    moves: Vec<(String, u64)>,
    notice: Option<String>,
    can_undo: bool,
}

fn merge_id(raw: &str) -> Result<MergeId, Response> {
    raw.parse().map_err(|_| error_page(AppError::NotFound))
}

async fn merge_page(
    s: &AppState,
    auth: &Auth,
    id: MergeId,
    notice: Option<String>,
) -> Result<Html, Response> {
    let org = auth.principal.org_id;
    let (merge, kept_name, merged_name) = s
        .store
        .read(work!(|c| async {
            let merge = merges::get(c, org, id).await?;
            let kept = customers::get(c, org, merge.kept_id, true).await?;
            let merged = customers::get(c, org, merge.merged_id, true).await?;
            Ok((merge, kept.display_name, merged.display_name))
        }))
        .await
        .map_err(|e| error_page(e.into()))?;
    let (before, after) = (
        field_texts(&merge.kept_before),
        field_texts(&merge.kept_after),
    );
    let choices = FIELD_LABELS
        .iter()
        .map(|(name, label)| ChoiceLine {
            label,
            before: before.get(*name).cloned().unwrap_or_default(),
            after: after.get(*name).cloned().unwrap_or_default(),
            taken: match merge.choices.get(*name) {
                Some(Side::This) => "kept record's",
                Some(Side::Other) => "merged record's",
                None => "default",
            },
        })
        .collect();
    render(&MergePage {
        chrome: Chrome::of(auth),
        moves: moved_lines(&merge.moved),
        can_undo: merge.undone_at.is_none() && auth.require(Action::DeleteCustomers).is_ok(),
        merge,
        kept_name,
        merged_name,
        choices,
        notice,
    })
}

pub async fn show(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
) -> Result<Html, Response> {
    auth.require(Action::ReadCustomers).map_err(error_page)?;
    let id = merge_id(&id)?;
    merge_page(&s, &auth, id, None).await
}

/// Undoes the merge and shows its record, now marked undone; a refused
/// undo (something since made it unsafe) is explained on the record.
pub async fn undo(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Response {
    if let Err(e) = auth
        .verify_csrf(&form.csrf)
        .and_then(|()| auth.require(Action::DeleteCustomers))
    {
        return error_page(e);
    }
    let id = match merge_id(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let p = auth.principal.clone();
    match s
        .store
        .write(work!(|c| merges::undo(c, p.org_id, &p.actor, id)))
        .await
    {
        Ok(_) => Redirect::to(&format!("/merges/{id}")).into_response(),
        Err(StoreError::Refused(message)) => match merge_page(&s, &auth, id, Some(message)).await {
            Ok(html) => (StatusCode::CONFLICT, html).into_response(),
            Err(r) => r,
        },
        Err(e) => error_page(e.into()),
    }
}
