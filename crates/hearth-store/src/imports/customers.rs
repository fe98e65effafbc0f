//! Customers from CSV: each with its service address, tags, search entry
//! and a timeline entry, all marked with the import.

use super::{Target, Writing};
use crate::bulk::{self, NewCustomer, NewEvent, Timeline};
use crate::{Conn, Raw, Result};
use chrono::{DateTime, NaiveDate, Utc};
use hearth_domain::import::customers::validate_row;
use hearth_domain::import::{ColumnMap, CustomerRow, Problem};
use hearth_domain::{AddressId, CustomerId, ImportId, OrgId, tags::name_key};
use std::collections::BTreeMap;
use uuid::Uuid;

pub(super) struct Customers;

impl Target for Customers {
    type Row = CustomerRow;
    const DUPLICATES: &'static [(&'static str, &'static str)] = &[("customers", "customer")];

    fn validate(
        &self,
        map: &ColumnMap,
        cells: &[&str],
        line: u64,
        region: &str,
        today: NaiveDate,
    ) -> std::result::Result<CustomerRow, Vec<Problem>> {
        validate_row(map, cells, line, region, today)
    }

    async fn resolve(
        &mut self,
        _: &mut Conn,
        _: OrgId,
        _: &[CustomerRow],
        _: &mut Vec<Problem>,
    ) -> Result<()> {
        Ok(())
    }

    async fn insert(
        &mut self,
        c: &mut Conn,
        org: OrgId,
        writing: &Writing,
        rows: Vec<CustomerRow>,
        tags: &BTreeMap<String, Uuid>,
    ) -> Result<()> {
        let customers: Vec<NewCustomer> = rows
            .iter()
            .map(|r| NewCustomer {
                id: CustomerId::new(),
                fields: r.customer.clone(),
                created_at: writing.at,
            })
            .collect();
        bulk::insert_customer_rows(c, org, Some(writing.import), &customers).await?;
        let mut addresses = Vec::new();
        let mut links = Vec::new();
        for (row, customer) in rows.iter().zip(&customers) {
            if let Some(a) = &row.address {
                addresses.push((customer.id, a));
            }
            for t in &row.tags {
                if let Some(tag) = tags.get(&name_key(t)) {
                    links.push((customer.id, *tag));
                }
            }
        }
        let columns = [
            "id",
            "org_id",
            "customer_id",
            "line1",
            "line2",
            "city",
            "region",
            "postal_code",
            "address_key",
            "country",
            "access_instructions",
            "is_primary",
            "version",
            "created_at",
            "updated_at",
        ];
        let values = addresses
            .into_iter()
            .map(|(customer, a)| {
                vec![
                    AddressId::new().0.into(),
                    org.0.into(),
                    customer.0.into(),
                    a.line1.clone().into(),
                    a.line2.clone().into(),
                    a.city.clone().into(),
                    a.region.clone().into(),
                    a.postal_code.clone().into(),
                    a.duplicate_key().into(),
                    a.country.clone().into(),
                    a.access_instructions.clone().into(),
                    true.into(),
                    1i64.into(),
                    writing.at.into(),
                    writing.at.into(),
                ]
            })
            .collect();
        bulk::insert_rows(c, "addresses", &columns, values).await?;
        let columns = ["org_id", "customer_id", "tag_id", "added_at"];
        let values = links
            .into_iter()
            .map(|(customer, tag)| {
                vec![
                    org.0.into(),
                    customer.0.into(),
                    tag.into(),
                    writing.at.into(),
                ]
            })
            .collect();
        bulk::insert_rows(c, "customer_tags", &columns, values).await?;
        // Indexed once the addresses (part of the document) are in.
        let ids: Vec<CustomerId> = customers.iter().map(|cu| cu.id).collect();
        crate::search::reindex_customers(c, org, &ids).await?;
        let events: Vec<NewEvent> = customers
            .iter()
            .map(|cu| NewEvent {
                on: Timeline::Customer(cu.id),
                kind: "profile",
                action: "customer.imported",
                summary: format!("Customer {} imported from CSV", cu.fields.display_name()),
                at: writing.at,
            })
            .collect();
        bulk::insert_events(c, org, &writing.actor, &events).await
    }
}

/// Sends an import's customers to the bin and out of search; returns how many.
pub(super) async fn revert(
    c: &mut Conn,
    org: OrgId,
    id: ImportId,
    at: DateTime<Utc>,
) -> Result<usize> {
    let ids = c
        .query(
            &Raw(
                "SELECT id FROM customers WHERE org_id = $1 AND import_id = $2 AND deleted_at IS NULL",
                vec![org.0.into(), id.0.into()],
            ),
            |r| r.get::<CustomerId>(0),
        )
        .await?;
    c.execute(&Raw(
        "UPDATE customers SET deleted_at = $1, version = version + 1, updated_at = $1 \
         WHERE org_id = $2 AND import_id = $3 AND deleted_at IS NULL",
        vec![at.into(), org.0.into(), id.0.into()],
    ))
    .await?;
    crate::search::reindex_customers(c, org, &ids).await?;
    Ok(ids.len())
}
