//! A checked segment filter as a sea-query condition over `customer_facts f`.
//! Facts are compared in place; customer fields, tags, addresses, equipment
//! and leads are `EXISTS` probes into their tables by customer. Every value
//! a client sent is a bound parameter; only fixed fragments are SQL text.
//! Ages ("days since the last booking ≥ 45") become comparisons of the
//! stored instant with `now − 45 days`, so they stay index ranges and move
//! with the clock without any stored state changing.

use chrono::{DateTime, Days, Months, NaiveDate, TimeDelta, Utc};
use hearth_domain::Invalid;
use hearth_domain::segments::filter::{Condition, Field, Filter, Match, Op, Operand};
use hearth_domain::tags::name_key;
use sea_query::{Cond, Expr, ExprTrait, JoinType, LikeExpr, Query, Value};

/// The condition `filter` puts on `customer_facts f` at `now`.
pub fn condition(filter: &Filter, now: DateTime<Utc>) -> Result<Cond, Invalid> {
    let mut all = match filter.matching {
        Match::All => Cond::all(),
        Match::Any => Cond::any(),
    };
    for (i, c) in filter.conditions.iter().enumerate() {
        all = all.add(
            one(c, now).map_err(|why| Invalid::field(format!("filter.conditions[{i}].op"), why))?,
        );
    }
    Ok(all)
}

fn one(c: &Condition, now: DateTime<Utc>) -> Result<Expr, String> {
    use Field::*;
    let today = now.date_naive();
    Ok(match c.field {
        FirstName => customer(text("c.first_name", c)?),
        LastName => customer(text("c.last_name", c)?),
        BusinessName => customer(text("c.business_name", c)?),
        Email => customer(text("c.email", c)?),
        Phone => customer(text("c.phone", c)?),
        PreferredContactMethod => customer(choice("c.preferred_contact_method", c)?),
        CustomerSince => customer(compare(Expr::cust("c.customer_since"), c.op, date(c)?)?),
        AccountAgeDays => age("f.created_at", c.op, number(c)?, |n| days_before(now, n))?,
        Tag => {
            let mut q = Query::select();
            q.expr(Expr::cust("1"))
                .from_as("customer_tags", "ct")
                .join_as(
                    JoinType::InnerJoin,
                    "tags",
                    "t",
                    Expr::cust(
                        "t.id = ct.tag_id AND t.org_id = ct.org_id AND t.deleted_at IS NULL",
                    ),
                )
                .and_where(Expr::cust(
                    "ct.org_id = f.org_id AND ct.customer_id = f.customer_id",
                ))
                .and_where(Expr::cust("t.name_key").eq(name_key(&word(c)?)));
            match c.op {
                Op::Has => Expr::exists(q),
                Op::HasNot => Expr::not_exists(q),
                op => return Err(unsupported(c.field, op)),
            }
        }
        City => addresses(place("a.city", c)?),
        PostalCode => addresses(place("a.postal_code", c)?),
        EquipmentKind => equipment(place("e.kind", c)?),
        EquipmentAgeYears => equipment(age("e.install_date", c.op, number(c)?, |n| {
            years_before(today, n)
        })?),
        EquipmentWarranty => {
            let mut any = Cond::any();
            for state in words(c)? {
                any = any.add(match state.as_str() {
                    "active" => Expr::cust("e.warranty_expires_on").gte(today),
                    _ => Expr::cust("e.warranty_expires_on").lt(today),
                });
            }
            equipment(any.into())
        }
        WarrantyExpiresInDays => {
            let until = today.checked_add_days(Days::new(number(c)? as u64));
            let until = Ord::min(until.unwrap_or(LAST_DATE), LAST_DATE);
            equipment(Expr::cust("e.warranty_expires_on").gte(today).and(compare(
                Expr::cust("e.warranty_expires_on"),
                c.op,
                until,
            )?))
        }
        LifetimeValueMinor => compare(Expr::cust("f.lifetime_minor"), c.op, number(c)?)?,
        Bookings => compare(Expr::cust("f.bookings"), c.op, number(c)?)?,
        DaysSinceLastBooking => match c.op {
            Op::Absent => Expr::cust("f.last_booking_at").is_null(),
            op => age("f.last_booking_at", op, number(c)?, |n| days_before(now, n))?,
        },
        Membership => match (&c.value, c.op) {
            (Operand::Text(v), Op::Eq) => Expr::cust("f.membership").eq(v.as_str()),
            (Operand::Text(v), Op::Neq) => Expr::cust("f.membership").ne(v.as_str()),
            (Operand::Texts(vs), Op::In) => Expr::cust("f.membership").is_in(vs.iter().cloned()),
            (_, op) => return Err(unsupported(c.field, op)),
        },
        LeadSource => {
            let mut q = Query::select();
            q.expr(Expr::cust("1"))
                .from_as("leads", "l")
                .and_where(Expr::cust(
                    "l.org_id = f.org_id AND l.customer_id = f.customer_id AND l.deleted_at IS NULL",
                ))
                .and_where(Expr::cust("l.source").is_in(words(c)?));
            Expr::exists(q)
        }
    })
}

/// The earliest instant and date bound: older than anything stored, and
/// within what both engines accept.
fn first_instant() -> DateTime<Utc> {
    DateTime::from_timestamp(-62_135_596_800, 0).unwrap_or(DateTime::<Utc>::MIN_UTC)
}
const FIRST_DATE: NaiveDate = NaiveDate::from_ymd_opt(1, 1, 1).expect("valid date");
const LAST_DATE: NaiveDate = NaiveDate::from_ymd_opt(9999, 12, 31).expect("valid date");

fn days_before(now: DateTime<Utc>, n: i64) -> DateTime<Utc> {
    TimeDelta::try_days(n)
        .and_then(|d| now.checked_sub_signed(d))
        .map_or_else(first_instant, |t| Ord::max(t, first_instant()))
}

fn years_before(today: NaiveDate, n: i64) -> NaiveDate {
    let date = u32::try_from(n.saturating_mul(12))
        .ok()
        .and_then(|m| today.checked_sub_months(Months::new(m)))
        .unwrap_or(FIRST_DATE);
    Ord::max(date, FIRST_DATE)
}

fn unsupported(field: Field, op: Op) -> String {
    format!("{} does not apply to {}", op.as_str(), field.as_str())
}

fn number(c: &Condition) -> Result<i64, String> {
    match c.value {
        Operand::Number(n) => Ok(n),
        _ => Err(unsupported(c.field, c.op)),
    }
}

fn date(c: &Condition) -> Result<NaiveDate, String> {
    match c.value {
        Operand::Date(d) => Ok(d),
        _ => Err(unsupported(c.field, c.op)),
    }
}

fn word(c: &Condition) -> Result<String, String> {
    match &c.value {
        Operand::Text(s) => Ok(s.clone()),
        _ => Err(unsupported(c.field, c.op)),
    }
}

/// The value of `eq` or the list of `in`.
fn words(c: &Condition) -> Result<Vec<String>, String> {
    match &c.value {
        Operand::Text(s) => Ok(vec![s.clone()]),
        Operand::Texts(vs) => Ok(vs.clone()),
        _ => Err(unsupported(c.field, c.op)),
    }
}

fn compare(e: Expr, op: Op, v: impl Into<Value>) -> Result<Expr, String> {
    let v = Expr::val(v);
    Ok(match op {
        Op::Eq => e.eq(v),
        Op::Neq => e.ne(v),
        Op::Gt => e.gt(v),
        Op::Gte => e.gte(v),
        Op::Lt => e.lt(v),
        Op::Lte => e.lte(v),
        op => return Err(format!("{} is not a comparison", op.as_str())),
    })
}

/// An age in whole units against the instant or date in `col`: "age ≥ n"
/// is "col ≤ the cutoff n units ago".
fn age<V: Into<Value>>(
    col: &'static str,
    op: Op,
    n: i64,
    cutoff: impl Fn(i64) -> V,
) -> Result<Expr, String> {
    let col = || Expr::cust(col);
    Ok(match op {
        Op::Gte => col().lte(cutoff(n)),
        Op::Gt => col().lt(cutoff(n)),
        Op::Lte => col().gte(cutoff(n)),
        Op::Lt => col().gt(cutoff(n)),
        Op::Eq => col()
            .lte(cutoff(n))
            .and(col().gt(cutoff(n.saturating_add(1)))),
        op => return Err(format!("{} is not a comparison", op.as_str())),
    })
}

fn like(col: &str, pattern: String) -> Expr {
    Expr::cust(format!("lower({col})")).like(LikeExpr::new(pattern).escape('\\'))
}

fn escaped(s: &str) -> String {
    crate::like::escape(&s.to_lowercase())
}

/// Free text on the customer, ignoring case; `neq` and `absent` include
/// customers without the field.
fn text(col: &'static str, c: &Condition) -> Result<Expr, String> {
    let lower = || Expr::cust(format!("lower({col})"));
    let blank = || Expr::cust(col).is_null().or(Expr::cust(col).eq(""));
    Ok(match c.op {
        Op::Eq => lower().eq(word(c)?.to_lowercase()),
        Op::Neq => Expr::cust(col)
            .is_null()
            .or(lower().ne(word(c)?.to_lowercase())),
        Op::Contains => like(col, format!("%{}%", escaped(&word(c)?))),
        Op::StartsWith => like(col, format!("{}%", escaped(&word(c)?))),
        Op::Present => blank().not(),
        Op::Absent => blank(),
        op => return Err(unsupported(c.field, op)),
    })
}

/// A fixed choice stored in its own spelling.
fn choice(col: &'static str, c: &Condition) -> Result<Expr, String> {
    Ok(match c.op {
        Op::Eq => Expr::cust(col).eq(word(c)?),
        Op::Neq => Expr::cust(col).ne(word(c)?),
        Op::In => Expr::cust(col).is_in(words(c)?),
        op => return Err(unsupported(c.field, op)),
    })
}

/// A place or kind on one of the customer's records, ignoring case.
fn place(col: &'static str, c: &Condition) -> Result<Expr, String> {
    let lower = || Expr::cust(format!("lower({col})"));
    Ok(match c.op {
        Op::Eq | Op::In => lower().is_in(words(c)?.iter().map(|w| w.to_lowercase())),
        Op::StartsWith => like(col, format!("{}%", escaped(&word(c)?))),
        op => return Err(unsupported(c.field, op)),
    })
}

fn customer(pred: Expr) -> Expr {
    let mut q = Query::select();
    q.expr(Expr::cust("1"))
        .from_as("customers", "c")
        .and_where(Expr::cust("c.id = f.customer_id AND c.org_id = f.org_id"))
        .and_where(pred);
    Expr::exists(q)
}

fn addresses(pred: Expr) -> Expr {
    let mut q = Query::select();
    q.expr(Expr::cust("1"))
        .from_as("addresses", "a")
        .and_where(Expr::cust(
            "a.org_id = f.org_id AND a.customer_id = f.customer_id AND a.deleted_at IS NULL",
        ))
        .and_where(pred);
    Expr::exists(q)
}

/// Equipment is found through the customer's addresses (`addresses_customer`,
/// then `equipment_address`): equipment has no index by customer.
fn equipment(pred: Expr) -> Expr {
    let mut q = Query::select();
    q.expr(Expr::cust("1"))
        .from_as("addresses", "a")
        .join_as(
            JoinType::InnerJoin,
            "equipment",
            "e",
            Expr::cust("e.org_id = a.org_id AND e.address_id = a.id AND e.deleted_at IS NULL"),
        )
        .and_where(Expr::cust(
            "a.org_id = f.org_id AND a.customer_id = f.customer_id AND a.deleted_at IS NULL",
        ))
        .and_where(pred);
    Expr::exists(q)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hearth_domain::segments::filter::FilterInput;
    use sea_query::{PostgresQueryBuilder, SqliteQueryBuilder};
    use serde_json::json;

    fn sql(filter: serde_json::Value) -> (String, Vec<Value>, String) {
        let input: FilterInput = serde_json::from_value(filter).unwrap();
        let f = input.validate("filter").unwrap();
        let now = DateTime::from_timestamp(1_780_000_000, 0).unwrap();
        let mut q = Query::select();
        q.expr(Expr::cust("f.customer_id"))
            .from_as("customer_facts", "f")
            .cond_where(condition(&f, now).unwrap());
        let (lite, values) = q.build(SqliteQueryBuilder);
        let (pg, _) = q.build(PostgresQueryBuilder);
        (lite, values.0, pg)
    }

    #[test]
    fn values_are_parameters_never_sql() {
        let (lite, values, pg) = sql(json!({"conditions": [
            {"field": "last_name", "op": "eq", "value": "O'Brien'); DROP TABLE customers; --"},
            {"field": "city", "op": "starts_with", "value": "100%_"},
        ]}));
        assert!(!lite.contains("DROP") && !pg.contains("DROP"), "{lite}");
        assert!(!lite.contains("100"), "{lite}");
        assert!(pg.contains("$1") && pg.contains("$2"), "{pg}");
        assert_eq!(
            values,
            vec![
                Value::from("o'brien'); drop table customers; --"),
                Value::from("100\\%\\_%")
            ]
        );
    }

    #[test]
    fn any_joins_with_or_and_ages_become_cutoffs() {
        let (lite, values, _) = sql(json!({"match": "any", "conditions": [
            {"field": "days_since_last_booking", "op": "gte", "value": 45},
            {"field": "membership", "op": "eq", "value": "paused"},
        ]}));
        assert!(lite.contains("(f.last_booking_at) <= ?"), "{lite}");
        assert!(lite.contains(" OR "), "{lite}");
        let cutoff = DateTime::from_timestamp(1_780_000_000 - 45 * 86_400, 0).unwrap();
        assert_eq!(values[0], Value::from(cutoff));
        assert_eq!(values[1], Value::from("paused"));
    }

    #[test]
    fn records_are_probed_by_customer_and_tags_by_key() {
        let (lite, values, _) = sql(json!({"conditions": [
            {"field": "tag", "op": "has_not", "value": "Supplier"},
            {"field": "equipment_age_years", "op": "gte", "value": 10},
            {"field": "lead_source", "op": "in", "value": ["referral"]},
        ]}));
        assert!(lite.contains("NOT EXISTS"), "{lite}");
        assert!(lite.contains("e.address_id = a.id"), "{lite}");
        assert!(lite.contains("l.customer_id = f.customer_id"), "{lite}");
        assert_eq!(values[0], Value::from("supplier"));
        assert_eq!(
            values[1],
            Value::from(NaiveDate::from_ymd_opt(2016, 5, 28).unwrap())
        );
    }

    #[test]
    fn huge_numbers_clamp_instead_of_overflowing() {
        let (_, values, _) = sql(json!({"conditions": [
            {"field": "days_since_last_booking", "op": "gte", "value": 1_000_000_000_000i64},
            {"field": "equipment_age_years", "op": "lte", "value": 1_000_000_000_000i64},
            {"field": "warranty_expires_in_days", "op": "lte", "value": 1_000_000_000_000i64},
        ]}));
        assert_eq!(values[0], Value::from(first_instant()));
        assert_eq!(values[1], Value::from(FIRST_DATE));
        assert_eq!(values[3], Value::from(LAST_DATE));
    }
}
