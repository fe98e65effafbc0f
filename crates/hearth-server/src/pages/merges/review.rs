//! Choosing the other record, the side-by-side review with its preview,
//! and the confirming POST. Preview is a GET (it changes nothing); the
//! confirm form carries every choice the preview showed, so the merge does
//! exactly what was previewed.

use super::{FIELD_LABELS, field_texts, moved_lines, side_name};
use crate::AppState;
use crate::auth::{Auth, PageAuth};
use crate::error::AppError;
use crate::pages::{Chrome, error_page, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hearth_domain::auth::Action;
use hearth_domain::customers::Customer;
use hearth_domain::merge::{self as rules, Side};
use hearth_domain::{CustomerId, Invalid};
use hearth_store::duplicates::{self, Candidate};
use hearth_store::{StoreError, customers, merges, work};
use std::collections::BTreeMap;

/// Customers the picker lists per search.
const PICKED: u64 = 20;
/// Look-alikes the picker suggests.
const SUGGESTED: usize = 5;

/// A query or form as sent: name/value pairs; `keep_<field>` says whose
/// value of that field to keep (`this` or `other`).
type Pairs = Vec<(String, String)>;

fn value<'a>(pairs: &'a Pairs, name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The `keep_<field>` choices. A side other than `this`/`other` is named
/// as `keep.<field>`; unknown fields are left for the merge rules to name.
fn choices(pairs: &Pairs) -> Result<BTreeMap<String, Side>, Invalid> {
    let mut errors = Invalid::default();
    let mut keep = BTreeMap::new();
    for (name, raw) in pairs {
        let Some(field) = name.strip_prefix("keep_") else {
            continue;
        };
        match raw.as_str() {
            "this" => {
                keep.insert(field.to_string(), Side::This);
            }
            "other" => {
                keep.insert(field.to_string(), Side::Other);
            }
            _ => errors.push(format!("keep.{field}"), "must be this or other"),
        }
    }
    errors.or_ok(keep)
}

fn customer_id(raw: &str) -> Result<CustomerId, Response> {
    raw.parse().map_err(|_| error_page(AppError::NotFound))
}

#[derive(Template)]
#[template(path = "merges/pick.html")]
struct PickPage {
    chrome: Chrome,
    kept: Customer,
    q: String,
    found: Vec<Customer>,
    suggestions: Vec<Candidate>,
}

/// One field side by side; `same` values are shown once, without a choice.
struct FieldChoice {
    name: &'static str,
    label: &'static str,
    this: String,
    other: String,
    same: bool,
    keep_other: bool,
}

/// What the preview shows, and the choices the confirm form sends.
struct Shown {
    result: Vec<(&'static str, String)>,
    moves: Vec<(String, u64)>,
    keep: Vec<(&'static str, &'static str)>,
}

#[derive(Template)]
#[template(path = "merges/review.html")]
struct ReviewPage {
    chrome: Chrome,
    kept: Customer,
    other: Customer,
    fields: Vec<FieldChoice>,
    preview: Option<Shown>,
    errors: Vec<String>,
}

/// `/customers/{id}/merge`: without `other`, the picker; with it, the
/// side-by-side review, and with `preview` also what the merge would do.
pub async fn review(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Query(pairs): Query<Pairs>,
) -> Response {
    if let Err(e) = auth.require(Action::DeleteCustomers) {
        return error_page(e);
    }
    let id = match customer_id(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let Some(other) = value(&pairs, "other") else {
        return pick(&s, &auth, id, value(&pairs, "q").unwrap_or_default()).await;
    };
    let other = match customer_id(other) {
        Ok(other) => other,
        Err(r) => return r,
    };
    let (keep, errors) = match choices(&pairs) {
        Ok(keep) => (keep, Invalid::default()),
        Err(errors) => (BTreeMap::new(), errors),
    };
    let preview = value(&pairs, "preview").is_some();
    review_page(&s, &auth, id, other, keep, errors, preview).await
}

async fn pick(s: &AppState, auth: &Auth, id: CustomerId, q: &str) -> Response {
    let org = auth.principal.org_id;
    let q = q.trim().to_string();
    let query = customers::ListQuery {
        q: Some(q.clone()).filter(|q| !q.is_empty()),
        deleted: false,
        cursor: None,
        limit: PICKED,
    };
    let loaded = s
        .store
        .read(work!(|c| async {
            let kept = customers::get(c, org, id, false).await?;
            let found = match query.q {
                Some(_) => customers::list(c, org, &query).await?.items,
                None => vec![],
            };
            let suggestions = duplicates::of_customer(c, org, id, SUGGESTED).await?;
            Ok((kept, found, suggestions))
        }))
        .await;
    let (kept, mut found, suggestions) = match loaded {
        Ok(l) => l,
        Err(e) => return error_page(e.into()),
    };
    found.retain(|f| f.id != id);
    match render(&PickPage {
        chrome: Chrome::of(auth),
        kept,
        q,
        found,
        suggestions,
    }) {
        Ok(html) => html.into_response(),
        Err(r) => r,
    }
}

/// The review of merging `other` into `id`. Given `errors` (from the
/// choices or a refused merge) it shows them instead of a preview.
async fn review_page(
    s: &AppState,
    auth: &Auth,
    id: CustomerId,
    other: CustomerId,
    keep: BTreeMap<String, Side>,
    mut errors: Invalid,
    want_preview: bool,
) -> Response {
    let org = auth.principal.org_id;
    let check = errors.0.is_empty();
    let choices = keep.clone();
    let loaded = s
        .store
        .read(work!(|c| async {
            let kept = customers::get(c, org, id, false).await?;
            let other = customers::get(c, org, other, false).await?;
            let preview = if check {
                match merges::preview(c, org, id, other.id, &choices).await {
                    Ok(p) => Some(Ok(p)),
                    Err(StoreError::Invalid(i)) => Some(Err(i)),
                    Err(e) => return Err(e),
                }
            } else {
                None
            };
            Ok((kept, other, preview))
        }))
        .await;
    let (kept, other, preview) = match loaded {
        Ok(l) => l,
        Err(e) => return error_page(e.into()),
    };
    let preview = match preview {
        Some(Ok(p)) => Some(p),
        Some(Err(i)) => {
            errors.0.extend(i.0);
            None
        }
        None => None,
    };
    let defaults = rules::merged_fields(&kept.fields, &other.fields, &BTreeMap::new())
        .unwrap_or_else(|_| kept.fields.clone());
    let (this, that, default) = (
        field_texts(&kept.fields),
        field_texts(&other.fields),
        field_texts(&defaults),
    );
    let fields: Vec<FieldChoice> = FIELD_LABELS
        .iter()
        .map(|(name, label)| {
            let a = this.get(*name).cloned().unwrap_or_default();
            let b = that.get(*name).cloned().unwrap_or_default();
            let keep_other = match keep.get(*name) {
                Some(side) => *side == Side::Other,
                None => a != b && default.get(*name) == Some(&b),
            };
            FieldChoice {
                name,
                label,
                same: a == b,
                this: a,
                other: b,
                keep_other,
            }
        })
        .collect();
    let preview = preview.filter(|_| want_preview).map(|p| {
        let result = field_texts(&p.result);
        Shown {
            result: FIELD_LABELS
                .iter()
                .map(|(name, label)| (*label, result.get(*name).cloned().unwrap_or_default()))
                .collect(),
            moves: moved_lines(&p.moves),
            keep: fields
                .iter()
                .filter(|f| !f.same)
                .map(|f| {
                    let side = if f.keep_other {
                        Side::Other
                    } else {
                        Side::This
                    };
                    (f.name, side_name(side))
                })
                .collect(),
        }
    });
    let status = if errors.0.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = render(&ReviewPage {
        chrome: Chrome::of(auth),
        kept,
        other,
        fields,
        preview,
        errors: errors
            .0
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect(),
    });
    match page {
        Ok(html) => (status, html).into_response(),
        Err(r) => r,
    }
}

/// Performs the merge and opens the kept customer's card, which offers
/// to undo it.
pub async fn confirm(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(pairs): Form<Pairs>,
) -> Response {
    let csrf = value(&pairs, "_csrf").unwrap_or_default();
    if let Err(e) = auth
        .verify_csrf(csrf)
        .and_then(|()| auth.require(Action::DeleteCustomers))
    {
        return error_page(e);
    }
    let id = match customer_id(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let Some(Ok(other)) = value(&pairs, "other_id").map(str::parse::<CustomerId>) else {
        return error_page(Invalid::field("other_id", "pick the customer to merge in").into());
    };
    let keep = match choices(&pairs) {
        Ok(keep) => keep,
        Err(errors) => {
            return review_page(&s, &auth, id, other, BTreeMap::new(), errors, true).await;
        }
    };
    let p = auth.principal.clone();
    let chosen = keep.clone();
    match s
        .store
        .write(work!(|c| merges::merge(
            c, p.org_id, &p.actor, id, other, &chosen
        )))
        .await
    {
        Ok(merge) => Redirect::to(&format!("/customers/{id}?merged={}", merge.id)).into_response(),
        Err(StoreError::Invalid(errors)) => {
            review_page(&s, &auth, id, other, keep, errors, true).await
        }
        Err(e) => error_page(e.into()),
    }
}
