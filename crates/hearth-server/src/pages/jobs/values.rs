//! What the job form holds as text, and how it becomes API input: dates
//! and times typed as UTC, prices in currency units with two decimals,
//! ticked boxes as id lists, numbered line-item rows.

use chrono::{NaiveDate, NaiveTime};
use hearth_domain::jobs::{Job, JobInput, LineItemInput, parse_money};
use hearth_domain::{CustomerId, EquipmentId, Invalid, UserId};
use std::collections::HashMap;

/// One line-item row as typed.
#[derive(Clone, Debug, Default)]
pub struct LineRow {
    pub kind: String,
    pub description: String,
    pub quantity: String,
    pub price: String,
    pub error: Option<String>,
}

impl LineRow {
    pub(super) fn is_blank(&self) -> bool {
        [&self.description, &self.quantity, &self.price]
            .iter()
            .all(|s| s.trim().is_empty())
    }
}

/// 8950 → "89.50", as a price input shows it.
fn plain_price(minor: i64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

/// What the form holds, as text.
#[derive(Clone, Debug, Default)]
pub struct Values {
    pub address_id: String,
    pub service_type: String,
    pub industry: String,
    pub description: String,
    pub date: String,
    pub start_time: String,
    pub end_date: String,
    pub end_time: String,
    pub currency: String,
    pub technician_ids: Vec<String>,
    pub equipment_ids: Vec<String>,
    pub lines: Vec<LineRow>,
}

impl Values {
    pub fn has_technician(&self, id: &UserId) -> bool {
        self.technician_ids.contains(&id.to_string())
    }

    pub fn has_equipment(&self, id: &EquipmentId) -> bool {
        self.equipment_ids.contains(&id.to_string())
    }

    pub(super) fn of_job(j: &Job) -> Values {
        let f = &j.fields;
        Values {
            address_id: f.address_id.to_string(),
            service_type: f.service_type.clone(),
            industry: f.industry.as_str().to_string(),
            description: f.description.clone().unwrap_or_default(),
            date: f.scheduled_start.format("%Y-%m-%d").to_string(),
            start_time: f.scheduled_start.format("%H:%M").to_string(),
            end_date: f.scheduled_end.format("%Y-%m-%d").to_string(),
            end_time: f.scheduled_end.format("%H:%M").to_string(),
            currency: f.currency.clone(),
            technician_ids: f.technician_ids.iter().map(ToString::to_string).collect(),
            equipment_ids: f.equipment_ids.iter().map(ToString::to_string).collect(),
            lines: f
                .line_items
                .iter()
                .map(|l| LineRow {
                    kind: l.kind.as_str().to_string(),
                    description: l.description.clone(),
                    quantity: l.quantity.as_f64().to_string(),
                    price: plain_price(l.unit_price_minor),
                    error: None,
                })
                .collect(),
        }
    }

    /// A form as posted; repeated names (checkboxes) collect into lists.
    pub(super) fn posted(pairs: &[(String, String)]) -> Values {
        let mut v = Values::default();
        let mut lines: HashMap<usize, LineRow> = HashMap::new();
        for (k, val) in pairs {
            match k.as_str() {
                "address_id" => v.address_id = val.clone(),
                "service_type" => v.service_type = val.clone(),
                "industry" => v.industry = val.clone(),
                "description" => v.description = val.clone(),
                "date" => v.date = val.clone(),
                "start_time" => v.start_time = val.clone(),
                "end_date" => v.end_date = val.clone(),
                "end_time" => v.end_time = val.clone(),
                "currency" => v.currency = val.clone(),
                "technician_ids" => v.technician_ids.push(val.clone()),
                "equipment_ids" => v.equipment_ids.push(val.clone()),
                other => {
                    let Some((field, n)) = other.rsplit_once('_') else {
                        continue;
                    };
                    let Ok(n) = n.parse::<usize>() else { continue };
                    if n >= hearth_domain::jobs::LINE_ITEMS_MAX {
                        continue;
                    }
                    let row = lines.entry(n).or_default();
                    match field {
                        "line_kind" => row.kind = val.clone(),
                        "line_description" => row.description = val.clone(),
                        "line_quantity" => row.quantity = val.clone(),
                        "line_price" => row.price = val.clone(),
                        _ => {}
                    }
                }
            }
        }
        let mut numbered: Vec<(usize, LineRow)> = lines.into_iter().collect();
        numbered.sort_by_key(|(n, _)| *n);
        v.lines = numbered.into_iter().map(|(_, row)| row).collect();
        v
    }

    /// The typed values as API input; unreadable dates, times, ids and
    /// prices are named like any bad field. Rows left blank are skipped.
    pub(super) fn input(&self, customer: CustomerId) -> (JobInput, Invalid) {
        let mut errors = Invalid::default();
        let when = |date: &str, time: &str, field: &str, errors: &mut Invalid| {
            let d = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d");
            let t = NaiveTime::parse_from_str(time.trim(), "%H:%M");
            match (d, t) {
                (Ok(d), Ok(t)) => Some(d.and_time(t).and_utc()),
                _ if date.trim().is_empty() || time.trim().is_empty() => None,
                _ => {
                    errors.push(field, "is not a date and time");
                    None
                }
            }
        };
        let start = when(&self.date, &self.start_time, "scheduled_start", &mut errors);
        let end_date = if self.end_date.trim().is_empty() {
            &self.date
        } else {
            &self.end_date
        };
        let end = when(end_date, &self.end_time, "scheduled_end", &mut errors);
        let mut line_items = vec![];
        for row in &self.lines {
            if row.is_blank() {
                continue;
            }
            let i = line_items.len();
            let quantity = match row.quantity.trim() {
                "" => None,
                raw => raw.parse::<f64>().ok().or_else(|| {
                    errors.push(format!("line_items[{i}].quantity"), "is not a number");
                    None
                }),
            };
            let unit_price_minor = match row.price.trim() {
                "" => None,
                raw => parse_money(raw).or_else(|| {
                    errors.push(
                        format!("line_items[{i}].unit_price_minor"),
                        "is not a price such as 89.50",
                    );
                    None
                }),
            };
            line_items.push(LineItemInput {
                kind: Some(row.kind.clone()),
                description: Some(row.description.clone()),
                quantity,
                unit_price_minor,
                currency: None,
            });
        }
        let input = JobInput {
            customer_id: Some(customer),
            address_id: self.address_id.parse().ok(),
            service_type: Some(self.service_type.clone()),
            industry: Some(self.industry.clone()),
            description: Some(self.description.clone()),
            scheduled_start: start,
            scheduled_end: end,
            technician_ids: parsed_ids(&self.technician_ids),
            equipment_ids: parsed_ids(&self.equipment_ids),
            currency: Some(self.currency.clone()),
            line_items,
        };
        (input, errors)
    }
}

/// The ids of ticked boxes; one that is not an id was not one we offered.
fn parsed_ids<T: std::str::FromStr>(raw: &[String]) -> Vec<T> {
    raw.iter().filter_map(|r| r.parse().ok()).collect()
}

/// `line_items[3].quantity` → 3.
pub(super) fn line_index(field: &str) -> Option<usize> {
    field
        .strip_prefix("line_items[")?
        .split(']')
        .next()?
        .parse()
        .ok()
}
