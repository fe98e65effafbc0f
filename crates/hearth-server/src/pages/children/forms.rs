//! The HTML forms of contacts, addresses and equipment: which inputs they
//! show, and how what a browser posts becomes API input. Every field comes
//! as text; an unreadable number or date is reported like any bad field.

use chrono::NaiveDate;
use hearth_domain::Invalid;
use hearth_domain::addresses::{AddressInput, AddressPatch, ServiceAddress};
use hearth_domain::customer_contacts::{ContactInput, ContactPatch, CustomerContact};
use hearth_domain::equipment::{Equipment, EquipmentInput, EquipmentPatch};
use std::collections::HashMap;
use std::str::FromStr;

/// A form as posted: field name → text.
pub type Posted = HashMap<String, String>;

/// One input of a form, with what was typed and what is wrong.
pub struct Input {
    pub name: &'static str,
    pub label: &'static str,
    /// An `<input type>`, or `textarea`, or `checkbox`.
    pub kind: &'static str,
    pub required: bool,
    pub hint: &'static str,
    pub value: String,
    pub error: Option<String>,
}

pub struct Spec {
    name: &'static str,
    label: &'static str,
    kind: &'static str,
    required: bool,
    hint: &'static str,
}

const fn spec(name: &'static str, label: &'static str, kind: &'static str) -> Spec {
    Spec {
        name,
        label,
        kind,
        required: false,
        hint: "",
    }
}

const fn required(s: Spec) -> Spec {
    Spec {
        required: true,
        ..s
    }
}

const fn hint(s: Spec, hint: &'static str) -> Spec {
    Spec { hint, ..s }
}

pub const CONTACT: &[Spec] = &[
    required(spec("name", "Name", "text")),
    spec("phone", "Phone", "tel"),
    spec("email", "Email", "email"),
    hint(spec("position", "Position", "text"), "e.g. Office manager"),
    hint(spec("ownership_pct", "Ownership %", "number"), "0–100"),
    hint(
        spec("customer_type", "Customer type", "text"),
        "e.g. Owner, Tenant",
    ),
    spec("additional_info", "Additional info", "textarea"),
];

pub const ADDRESS: &[Spec] = &[
    hint(spec("label", "Label", "text"), "e.g. Home, Rental"),
    required(spec("line1", "Street address", "text")),
    hint(spec("line2", "Line 2", "text"), "Apartment, suite, unit"),
    spec("city", "City", "text"),
    spec("region", "State / region", "text"),
    spec("postal_code", "Postal code", "text"),
    hint(spec("country", "Country", "text"), "Your default country"),
    hint(
        spec("access_instructions", "Access instructions", "textarea"),
        "Gate code, key box, pets, seasonal notes",
    ),
    spec("is_primary", "Make this the primary address", "checkbox"),
];

pub const EQUIPMENT: &[Spec] = &[
    required(hint(
        spec("kind", "Kind", "text"),
        "e.g. Furnace, Water heater",
    )),
    spec("make", "Make", "text"),
    spec("model", "Model", "text"),
    spec("serial_number", "Serial number", "text"),
    spec("install_date", "Install date", "date"),
    hint(
        spec(
            "expected_lifespan_years",
            "Expected lifespan (years)",
            "number",
        ),
        "0–100",
    ),
    spec("warranty_expires_on", "Warranty expires on", "date"),
    spec("notes", "Notes", "textarea"),
];

/// The inputs of `spec` holding `values`, each with its error.
pub fn inputs<'a>(
    spec: impl IntoIterator<Item = &'a Spec>,
    values: &Posted,
    errors: &Invalid,
) -> Vec<Input> {
    spec.into_iter()
        .map(|s| Input {
            name: s.name,
            label: s.label,
            kind: s.kind,
            required: s.required,
            hint: s.hint,
            value: values.get(s.name).cloned().unwrap_or_default(),
            error: errors
                .0
                .iter()
                .find(|e| e.field == s.name)
                .map(|e| e.message.clone()),
        })
        .collect()
}

/// The spec without one input (the primary checkbox of a primary address).
pub fn without<'a>(spec: &'a [Spec], name: &'a str) -> impl Iterator<Item = &'a Spec> {
    spec.iter().filter(move |s| s.name != name)
}

fn text(p: &Posted, name: &str) -> Option<String> {
    p.get(name).filter(|v| !v.trim().is_empty()).cloned()
}

fn parsed<T: FromStr>(p: &Posted, name: &str, why: &str, errors: &mut Invalid) -> Option<T> {
    let raw = text(p, name)?;
    match raw.trim().parse() {
        Ok(v) => Some(v),
        Err(_) => {
            errors.push(name, why);
            None
        }
    }
}

fn date(p: &Posted, name: &str, errors: &mut Invalid) -> Option<NaiveDate> {
    let raw = text(p, name)?;
    match NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(name, "is not a date (YYYY-MM-DD)");
            None
        }
    }
}

/// The `version` a form was loaded with; a missing one can never match.
pub fn version(p: &Posted) -> i64 {
    p.get("version")
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(-1)
}

pub fn contact_input(p: &Posted) -> Result<ContactInput, Invalid> {
    let mut errors = Invalid::default();
    let ownership_pct = parsed(p, "ownership_pct", "is not a number", &mut errors);
    errors.or_ok(ContactInput {
        name: text(p, "name"),
        phone: text(p, "phone"),
        email: text(p, "email"),
        position: text(p, "position"),
        ownership_pct,
        customer_type: text(p, "customer_type"),
        additional_info: text(p, "additional_info"),
    })
}

/// The form shows every field, so every field is sent: empty clears it.
pub fn contact_patch(p: &Posted) -> Result<ContactPatch, Invalid> {
    let i = contact_input(p)?;
    Ok(ContactPatch {
        version: version(p),
        name: Some(i.name),
        phone: Some(i.phone),
        email: Some(i.email),
        position: Some(i.position),
        ownership_pct: Some(i.ownership_pct),
        customer_type: Some(i.customer_type),
        additional_info: Some(i.additional_info),
    })
}

pub fn contact_values(c: &CustomerContact) -> Posted {
    let f = &c.fields;
    values([
        ("name", Some(f.name.clone())),
        ("phone", f.phone.clone()),
        ("email", f.email.clone()),
        ("position", f.position.clone()),
        ("ownership_pct", f.ownership_pct.map(|o| o.to_string())),
        ("customer_type", f.customer_type.clone()),
        ("additional_info", f.additional_info.clone()),
    ])
}

pub fn address_input(p: &Posted) -> AddressInput {
    AddressInput {
        label: text(p, "label"),
        line1: text(p, "line1"),
        line2: text(p, "line2"),
        city: text(p, "city"),
        region: text(p, "region"),
        postal_code: text(p, "postal_code"),
        country: text(p, "country"),
        access_instructions: text(p, "access_instructions"),
        // An unticked box is not sent; it never un-marks the primary.
        is_primary: p.contains_key("is_primary").then_some(true),
    }
}

pub fn address_patch(p: &Posted) -> AddressPatch {
    let i = address_input(p);
    AddressPatch {
        version: version(p),
        label: Some(i.label),
        line1: Some(i.line1),
        line2: Some(i.line2),
        city: Some(i.city),
        region: Some(i.region),
        postal_code: Some(i.postal_code),
        country: Some(i.country),
        access_instructions: Some(i.access_instructions),
        is_primary: i.is_primary,
    }
}

pub fn address_values(a: &ServiceAddress) -> Posted {
    let f = &a.fields;
    values([
        ("label", f.label.clone()),
        ("line1", Some(f.line1.clone())),
        ("line2", f.line2.clone()),
        ("city", f.city.clone()),
        ("region", f.region.clone()),
        ("postal_code", f.postal_code.clone()),
        ("country", Some(f.country.clone())),
        ("access_instructions", f.access_instructions.clone()),
    ])
}

pub fn equipment_input(p: &Posted) -> Result<EquipmentInput, Invalid> {
    let mut errors = Invalid::default();
    let install_date = date(p, "install_date", &mut errors);
    let expected_lifespan_years = parsed(
        p,
        "expected_lifespan_years",
        "is not a whole number of years",
        &mut errors,
    );
    let warranty_expires_on = date(p, "warranty_expires_on", &mut errors);
    errors.or_ok(EquipmentInput {
        kind: text(p, "kind"),
        make: text(p, "make"),
        model: text(p, "model"),
        serial_number: text(p, "serial_number"),
        install_date,
        expected_lifespan_years,
        warranty_expires_on,
        notes: text(p, "notes"),
    })
}

pub fn equipment_patch(p: &Posted) -> Result<EquipmentPatch, Invalid> {
    let i = equipment_input(p)?;
    Ok(EquipmentPatch {
        version: version(p),
        address_id: None,
        kind: Some(i.kind),
        make: Some(i.make),
        model: Some(i.model),
        serial_number: Some(i.serial_number),
        install_date: Some(i.install_date),
        expected_lifespan_years: Some(i.expected_lifespan_years),
        warranty_expires_on: Some(i.warranty_expires_on),
        notes: Some(i.notes),
    })
}

pub fn equipment_values(e: &Equipment) -> Posted {
    let f = &e.fields;
    values([
        ("kind", Some(f.kind.clone())),
        ("make", f.make.clone()),
        ("model", f.model.clone()),
        ("serial_number", f.serial_number.clone()),
        ("install_date", f.install_date.map(|d| d.to_string())),
        (
            "expected_lifespan_years",
            f.expected_lifespan_years.map(|y| y.to_string()),
        ),
        (
            "warranty_expires_on",
            f.warranty_expires_on.map(|d| d.to_string()),
        ),
        ("notes", f.notes.clone()),
    ])
}

fn values<const N: usize>(pairs: [(&str, Option<String>); N]) -> Posted {
    pairs
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k.to_string(), v)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn posted(pairs: &[(&str, &str)]) -> Posted {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn unreadable_numbers_and_dates_name_their_field() {
        let err =
            contact_input(&posted(&[("name", "Jane"), ("ownership_pct", "half")])).unwrap_err();
        assert_eq!(err.0[0].field, "ownership_pct");
        let err = equipment_input(&posted(&[
            ("kind", "Furnace"),
            ("install_date", "last May"),
            ("expected_lifespan_years", "12.5"),
        ]))
        .unwrap_err();
        let fields: Vec<_> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["install_date", "expected_lifespan_years"]);
    }

    #[test]
    fn an_unticked_primary_box_never_unmarks() {
        let p = posted(&[("line1", "1 Main St"), ("version", "3")]);
        let patch = address_patch(&p);
        assert_eq!(patch.is_primary, None);
        assert_eq!(patch.version, 3);
        let ticked = posted(&[("line1", "1 Main St"), ("is_primary", "on")]);
        assert_eq!(address_patch(&ticked).is_primary, Some(true));
    }
}
