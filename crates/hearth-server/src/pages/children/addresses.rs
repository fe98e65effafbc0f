//! Adding, editing, re-marking and removing service addresses.

use super::forms::Input;
use super::forms::{self, Posted};
use super::{PageResult, RecordForm, allow, back_to_card, failed, page_err, parse_id};
use crate::AppState;
use crate::auth::PageAuth;
use axum::Form;
use axum::extract::{Path, State};
use hearth_domain::Invalid;
use hearth_domain::addresses::AddressPatch;
use hearth_domain::auth::Action;
use hearth_domain::{AddressId, CustomerId};
use hearth_store::addresses;
use hearth_store::work;

pub async fn create_address(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(p): Form<Posted>,
) -> PageResult {
    allow(&auth, &p)?;
    let customer: CustomerId = parse_id(&id)?;
    let form = RecordForm::new(
        &auth,
        "Add a service address",
        format!("/customers/{customer}/addresses"),
        customer,
    );
    let redo = |errors: &Invalid| forms::inputs(forms::ADDRESS, &p, errors);
    let input = forms::address_input(&p);
    let pr = auth.principal.clone();
    match s
        .store
        .write(work!(|c| addresses::create(
            c, pr.org_id, &pr.region, &pr.actor, customer, &input
        )))
        .await
    {
        Ok(a) => Ok(back_to_card(customer, &format!("address-{}", a.id))),
        Err(e) => Ok(failed(e, form, redo)),
    }
}

/// A primary address has no "make primary" box: it stays primary until
/// another address takes over.
fn address_inputs(is_primary: bool, values: &Posted, errors: &Invalid) -> Vec<Input> {
    if is_primary {
        forms::inputs(forms::without(forms::ADDRESS, "is_primary"), values, errors)
    } else {
        forms::inputs(forms::ADDRESS, values, errors)
    }
}

pub async fn edit_address(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
) -> PageResult {
    auth.require(Action::ReadCustomers).map_err(page_err)?;
    let id: AddressId = parse_id(&id)?;
    let org = auth.principal.org_id;
    let a = s
        .store
        .read(work!(|c| addresses::get(c, org, id)))
        .await
        .map_err(page_err)?;
    let inputs = address_inputs(
        a.is_primary,
        &forms::address_values(&a),
        &Invalid::default(),
    );
    let title = format!("Edit {}", a.fields.line1);
    Ok(
        RecordForm::new(&auth, &title, format!("/addresses/{id}"), a.customer_id)
            .editing(a.version, inputs)
            .respond(),
    )
}

pub async fn update_address(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(p): Form<Posted>,
) -> PageResult {
    allow(&auth, &p)?;
    let id: AddressId = parse_id(&id)?;
    let pr = auth.principal.clone();
    let org = pr.org_id;
    let current = s
        .store
        .read(work!(|c| addresses::get(c, org, id)))
        .await
        .map_err(page_err)?;
    let mut form = RecordForm::new(
        &auth,
        "Edit service address",
        format!("/addresses/{id}"),
        current.customer_id,
    );
    form.version = Some(forms::version(&p));
    let primary = current.is_primary;
    let redo = |errors: &Invalid| address_inputs(primary, &p, errors);
    let patch = forms::address_patch(&p);
    match s
        .store
        .write(work!(|c| addresses::update(
            c, pr.org_id, &pr.region, &pr.actor, id, &patch
        )))
        .await
    {
        Ok(a) => Ok(back_to_card(a.customer_id, &format!("address-{id}"))),
        Err(e) => Ok(failed(e, form, redo)),
    }
}

pub async fn make_primary(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(p): Form<Posted>,
) -> PageResult {
    allow(&auth, &p)?;
    let id: AddressId = parse_id(&id)?;
    let pr = auth.principal.clone();
    let patch = AddressPatch {
        version: forms::version(&p),
        label: None,
        line1: None,
        line2: None,
        city: None,
        region: None,
        postal_code: None,
        country: None,
        access_instructions: None,
        is_primary: Some(true),
    };
    let a = s
        .store
        .write(work!(|c| addresses::update(
            c, pr.org_id, &pr.region, &pr.actor, id, &patch
        )))
        .await
        .map_err(page_err)?;
    Ok(back_to_card(a.customer_id, "addresses"))
}

pub async fn delete_address(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(p): Form<Posted>,
) -> PageResult {
    allow(&auth, &p)?;
    let id: AddressId = parse_id(&id)?;
    let pr = auth.principal.clone();
    let customer = s
        .store
        .write(work!(|c| async {
            let a = addresses::get(c, pr.org_id, id).await?;
            addresses::delete(c, pr.org_id, &pr.actor, id).await?;
            Ok(a.customer_id)
        }))
        .await
        .map_err(page_err)?;
    Ok(back_to_card(customer, "addresses"))
}
