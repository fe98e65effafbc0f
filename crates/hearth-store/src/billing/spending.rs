//! Spending insights: sums read from payments and invoices, the arithmetic
//! done by the domain.

use super::{currency, today};
use crate::{Conn, Raw, Result, customers, jobs};
use hearth_domain::billing::money::Currency;
use hearth_domain::billing::spending::{Spending, SpendingFacts, spending};
use hearth_domain::customers::Customer;
use hearth_domain::{CustomerId, OrgId};

fn facts_for(all: &mut Vec<SpendingFacts>, currency: Currency) -> &mut SpendingFacts {
    let i = match all.iter().position(|f| f.currency == currency) {
        Some(i) => i,
        None => {
            all.push(SpendingFacts {
                currency,
                ..Default::default()
            });
            all.len() - 1
        }
    };
    &mut all[i]
}

/// A live customer's spending per currency (`payments_customer`,
/// `invoices_customer`).
pub async fn get(c: &mut Conn, org: OrgId, id: CustomerId) -> Result<Spending> {
    let customer = customers::get(c, org, id, false).await?;
    let completed_jobs = jobs::completed_count(c, org, id).await?;
    of(c, org, &customer, completed_jobs).await
}

/// Spending of a customer already read in this unit of work, with the
/// number of their completed jobs (the 360° has it from the insights).
pub async fn of(
    c: &mut Conn,
    org: OrgId,
    customer: &Customer,
    completed_jobs: i64,
) -> Result<Spending> {
    let id = customer.id;
    let payments = c
        .query(
            &Raw(
                "SELECT currency, CAST(SUM(amount_minor) AS BIGINT) FROM payments \
                 WHERE org_id = $1 AND customer_id = $2 GROUP BY currency",
                vec![org.0.into(), id.0.into()],
            ),
            |r| Ok((currency(r, 0)?, r.get::<i64>(1)?)),
        )
        .await?;
    let invoices = c
        .query(
            &Raw(
                "SELECT currency, status, COUNT(*), CAST(SUM(total_minor) AS BIGINT), \
                 CAST(SUM(total_minor - amount_paid_minor) AS BIGINT) FROM invoices \
                 WHERE org_id = $1 AND customer_id = $2 AND status IN ('open', 'partially_paid', 'paid') \
                 GROUP BY currency, status",
                vec![org.0.into(), id.0.into()],
            ),
            |r| {
                Ok((
                    currency(r, 0)?,
                    r.get::<String>(1)?,
                    r.get::<i64>(2)?,
                    r.get::<i64>(3)?,
                    r.get::<i64>(4)?,
                ))
            },
        )
        .await?;
    let mut all: Vec<SpendingFacts> = vec![];
    for (cur, sum) in payments {
        facts_for(&mut all, cur).payments_minor = sum;
    }
    for (cur, status, count, total, balance) in invoices {
        let f = facts_for(&mut all, cur);
        if status == "paid" {
            f.paid_invoices += count;
            f.paid_invoices_total_minor += total;
        } else {
            f.outstanding_minor += balance;
        }
    }
    Ok(spending(
        customer.fields.customer_since,
        today(),
        completed_jobs,
        &all,
    ))
}
