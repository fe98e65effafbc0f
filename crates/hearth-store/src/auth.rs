//! Logins, sessions and API keys. Secrets are stored only as SHA-256
//! digests of 256-bit random values; a database leak reveals no usable token.

use crate::orgs::now;
use crate::{Conn, Raw, Result, Row, StoreError};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use hearth_domain::auth::Role;
use hearth_domain::history::{Actor, ActorKind};
use hearth_domain::{ApiKeyId, Invalid, OrgId, SessionId, UserId};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A session ends after this long without a request…
pub const SESSION_IDLE: Duration = Duration::hours(12);
/// …and in any case this long after login.
pub const SESSION_ABSOLUTE: Duration = Duration::days(7);
/// Last-seen is written at most this often, so reads stay reads.
const TOUCH_EVERY: Duration = Duration::seconds(60);

/// A fresh 256-bit secret, URL-safe.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn digest(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// The authenticated party behind a request.
#[derive(Clone, Debug)]
pub struct Principal {
    pub org_id: OrgId,
    pub org_slug: String,
    pub org_name: String,
    pub region: String,
    pub role: Role,
    pub actor: Actor,
    pub session_id: Option<SessionId>,
}

fn role(r: &Row, idx: usize) -> Result<Role> {
    r.get::<String>(idx)?
        .parse()
        .map_err(|e: String| StoreError::decode(idx, e))
}

#[derive(Clone, Debug)]
pub struct User {
    pub id: UserId,
    pub org_id: OrgId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub disabled: bool,
}

fn user(r: &Row) -> Result<User> {
    Ok(User {
        id: r.get(0)?,
        org_id: r.get(1)?,
        email: r.get(2)?,
        name: r.get(3)?,
        role: role(r, 4)?,
        disabled: r.get::<Option<DateTime<Utc>>>(5)?.is_some(),
    })
}

pub async fn create_user(
    c: &mut Conn,
    org: OrgId,
    email: &str,
    name: &str,
    role: Role,
    password_hash: &str,
) -> Result<User> {
    let email = hearth_domain::contact::Email::parse(email)
        .map_err(|why| Invalid::field("email", why))?
        .into_string();
    let now = now();
    let id = UserId::new();
    c.execute(&Raw(
        "INSERT INTO users (id, org_id, email, name, role, password_hash, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        vec![
            id.0.into(),
            org.0.into(),
            email.clone().into(),
            name.into(),
            role.as_str().into(),
            password_hash.into(),
            now.into(),
        ],
    ))
    .await
    .map_err(|e| match e {
        StoreError::Duplicate { .. } => Invalid::field("email", "already has a login").into(),
        e => e,
    })?;
    Ok(User {
        id,
        org_id: org,
        email,
        name: name.to_string(),
        role,
        disabled: false,
    })
}

/// The user and password hash for a login attempt.
pub async fn user_for_login(c: &mut Conn, email: &str) -> Result<Option<(User, String)>> {
    let sql = "SELECT id, org_id, email, name, role, disabled_at, password_hash FROM users WHERE email = $1";
    c.query_opt(&Raw(sql, vec![email.trim().to_lowercase().into()]), |r| {
        Ok((user(r)?, r.get(6)?))
    })
    .await
}

pub async fn set_password(
    c: &mut Conn,
    org: OrgId,
    user: UserId,
    password_hash: &str,
) -> Result<()> {
    let sql = "UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3 AND org_id = $4";
    let n = c
        .execute(&Raw(
            sql,
            vec![
                password_hash.into(),
                now().into(),
                user.0.into(),
                org.0.into(),
            ],
        ))
        .await?;
    if n == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

/// Disabling a user ends every session they have at once.
pub async fn disable_user(c: &mut Conn, org: OrgId, user: UserId) -> Result<()> {
    let sql = "UPDATE users SET disabled_at = $1, updated_at = $1 WHERE id = $2 AND org_id = $3";
    if c.execute(&Raw(sql, vec![now().into(), user.0.into(), org.0.into()]))
        .await?
        == 0
    {
        return Err(StoreError::NotFound);
    }
    c.execute(&Raw(
        "DELETE FROM sessions WHERE user_id = $1",
        vec![user.0.into()],
    ))
    .await?;
    Ok(())
}

/// Starts a session; returns the token for the cookie (never stored).
pub async fn create_session(c: &mut Conn, user: &User) -> Result<String> {
    let token = new_token();
    let now = now();
    c.execute(&Raw(
        "INSERT INTO sessions (id, token_hash, org_id, user_id, created_at, last_seen_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $5, $6)",
        vec![
            SessionId::new().0.into(),
            digest(&token).into(),
            user.org_id.0.into(),
            user.id.0.into(),
            now.into(),
            (now + SESSION_ABSOLUTE).into(),
        ],
    ))
    .await?;
    Ok(token)
}

/// A credential that was found valid, and whether its last-use stamp is old
/// enough to need a write ([`touch`]). Looking up stays a pure read, so it
/// never queues behind SQLite's single writer.
pub struct Found {
    pub principal: Principal,
    pub touch: Option<Touch>,
}

/// A credential whose last use is to be stamped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Touch {
    Session(SessionId),
    ApiKey(ApiKeyId),
}

/// The principal behind a session cookie, if the session is alive. Expired
/// sessions are simply not found; housekeeping deletes them.
pub async fn session_principal(c: &mut Conn, token: &str) -> Result<Option<Found>> {
    let sql = "SELECT s.id, s.last_seen_at, s.expires_at, u.id, u.name, u.role, o.id, o.slug, o.name, o.default_region \
               FROM sessions s JOIN users u ON u.id = s.user_id JOIN orgs o ON o.id = s.org_id \
               WHERE s.token_hash = $1 AND u.disabled_at IS NULL";
    let found = c
        .query_opt(&Raw(sql, vec![digest(token).into()]), |r| {
            Ok((
                r.get::<SessionId>(0)?,
                r.get::<DateTime<Utc>>(1)?,
                r.get::<DateTime<Utc>>(2)?,
                Principal {
                    actor: Actor {
                        kind: ActorKind::User,
                        id: Some(r.get::<UserId>(3)?.0),
                        name: r.get(4)?,
                    },
                    role: role(r, 5)?,
                    org_id: r.get(6)?,
                    org_slug: r.get(7)?,
                    org_name: r.get(8)?,
                    region: r.get(9)?,
                    session_id: None,
                },
            ))
        })
        .await?;
    let Some((id, last_seen, expires, mut principal)) = found else {
        return Ok(None);
    };
    let now = now();
    if now > expires || now - last_seen > SESSION_IDLE {
        return Ok(None);
    }
    principal.session_id = Some(id);
    let touch = (now - last_seen > TOUCH_EVERY).then_some(Touch::Session(id));
    Ok(Some(Found { principal, touch }))
}

/// Records that a credential was just used.
pub async fn touch(c: &mut Conn, what: Touch) -> Result<()> {
    let now = now();
    let stmt = match what {
        Touch::Session(id) => Raw(
            "UPDATE sessions SET last_seen_at = $1 WHERE id = $2",
            vec![now.into(), id.0.into()],
        ),
        Touch::ApiKey(id) => Raw(
            "UPDATE api_keys SET last_used_at = $1 WHERE id = $2",
            vec![now.into(), id.0.into()],
        ),
    };
    c.execute(&stmt).await?;
    Ok(())
}

pub async fn end_session(c: &mut Conn, token: &str) -> Result<()> {
    c.execute(&Raw(
        "DELETE FROM sessions WHERE token_hash = $1",
        vec![digest(token).into()],
    ))
    .await?;
    Ok(())
}

/// Removes sessions and login failures nobody can use any more.
pub async fn purge_expired(c: &mut Conn) -> Result<u64> {
    let now = now();
    let sessions = c
        .execute(&Raw(
            "DELETE FROM sessions WHERE expires_at < $1 OR last_seen_at < $2",
            vec![now.into(), (now - SESSION_IDLE).into()],
        ))
        .await?;
    let failures = c
        .execute(&Raw(
            "DELETE FROM login_failures WHERE at < $1",
            vec![(now - LOGIN_WINDOW).into()],
        ))
        .await?;
    Ok(sessions + failures)
}

/// Failed logins are counted over this window…
pub const LOGIN_WINDOW: Duration = Duration::minutes(15);
/// …and refused past these counts, per account and per client address.
pub const LOGIN_MAX_PER_EMAIL: i64 = 5;
pub const LOGIN_MAX_PER_IP: i64 = 30;

/// Whether another login attempt may be tried now. Kept in the database so
/// the limit holds across instances.
pub async fn login_allowed(c: &mut Conn, email: &str, ip: &str) -> Result<bool> {
    let since = now() - LOGIN_WINDOW;
    let sql = "SELECT (SELECT COUNT(*) FROM login_failures WHERE email = $1 AND at > $3), \
                      (SELECT COUNT(*) FROM login_failures WHERE ip = $2 AND at > $3)";
    let (by_email, by_ip) = c
        .query_one(
            &Raw(
                sql,
                vec![email.trim().to_lowercase().into(), ip.into(), since.into()],
            ),
            |r| Ok((r.get::<i64>(0)?, r.get::<i64>(1)?)),
        )
        .await?;
    Ok(by_email < LOGIN_MAX_PER_EMAIL && by_ip < LOGIN_MAX_PER_IP)
}

pub async fn record_login_failure(c: &mut Conn, email: &str, ip: &str) -> Result<()> {
    c.execute(&Raw(
        "INSERT INTO login_failures (id, email, ip, at) VALUES ($1, $2, $3, $4)",
        vec![
            uuid::Uuid::now_v7().into(),
            email.trim().to_lowercase().into(),
            ip.into(),
            now().into(),
        ],
    ))
    .await?;
    Ok(())
}

#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ApiKey {
    pub id: ApiKeyId,
    pub name: String,
    /// The first characters of the key, to tell keys apart.
    pub prefix: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// Creates an API key; the returned secret is shown once and never stored.
pub async fn create_api_key(
    c: &mut Conn,
    org: OrgId,
    name: &str,
    role: Role,
) -> Result<(ApiKey, String)> {
    if name.trim().is_empty() || name.len() > 100 {
        return Err(Invalid::field("name", "must be 1–100 characters").into());
    }
    let secret = format!("hk_{}", new_token());
    let prefix: String = secret.chars().take(10).collect();
    let now = now();
    let id = ApiKeyId::new();
    c.execute(&Raw(
        "INSERT INTO api_keys (id, org_id, name, prefix, key_hash, role, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        vec![
            id.0.into(),
            org.0.into(),
            name.trim().into(),
            prefix.clone().into(),
            digest(&secret).into(),
            role.as_str().into(),
            now.into(),
        ],
    ))
    .await?;
    Ok((
        ApiKey {
            id,
            name: name.trim().to_string(),
            prefix,
            role,
            created_at: now,
            last_used_at: None,
        },
        secret,
    ))
}

pub async fn api_key_principal(c: &mut Conn, secret: &str) -> Result<Option<Found>> {
    let sql = "SELECT k.id, k.name, k.role, k.last_used_at, o.id, o.slug, o.name, o.default_region \
               FROM api_keys k JOIN orgs o ON o.id = k.org_id WHERE k.key_hash = $1 AND k.revoked_at IS NULL";
    let found = c
        .query_opt(&Raw(sql, vec![digest(secret).into()]), |r| {
            Ok((
                r.get::<ApiKeyId>(0)?,
                r.get::<Option<DateTime<Utc>>>(3)?,
                Principal {
                    actor: Actor {
                        kind: ActorKind::ApiKey,
                        id: Some(r.get::<ApiKeyId>(0)?.0),
                        name: r.get(1)?,
                    },
                    role: role(r, 2)?,
                    org_id: r.get(4)?,
                    org_slug: r.get(5)?,
                    org_name: r.get(6)?,
                    region: r.get(7)?,
                    session_id: None,
                },
            ))
        })
        .await?;
    let Some((id, last_used, principal)) = found else {
        return Ok(None);
    };
    let touch = last_used
        .is_none_or(|t| now() - t > TOUCH_EVERY)
        .then_some(Touch::ApiKey(id));
    Ok(Some(Found { principal, touch }))
}

pub async fn list_api_keys(c: &mut Conn, org: OrgId) -> Result<Vec<ApiKey>> {
    let sql = "SELECT id, name, prefix, role, created_at, last_used_at FROM api_keys \
               WHERE org_id = $1 AND revoked_at IS NULL ORDER BY created_at";
    c.query(&Raw(sql, vec![org.0.into()]), |r| {
        Ok(ApiKey {
            id: r.get(0)?,
            name: r.get(1)?,
            prefix: r.get(2)?,
            role: role(r, 3)?,
            created_at: r.get(4)?,
            last_used_at: r.get(5)?,
        })
    })
    .await
}

pub async fn revoke_api_key(c: &mut Conn, org: OrgId, id: ApiKeyId) -> Result<()> {
    let sql =
        "UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND org_id = $3 AND revoked_at IS NULL";
    if c.execute(&Raw(sql, vec![now().into(), id.0.into(), org.0.into()]))
        .await?
        == 0
    {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}
