use crate::{Conn, Raw, Result, Row, StoreError};
use chrono::{DateTime, Utc};
use hearth_domain::{Invalid, OrgId};

#[derive(Clone, Debug)]
pub struct Org {
    pub id: OrgId,
    pub slug: String,
    pub name: String,
    /// ISO 3166 region in which phone numbers without a country code are read.
    pub default_region: String,
    pub created_at: DateTime<Utc>,
}

fn org(r: &Row) -> Result<Org> {
    Ok(Org {
        id: r.get(0)?,
        slug: r.get(1)?,
        name: r.get(2)?,
        default_region: r.get(3)?,
        created_at: r.get(4)?,
    })
}

/// Microsecond precision, which both engines store exactly.
pub fn now() -> DateTime<Utc> {
    let t = Utc::now();
    DateTime::from_timestamp_micros(t.timestamp_micros()).unwrap_or(t)
}

pub async fn create(c: &mut Conn, slug: &str, name: &str, default_region: &str) -> Result<Org> {
    let mut errors = Invalid::default();
    if let Err(why) = hearth_domain::auth::validate_slug(slug) {
        errors.push("slug", why);
    }
    if name.trim().is_empty() {
        errors.push("name", "is empty");
    }
    if !hearth_domain::contact::is_known_region(default_region) {
        errors.push(
            "default_region",
            "is not an ISO 3166 region code such as US or GB",
        );
    }
    errors.or_ok(())?;
    let now = now();
    let id = OrgId::new();
    c.execute(&Raw(
        "INSERT INTO orgs (id, slug, name, default_region, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)",
        vec![id.0.into(), slug.into(), name.trim().into(), default_region.into(), now.into()],
    ))
    .await
    .map_err(|e| match e {
        StoreError::Duplicate { .. } => Invalid::field("slug", "is taken by another organisation").into(),
        e => e,
    })?;
    get(c, id).await
}

pub async fn get(c: &mut Conn, id: OrgId) -> Result<Org> {
    let sql = "SELECT id, slug, name, default_region, created_at FROM orgs WHERE id = $1";
    c.query_one(&Raw(sql, vec![id.0.into()]), org).await
}

pub async fn by_slug(c: &mut Conn, slug: &str) -> Result<Option<Org>> {
    let sql = "SELECT id, slug, name, default_region, created_at FROM orgs WHERE slug = $1";
    c.query_opt(&Raw(sql, vec![slug.into()]), org).await
}
