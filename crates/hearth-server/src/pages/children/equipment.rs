//! Adding, editing and removing the equipment at a service address.

use super::forms::{self, Posted};
use super::{PageResult, RecordForm, allow, back_to_card, failed, page_err, parse_id};
use crate::AppState;
use crate::auth::PageAuth;
use axum::Form;
use axum::extract::{Path, State};
use hearth_domain::Invalid;
use hearth_domain::auth::Action;
use hearth_domain::{AddressId, EquipmentId};
use hearth_store::work;
use hearth_store::{addresses, equipment};

pub async fn create_equipment(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(p): Form<Posted>,
) -> PageResult {
    allow(&auth, &p)?;
    let address: AddressId = parse_id(&id)?;
    let pr = auth.principal.clone();
    let org = pr.org_id;
    let at = s
        .store
        .read(work!(|c| addresses::get(c, org, address)))
        .await
        .map_err(page_err)?;
    let title = format!("Add equipment at {}", at.fields.line1);
    let form = RecordForm::new(
        &auth,
        &title,
        format!("/addresses/{address}/equipment"),
        at.customer_id,
    );
    let redo = |errors: &Invalid| forms::inputs(forms::EQUIPMENT, &p, errors);
    let input = match forms::equipment_input(&p) {
        Ok(input) => input,
        Err(errors) => return Ok(failed(errors.into(), form, redo)),
    };
    match s
        .store
        .write(work!(|c| equipment::create(
            c, pr.org_id, &pr.actor, address, &input
        )))
        .await
    {
        Ok(u) => Ok(back_to_card(u.customer_id, &format!("address-{address}"))),
        Err(e) => Ok(failed(e, form, redo)),
    }
}

pub async fn edit_equipment(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
) -> PageResult {
    auth.require(Action::ReadCustomers).map_err(page_err)?;
    let id: EquipmentId = parse_id(&id)?;
    let org = auth.principal.org_id;
    let u = s
        .store
        .read(work!(|c| equipment::get(c, org, id)))
        .await
        .map_err(page_err)?;
    let inputs = forms::inputs(
        forms::EQUIPMENT,
        &forms::equipment_values(&u),
        &Invalid::default(),
    );
    let title = format!("Edit {}", u.fields.title());
    Ok(
        RecordForm::new(&auth, &title, format!("/equipment/{id}"), u.customer_id)
            .editing(u.version, inputs)
            .respond(),
    )
}

pub async fn update_equipment(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(p): Form<Posted>,
) -> PageResult {
    allow(&auth, &p)?;
    let id: EquipmentId = parse_id(&id)?;
    let pr = auth.principal.clone();
    let org = pr.org_id;
    let current = s
        .store
        .read(work!(|c| equipment::get(c, org, id)))
        .await
        .map_err(page_err)?;
    let mut form = RecordForm::new(
        &auth,
        "Edit equipment",
        format!("/equipment/{id}"),
        current.customer_id,
    );
    form.version = Some(forms::version(&p));
    let redo = |errors: &Invalid| forms::inputs(forms::EQUIPMENT, &p, errors);
    let patch = match forms::equipment_patch(&p) {
        Ok(patch) => patch,
        Err(errors) => return Ok(failed(errors.into(), form, redo)),
    };
    match s
        .store
        .write(work!(|c| equipment::update(
            c, pr.org_id, &pr.actor, id, &patch
        )))
        .await
    {
        Ok(u) => Ok(back_to_card(
            u.customer_id,
            &format!("address-{}", u.address_id),
        )),
        Err(e) => Ok(failed(e, form, redo)),
    }
}

pub async fn delete_equipment(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(p): Form<Posted>,
) -> PageResult {
    allow(&auth, &p)?;
    let id: EquipmentId = parse_id(&id)?;
    let pr = auth.principal.clone();
    let (customer, address) = s
        .store
        .write(work!(|c| async {
            let u = equipment::get(c, pr.org_id, id).await?;
            equipment::delete(c, pr.org_id, &pr.actor, id).await?;
            Ok((u.customer_id, u.address_id))
        }))
        .await
        .map_err(page_err)?;
    Ok(back_to_card(customer, &format!("address-{address}")))
}
