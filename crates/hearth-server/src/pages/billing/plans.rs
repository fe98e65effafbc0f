//! Settings → Membership plans: the organisation's plans, a form for a new
//! one, and archiving.

use super::{Posted, allowed, field, money, page_err, parse_id, to};
use crate::AppState;
use crate::auth::{Auth, PageAuth};
use crate::pages::{Chrome, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hearth_domain::auth::Action;
use hearth_domain::billing::memberships::{Plan, PlanInput, PlanInterval, PlanPatch};
use hearth_domain::billing::money::{Currency, parse_decimal};
use hearth_domain::{Invalid, PlanId};
use hearth_store::billing::{plans, settings};
use hearth_store::{StoreError, work};

pub struct PlanRow {
    pub p: Plan,
    pub price: String,
}

#[derive(Template)]
#[template(path = "settings_plans.html")]
struct PlansPage {
    chrome: Chrome,
    rows: Vec<PlanRow>,
    can_manage: bool,
    currency: String,
    errors: Vec<String>,
}

async fn page(s: &AppState, auth: &Auth, errors: Vec<String>) -> Response {
    if let Err(e) = auth.require(Action::ReadCustomers) {
        return page_err(e);
    }
    let org = auth.principal.org_id;
    let loaded = s
        .store
        .read(work!(|c| async {
            let list = plans::list(c, org, true, None, 200).await?.items;
            Ok((list, settings::get(c, org).await?.default_currency))
        }))
        .await;
    let (list, currency) = match loaded {
        Ok(v) => v,
        Err(e) => return page_err(e),
    };
    let rows = list
        .into_iter()
        .map(|p| PlanRow {
            price: money(p.fields.price_minor, p.fields.currency),
            p,
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let html = render(&PlansPage {
        chrome: Chrome::of(auth),
        rows,
        can_manage: auth.principal.role.can(Action::ManageBilling),
        currency: currency.to_string(),
        errors,
    });
    match html {
        Ok(html) => (status, html).into_response(),
        Err(r) => r,
    }
}

pub async fn show(State(s): State<AppState>, PageAuth(auth): PageAuth) -> Response {
    page(&s, &auth, vec![]).await
}

fn messages(errors: &Invalid) -> Vec<String> {
    errors
        .0
        .iter()
        .map(|e| format!("{} {}.", e.field.replace('_', " "), e.message))
        .collect()
}

pub async fn create(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Form(form): Form<Posted>,
) -> Response {
    if let Err(r) = allowed(&auth, &form, Action::ManageBilling) {
        return r;
    }
    let mut errors = Invalid::default();
    let currency = Currency::parse(field(&form, "currency")).unwrap_or_else(|why| {
        errors.push("currency", why);
        Currency::USD
    });
    let price_minor =
        parse_decimal(field(&form, "price"), currency.exponent()).unwrap_or_else(|why| {
            errors.push("price", why);
            0
        });
    let interval = PlanInterval::parse(field(&form, "interval")).unwrap_or_else(|| {
        errors.push("interval", "must be month or year");
        PlanInterval::Month
    });
    let included_visits = match field(&form, "included_visits") {
        "" => 0,
        raw => raw.parse().unwrap_or_else(|_| {
            errors.push("included_visits", "is not a whole number");
            0
        }),
    };
    if !errors.0.is_empty() {
        return page(&s, &auth, messages(&errors)).await;
    }
    let input = PlanInput {
        name: field(&form, "name").to_string(),
        description: Some(field(&form, "description").to_string()),
        price_minor,
        currency: Some(currency),
        interval,
        included_visits,
    };
    let p = auth.principal.clone();
    match s
        .store
        .write(work!(|c| plans::create(c, p.org_id, &p.actor, &input)))
        .await
    {
        Ok(_) => to("/settings/membership-plans".into()),
        Err(StoreError::Invalid(errors)) => page(&s, &auth, messages(&errors)).await,
        Err(e) => page_err(e),
    }
}

/// Archives or restores a plan (the only change the page offers; the API
/// changes the rest).
pub async fn update(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(form): Form<Posted>,
) -> Response {
    if let Err(r) = allowed(&auth, &form, Action::ManageBilling) {
        return r;
    }
    let id: PlanId = match parse_id(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let patch = PlanPatch {
        version: field(&form, "version").parse().unwrap_or(-1),
        name: None,
        description: None,
        price_minor: None,
        currency: None,
        interval: None,
        included_visits: None,
        archived: Some(field(&form, "archived") == "true"),
    };
    let p = auth.principal.clone();
    match s
        .store
        .write(work!(|c| plans::update(c, p.org_id, &p.actor, id, &patch)))
        .await
    {
        Ok(_) => to("/settings/membership-plans".into()),
        Err(StoreError::Conflict { .. }) => {
            page(
                &s,
                &auth,
                vec!["Someone else changed this plan meanwhile; try again.".into()],
            )
            .await
        }
        Err(e) => page_err(e),
    }
}
