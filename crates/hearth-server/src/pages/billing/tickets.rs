//! Support tickets: the list, one ticket's conversation, and the new ticket
//! form.

use super::{Posted, allowed, customer_names, field, page_err, parse_id, to};
use crate::AppState;
use crate::auth::PageAuth;
use crate::pages::{Chrome, Html, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use hearth_domain::auth::Action;
use hearth_domain::support::{
    MessageAuthor, MessageInput, Ticket, TicketChannel, TicketInput, TicketMessage, TicketPatch,
    TicketPriority, TicketStatus,
};
use hearth_domain::{CustomerId, Invalid, TicketId};
use hearth_store::page::DEFAULT_LIMIT;
use hearth_store::{customers, support, work};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct ListParams {
    status: Option<String>,
    cursor: Option<String>,
}

pub struct TicketRow {
    pub t: Ticket,
    pub customer: String,
}

#[derive(Template)]
#[template(path = "tickets.html")]
struct ListPage {
    chrome: Chrome,
    status: String,
    statuses: Vec<&'static str>,
    rows: Vec<TicketRow>,
    next: Option<String>,
}

pub async fn list(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Query(p): Query<ListParams>,
) -> Result<Html, Response> {
    auth.require(Action::ReadCustomers).map_err(page_err)?;
    let status = p.status.clone().unwrap_or_else(|| "active".into());
    let query = support::ListQuery {
        customer: None,
        status: TicketStatus::parse(&status),
        active: status == "active",
        cursor: p.cursor,
        limit: DEFAULT_LIMIT,
    };
    let org = auth.principal.org_id;
    let (page, names) = s
        .store
        .read(work!(|c| async {
            let page = support::list(c, org, &query).await?;
            let names =
                customer_names(c, org, page.items.iter().map(|t| t.customer_id).collect()).await?;
            Ok((page, names))
        }))
        .await
        .map_err(page_err)?;
    let rows = page
        .items
        .into_iter()
        .map(|t| TicketRow {
            customer: names.get(&t.customer_id).cloned().unwrap_or_default(),
            t,
        })
        .collect();
    render(&ListPage {
        chrome: Chrome::of(&auth),
        status,
        statuses: TicketStatus::ALL.iter().map(|s| s.as_str()).collect(),
        rows,
        next: page.next_cursor,
    })
}

#[derive(Template)]
#[template(path = "ticket.html")]
struct ShowPage {
    chrome: Chrome,
    t: Ticket,
    customer: String,
    messages: Vec<TicketMessage>,
    statuses: Vec<&'static str>,
    priorities: Vec<&'static str>,
}

pub async fn show(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
) -> Result<Html, Response> {
    auth.require(Action::ReadCustomers).map_err(page_err)?;
    let id: TicketId = parse_id(&id)?;
    let org = auth.principal.org_id;
    let (t, customer, messages) = s
        .store
        .read(work!(|c| async {
            let t = support::get(c, org, id).await?;
            let customer = customers::get(c, org, t.customer_id, true)
                .await?
                .display_name;
            let messages = support::messages(c, org, id, None, 200).await?.items;
            Ok((t, customer, messages))
        }))
        .await
        .map_err(page_err)?;
    render(&ShowPage {
        chrome: Chrome::of(&auth),
        t,
        customer,
        messages,
        statuses: TicketStatus::ALL.iter().map(|s| s.as_str()).collect(),
        priorities: TicketPriority::ALL.iter().map(|s| s.as_str()).collect(),
    })
}

#[derive(Template)]
#[template(path = "ticket_form.html")]
struct NewPage {
    chrome: Chrome,
    customer_id: CustomerId,
    customer: String,
    channels: Vec<&'static str>,
    priorities: Vec<&'static str>,
}

#[derive(Deserialize)]
pub struct NewParams {
    customer_id: Option<String>,
}

pub async fn new_form(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Query(p): Query<NewParams>,
) -> Result<Html, Response> {
    auth.require(Action::WriteCustomers).map_err(page_err)?;
    let Some(id) = p
        .customer_id
        .as_deref()
        .and_then(|r| r.parse::<CustomerId>().ok())
    else {
        return Err(page_err(Invalid::field(
            "customer_id",
            "open a customer's card and start from there",
        )));
    };
    let org = auth.principal.org_id;
    let customer = s
        .store
        .read(work!(|c| customers::get(c, org, id, false)))
        .await
        .map_err(page_err)?;
    render(&NewPage {
        chrome: Chrome::of(&auth),
        customer_id: customer.id,
        customer: customer.display_name,
        channels: TicketChannel::ALL.iter().map(|s| s.as_str()).collect(),
        priorities: TicketPriority::ALL.iter().map(|s| s.as_str()).collect(),
    })
}

pub async fn create(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Form(form): Form<Posted>,
) -> Response {
    if let Err(r) = allowed(&auth, &form, Action::WriteCustomers) {
        return r;
    }
    let Ok(customer_id) = field(&form, "customer_id").parse() else {
        return page_err(Invalid::field("customer_id", "is missing"));
    };
    let input = TicketInput {
        customer_id,
        subject: field(&form, "subject").to_string(),
        channel: TicketChannel::parse(field(&form, "channel")),
        priority: TicketPriority::parse(field(&form, "priority")),
        body: Some(field(&form, "body").to_string()),
    };
    let p = auth.principal;
    match s
        .store
        .write(work!(|c| support::create(c, p.org_id, &p.actor, &input)))
        .await
    {
        Ok(t) => to(format!("/tickets/{}", t.id)),
        Err(e) => page_err(e),
    }
}

/// Changes the status and priority.
pub async fn update(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(form): Form<Posted>,
) -> Response {
    if let Err(r) = allowed(&auth, &form, Action::WriteCustomers) {
        return r;
    }
    let id: TicketId = match parse_id(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let patch = TicketPatch {
        version: field(&form, "version").parse().unwrap_or(-1),
        subject: None,
        status: TicketStatus::parse(field(&form, "status")),
        channel: None,
        priority: TicketPriority::parse(field(&form, "priority")),
    };
    let p = auth.principal;
    match s
        .store
        .write(work!(|c| support::update(
            c, p.org_id, &p.actor, id, &patch
        )))
        .await
    {
        Ok(_) => to(format!("/tickets/{id}")),
        Err(e) => page_err(e),
    }
}

pub async fn add_message(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(form): Form<Posted>,
) -> Response {
    if let Err(r) = allowed(&auth, &form, Action::WriteCustomers) {
        return r;
    }
    let id: TicketId = match parse_id(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let input = MessageInput {
        body: field(&form, "body").to_string(),
        author: Some(MessageAuthor::parse(field(&form, "author")).unwrap_or(MessageAuthor::Staff)),
    };
    let p = auth.principal;
    match s
        .store
        .write(work!(|c| support::add_message(
            c, p.org_id, &p.actor, id, &input
        )))
        .await
    {
        Ok(_) => to(format!("/tickets/{id}#messages")),
        Err(e) => page_err(e),
    }
}
