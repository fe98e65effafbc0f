//! "My tasks": the signed-in user's open tasks, overdue ones highlighted.

use super::{me, page_err, parse_id};
use crate::AppState;
use crate::auth::PageAuth;
use crate::pages::{Chrome, CsrfOnly, Html, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use hearth_domain::TaskId;
use hearth_domain::auth::Action;
use hearth_domain::tasks::Task;
use hearth_store::orgs::now;
use hearth_store::page::MAX_LIMIT;
use hearth_store::tasks::{self as task_store, TaskQuery};
use hearth_store::work;
use serde::Deserialize;

pub struct TaskRow {
    pub t: Task,
    pub overdue: bool,
}

#[derive(Template)]
#[template(path = "tasks.html")]
struct TasksPage {
    chrome: Chrome,
    everyone: bool,
    rows: Vec<TaskRow>,
}

#[derive(Deserialize)]
pub struct TaskParams {
    /// Everyone's open tasks instead of mine.
    all: Option<bool>,
}

pub async fn list(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Query(p): Query<TaskParams>,
) -> Result<Html, Response> {
    auth.require(Action::ReadCustomers).map_err(page_err)?;
    let org = auth.principal.org_id;
    let everyone = p.all.unwrap_or(false) || me(&auth).is_none();
    let query = TaskQuery {
        assignee: if everyone { None } else { me(&auth) },
        open: true,
        overdue: false,
        cursor: None,
        limit: MAX_LIMIT,
    };
    let page = s
        .store
        .read(work!(|c| task_store::list(c, org, &query)))
        .await
        .map_err(page_err)?;
    let at = now();
    let rows = page
        .items
        .into_iter()
        .map(|t| TaskRow {
            overdue: t.is_overdue(at),
            t,
        })
        .collect();
    render(&TasksPage {
        chrome: Chrome::of(&auth),
        everyone,
        rows,
    })
}

pub async fn complete(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Response {
    let id: TaskId = match parse_id(&id) {
        Ok(i) => i,
        Err(r) => return r,
    };
    if let Err(e) = auth
        .verify_csrf(&form.csrf)
        .and_then(|()| auth.require(Action::WriteCustomers))
    {
        return page_err(e);
    }
    let p = auth.principal.clone();
    match s
        .store
        .write(work!(|c| task_store::complete(c, p.org_id, &p.actor, id)))
        .await
    {
        Ok(_) => Redirect::to("/tasks").into_response(),
        Err(e) => page_err(e),
    }
}
