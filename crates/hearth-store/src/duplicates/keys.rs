//! The stored keys duplicate detection probes (`customers.name_key`,
//! `addresses.address_key`), recomputed for every row: what a migration
//! runs when the keys appear or their rules change. Normal writes store
//! them with the names and addresses they come from.

use crate::search::Dynamic;
use crate::{Conn, Result, Row};
use hearth_domain::duplicates::{name_key, stored_address_key};
use uuid::Uuid;

/// Rows read per batch.
const BATCH: i64 = 1000;

/// Every customer's and every address's key, in every organisation,
/// deleted ones included (a restore brings them back).
pub async fn rekey_all(c: &mut Conn) -> Result<()> {
    rekey(
        c,
        "customers",
        "name_key",
        "first_name, last_name, business_name",
        |r| {
            let (first, last, business): (Option<String>, Option<String>, Option<String>) =
                (r.get(1)?, r.get(2)?, r.get(3)?);
            Ok(name_key(
                first.as_deref(),
                last.as_deref(),
                business.as_deref(),
            ))
        },
    )
    .await?;
    rekey(c, "addresses", "address_key", "line1, postal_code", |r| {
        let (line1, postal_code): (String, Option<String>) = (r.get(1)?, r.get(2)?);
        Ok(stored_address_key(&line1, postal_code.as_deref()))
    })
    .await
}

/// Sets `column` of every row of `table` to `key` of its `inputs`
/// (read after the id), in batches by id.
async fn rekey(
    c: &mut Conn,
    table: &str,
    column: &str,
    inputs: &str,
    key: fn(&Row) -> Result<Option<String>>,
) -> Result<()> {
    let mut after = Uuid::nil();
    loop {
        let rows = c
            .query(
                &Dynamic(
                    format!("SELECT id, {inputs} FROM {table} WHERE id > $1 ORDER BY id LIMIT $2"),
                    vec![after.into(), BATCH.into()],
                ),
                |r| Ok((r.get::<Uuid>(0)?, key(r)?)),
            )
            .await?;
        let Some((last, _)) = rows.last() else {
            return Ok(());
        };
        after = *last;
        let update = format!("UPDATE {table} SET {column} = $1 WHERE id = $2");
        for (id, value) in rows {
            c.execute(&Dynamic(update.clone(), vec![value.into(), id.into()]))
                .await?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{addresses, customers, orgs, work};
    use hearth_domain::addresses::AddressInput;
    use hearth_domain::customers::CustomerInput;
    use hearth_domain::history::Actor;

    #[tokio::test]
    async fn rows_written_before_the_keys_are_found_once_rekeyed() {
        let (_dir, store) = crate::test_store().await;
        let found = store
            .write(work!(|c| async {
                let org = orgs::create(c, "keys", "Keys", "US").await?.id;
                let actor = Actor::system("test");
                let mut ids = vec![];
                for ((first, last), street) in [
                    (("Grace", "Hopper"), "12 Oak Street"),
                    (("Hopper", "Grace"), "12 oak st."),
                ] {
                    let input = CustomerInput {
                        first_name: Some(first.into()),
                        last_name: Some(last.into()),
                        ..Default::default()
                    };
                    let id = customers::create(c, org, "US", &actor, &input).await?.id;
                    let address = AddressInput {
                        line1: Some(street.into()),
                        postal_code: Some("78701".into()),
                        ..Default::default()
                    };
                    addresses::create(c, org, "US", &actor, id, &address).await?;
                    ids.push(id);
                }
                // As rows stood before the keys existed.
                c.batch(
                    "UPDATE customers SET name_key = NULL; UPDATE addresses SET address_key = NULL",
                )
                .await?;
                let before = super::super::of_customer(c, org, ids[0], 5).await?.len();
                rekey_all(c).await?;
                let after = super::super::of_customer(c, org, ids[0], 5).await?;
                Ok((before, after, ids[1]))
            }))
            .await
            .unwrap();
        let (before, after, other) = found;
        assert_eq!(before, 0);
        assert_eq!(after.len(), 1);
        assert_eq!(after[0].customer_id, other);
        assert!(
            after[0].score >= hearth_domain::duplicates::THRESHOLD,
            "{after:?}"
        );
    }
}
