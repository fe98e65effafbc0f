//! Reading a column the same way from either engine, so each record has one
//! row-mapping function.

use crate::StoreError;
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::types::ValueRef;
use uuid::Uuid;

pub enum Row<'a> {
    Sqlite(&'a rusqlite::Row<'a>),
    Postgres(&'a tokio_postgres::Row),
}

impl Row<'_> {
    pub fn get<T: Col>(&self, idx: usize) -> Result<T, StoreError> {
        match self {
            Row::Sqlite(r) => T::sqlite(r.get_ref(idx)?).map_err(|e| StoreError::decode(idx, e)),
            Row::Postgres(r) => T::postgres(r, idx),
        }
    }
}

/// A Rust type a column can be read into on both engines.
pub trait Col: Sized {
    fn sqlite(v: ValueRef<'_>) -> Result<Self, String>;
    fn postgres(r: &tokio_postgres::Row, idx: usize) -> Result<Self, StoreError>;
}

fn pg<'a, T: tokio_postgres::types::FromSql<'a>>(
    r: &'a tokio_postgres::Row,
    idx: usize,
) -> Result<T, StoreError> {
    r.try_get(idx).map_err(|e| StoreError::decode(idx, e))
}

impl<T: Col> Col for Option<T> {
    fn sqlite(v: ValueRef<'_>) -> Result<Self, String> {
        match v {
            ValueRef::Null => Ok(None),
            v => T::sqlite(v).map(Some),
        }
    }
    fn postgres(r: &tokio_postgres::Row, idx: usize) -> Result<Self, StoreError> {
        let is_null = r
            .try_get::<_, Option<PgAny>>(idx)
            .map_err(|e| StoreError::decode(idx, e))?
            .is_none();
        if is_null {
            Ok(None)
        } else {
            T::postgres(r, idx).map(Some)
        }
    }
}

/// Accepts any PostgreSQL type; used only to ask whether a value is NULL.
struct PgAny;
impl<'a> tokio_postgres::types::FromSql<'a> for PgAny {
    fn from_sql(
        _: &tokio_postgres::types::Type,
        _: &'a [u8],
    ) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(PgAny)
    }
    fn accepts(_: &tokio_postgres::types::Type) -> bool {
        true
    }
}

impl Col for String {
    fn sqlite(v: ValueRef<'_>) -> Result<Self, String> {
        v.as_str().map(str::to_owned).map_err(|e| e.to_string())
    }
    fn postgres(r: &tokio_postgres::Row, idx: usize) -> Result<Self, StoreError> {
        pg(r, idx)
    }
}

impl Col for i64 {
    fn sqlite(v: ValueRef<'_>) -> Result<Self, String> {
        v.as_i64().map_err(|e| e.to_string())
    }
    fn postgres(r: &tokio_postgres::Row, idx: usize) -> Result<Self, StoreError> {
        pg(r, idx)
    }
}

impl Col for f64 {
    fn sqlite(v: ValueRef<'_>) -> Result<Self, String> {
        match v {
            ValueRef::Integer(n) => Ok(n as f64),
            v => v.as_f64().map_err(|e| e.to_string()),
        }
    }
    fn postgres(r: &tokio_postgres::Row, idx: usize) -> Result<Self, StoreError> {
        pg(r, idx)
    }
}

impl Col for bool {
    fn sqlite(v: ValueRef<'_>) -> Result<Self, String> {
        v.as_i64().map(|n| n != 0).map_err(|e| e.to_string())
    }
    fn postgres(r: &tokio_postgres::Row, idx: usize) -> Result<Self, StoreError> {
        pg(r, idx)
    }
}

impl Col for Uuid {
    fn sqlite(v: ValueRef<'_>) -> Result<Self, String> {
        let bytes = v.as_blob().map_err(|e| e.to_string())?;
        Uuid::from_slice(bytes).map_err(|e| e.to_string())
    }
    fn postgres(r: &tokio_postgres::Row, idx: usize) -> Result<Self, StoreError> {
        pg(r, idx)
    }
}

impl Col for DateTime<Utc> {
    fn sqlite(v: ValueRef<'_>) -> Result<Self, String> {
        let micros = v.as_i64().map_err(|e| e.to_string())?;
        DateTime::from_timestamp_micros(micros)
            .ok_or_else(|| format!("timestamp {micros} out of range"))
    }
    fn postgres(r: &tokio_postgres::Row, idx: usize) -> Result<Self, StoreError> {
        pg(r, idx)
    }
}

impl Col for NaiveDate {
    fn sqlite(v: ValueRef<'_>) -> Result<Self, String> {
        let text = v.as_str().map_err(|e| e.to_string())?;
        NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|e| e.to_string())
    }
    fn postgres(r: &tokio_postgres::Row, idx: usize) -> Result<Self, StoreError> {
        pg(r, idx)
    }
}

impl Col for serde_json::Value {
    fn sqlite(v: ValueRef<'_>) -> Result<Self, String> {
        let text = v.as_str().map_err(|e| e.to_string())?;
        serde_json::from_str(text).map_err(|e| e.to_string())
    }
    fn postgres(r: &tokio_postgres::Row, idx: usize) -> Result<Self, StoreError> {
        pg(r, idx)
    }
}

/// Typed ids read like the uuid they wrap.
macro_rules! id_col {
    ($($t:ty),*) => {$(
        impl Col for $t {
            fn sqlite(v: ValueRef<'_>) -> Result<Self, String> {
                Uuid::sqlite(v).map(Self)
            }
            fn postgres(r: &tokio_postgres::Row, idx: usize) -> Result<Self, StoreError> {
                Uuid::postgres(r, idx).map(Self)
            }
        }
    )*};
}
use hearth_domain::*;
id_col!(
    OrgId,
    UserId,
    ApiKeyId,
    SessionId,
    CustomerId,
    EventId,
    AuditId,
    NoteId,
    TagId,
    PipelineId,
    StageId,
    LeadId,
    LeadSignalId,
    LeadFormId
);
id_col!(ContactId, AddressId, EquipmentId);
id_col!(CommunicationId, EngagementId, TaskId, AttachmentId);
id_col!(
    QuoteId,
    InvoiceId,
    PaymentId,
    CheckoutId,
    PlanId,
    MembershipId,
    LoyaltyEntryId,
    TicketId,
    TicketMessageId
);
id_col!(JobId, JobNoteId, JobPhotoId, StatusChangeId);
id_col!(MergeId, ImportId);
id_col!(ReminderId);
id_col!(OutboxId, TemplateId, WebhookId);
id_col!(SegmentId);
