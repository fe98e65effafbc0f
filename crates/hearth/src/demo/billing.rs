//! The demo business's billing: membership plans and members, invoices in
//! every state (paid, part-paid, open, overdue, draft), quotes and support
//! tickets, so the customer card's billing sections have something to show.

use chrono::{Duration, Utc};
use hearth_domain::CustomerId;
use hearth_domain::OrgId;
use hearth_domain::billing::invoices::{InvoiceInput, NewInvoiceStatus};
use hearth_domain::billing::lines::LineInput;
use hearth_domain::billing::memberships::{MembershipInput, PlanInput, PlanInterval};
use hearth_domain::billing::payments::{PaymentInput, PaymentMethod};
use hearth_domain::billing::quotes::{QuoteInput, QuoteStatus, QuoteStatusInput};
use hearth_domain::history::Actor;
use hearth_domain::support::{TicketChannel, TicketInput, TicketPriority};
use hearth_store::billing::{invoices, memberships, payments, plans, quotes};
use hearth_store::{Conn, Result, support};

const WORK: &[(&str, i64, i64)] = &[
    ("Furnace tune-up", 1000, 12_900),
    ("AC repair: capacitor replacement", 1000, 28_500),
    ("Water heater flush", 1000, 9_900),
    ("Labour (hours)", 2500, 9_500),
    ("Drain cleaning", 1000, 17_500),
    ("Thermostat install", 1000, 24_900),
];

fn line(i: usize) -> LineInput {
    let (description, quantity_thousandths, unit_price_minor) = WORK[i % WORK.len()];
    LineInput {
        description: description.to_string(),
        quantity_thousandths,
        unit_price_minor,
        tax_rate_bp: if i.is_multiple_of(3) { 825 } else { 0 },
    }
}

pub async fn load(c: &mut Conn, org: OrgId, actor: &Actor, customers: &[CustomerId]) -> Result<()> {
    let today = Utc::now().date_naive();
    let comfort = plans::create(
        c,
        org,
        actor,
        &PlanInput {
            name: "Comfort Club".into(),
            description: Some("Two tune-ups a year, priority scheduling, 10 % off repairs".into()),
            price_minor: 1_900,
            currency: None,
            interval: PlanInterval::Month,
            included_visits: 2,
        },
    )
    .await?;
    plans::create(
        c,
        org,
        actor,
        &PlanInput {
            name: "Whole Home Annual".into(),
            description: None,
            price_minor: 29_900,
            currency: None,
            interval: PlanInterval::Year,
            included_visits: 3,
        },
    )
    .await?;
    for (n, customer) in customers.iter().take(60).enumerate() {
        let customer = *customer;
        if n.is_multiple_of(4) {
            let started_on = Some(today - Duration::days(20 * n as i64));
            let input = MembershipInput {
                customer_id: customer,
                plan_id: comfort.id,
                started_on,
            };
            memberships::create(c, org, actor, &input).await?;
        }
        let due_date = Some(today + Duration::days(14 - 3 * (n % 10) as i64));
        let input = InvoiceInput {
            customer_id: customer,
            currency: None,
            lines: vec![line(n), line(n + 2)],
            due_date,
            notes: None,
            status: if n % 7 == 6 {
                NewInvoiceStatus::Draft
            } else {
                NewInvoiceStatus::Open
            },
            job_id: None,
        };
        let invoice = invoices::create(c, org, actor, &input).await?;
        let total = invoice.totals.total_minor;
        let paid = match n % 5 {
            0 | 1 => total,
            2 => total / 2,
            _ => 0,
        };
        if paid > 0 && input.status == NewInvoiceStatus::Open {
            let method = [
                PaymentMethod::Card,
                PaymentMethod::Check,
                PaymentMethod::Cash,
            ][n % 3];
            let payment = PaymentInput {
                amount_minor: paid,
                method,
                reference: None,
            };
            payments::create_manual(c, org, actor, invoice.id, &payment).await?;
        }
        if n.is_multiple_of(6) {
            let quote = quotes::create(
                c,
                org,
                actor,
                &QuoteInput {
                    customer_id: customer,
                    title: Some("System replacement".into()),
                    currency: None,
                    lines: vec![line(n + 1), line(n + 3)],
                    valid_until: None,
                    notes: None,
                },
            )
            .await?;
            let sent = QuoteStatusInput {
                status: QuoteStatus::Sent,
                version: None,
            };
            quotes::set_status(c, org, actor, quote.id, &sent).await?;
        }
        if n.is_multiple_of(9) {
            let ticket = TicketInput {
                customer_id: customer,
                subject: "No heat upstairs".into(),
                channel: Some(TicketChannel::Phone),
                priority: Some(TicketPriority::High),
                body: Some("Upstairs rooms stay cold since yesterday evening.".into()),
            };
            support::create(c, org, actor, &ticket).await?;
        }
    }
    Ok(())
}
