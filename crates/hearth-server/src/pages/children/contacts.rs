//! Adding, editing and removing a customer's additional contacts.

use super::forms::{self, Posted};
use super::{PageResult, RecordForm, allow, back_to_card, failed, page_err, parse_id};
use crate::AppState;
use crate::auth::PageAuth;
use axum::Form;
use axum::extract::{Path, State};
use hearth_domain::Invalid;
use hearth_domain::auth::Action;
use hearth_domain::{ContactId, CustomerId};
use hearth_store::customer_contacts;
use hearth_store::work;

pub async fn create_contact(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(p): Form<Posted>,
) -> PageResult {
    allow(&auth, &p)?;
    let customer: CustomerId = parse_id(&id)?;
    let form = RecordForm::new(
        &auth,
        "Add a contact",
        format!("/customers/{customer}/contacts"),
        customer,
    );
    let redo = |errors: &Invalid| forms::inputs(forms::CONTACT, &p, errors);
    let input = match forms::contact_input(&p) {
        Ok(input) => input,
        Err(errors) => return Ok(failed(errors.into(), form, redo)),
    };
    let pr = auth.principal.clone();
    match s
        .store
        .write(work!(|c| customer_contacts::create(
            c, pr.org_id, &pr.region, &pr.actor, customer, &input
        )))
        .await
    {
        Ok(_) => Ok(back_to_card(customer, "contacts")),
        Err(e) => Ok(failed(e, form, redo)),
    }
}

pub async fn edit_contact(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
) -> PageResult {
    auth.require(Action::ReadCustomers).map_err(page_err)?;
    let id: ContactId = parse_id(&id)?;
    let org = auth.principal.org_id;
    let contact = s
        .store
        .read(work!(|c| customer_contacts::get(c, org, id)))
        .await
        .map_err(page_err)?;
    let inputs = forms::inputs(
        forms::CONTACT,
        &forms::contact_values(&contact),
        &Invalid::default(),
    );
    let title = format!("Edit {}", contact.fields.name);
    Ok(RecordForm::new(
        &auth,
        &title,
        format!("/contacts/{id}"),
        contact.customer_id,
    )
    .editing(contact.version, inputs)
    .respond())
}

pub async fn update_contact(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(p): Form<Posted>,
) -> PageResult {
    allow(&auth, &p)?;
    let id: ContactId = parse_id(&id)?;
    let pr = auth.principal.clone();
    let org = pr.org_id;
    let current = s
        .store
        .read(work!(|c| customer_contacts::get(c, org, id)))
        .await
        .map_err(page_err)?;
    let mut form = RecordForm::new(
        &auth,
        "Edit contact",
        format!("/contacts/{id}"),
        current.customer_id,
    );
    form.version = Some(forms::version(&p));
    let redo = |errors: &Invalid| forms::inputs(forms::CONTACT, &p, errors);
    let patch = match forms::contact_patch(&p) {
        Ok(patch) => patch,
        Err(errors) => return Ok(failed(errors.into(), form, redo)),
    };
    match s
        .store
        .write(work!(|c| customer_contacts::update(
            c, pr.org_id, &pr.region, &pr.actor, id, &patch
        )))
        .await
    {
        Ok(saved) => Ok(back_to_card(saved.customer_id, "contacts")),
        Err(e) => Ok(failed(e, form, redo)),
    }
}

pub async fn delete_contact(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(p): Form<Posted>,
) -> PageResult {
    allow(&auth, &p)?;
    let id: ContactId = parse_id(&id)?;
    let pr = auth.principal.clone();
    let customer = s
        .store
        .write(work!(|c| async {
            let contact = customer_contacts::get(c, pr.org_id, id).await?;
            customer_contacts::delete(c, pr.org_id, &pr.actor, id).await?;
            Ok(contact.customer_id)
        }))
        .await
        .map_err(page_err)?;
    Ok(back_to_card(customer, "contacts"))
}
