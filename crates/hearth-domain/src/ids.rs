//! Typed identifiers. A store function that needs an `OrgId` cannot be called
//! with a customer's id by mistake, which is how tenant scoping stays enforced.

use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

macro_rules! id_type {
    ($($name:ident),* $(,)?) => {$(
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(transparent)]
        #[schema(value_type = String, format = Uuid)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new time-ordered (v7) id, so inserts append to the index.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl From<Uuid> for $name {
            fn from(value: Uuid) -> Self {
                Self(value)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    )*};
}

id_type!(
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
    LeadFormId,
);
id_type!(ContactId, AddressId, EquipmentId);
id_type!(CommunicationId, EngagementId, TaskId, AttachmentId);
id_type!(
    QuoteId,
    InvoiceId,
    PaymentId,
    CheckoutId,
    PlanId,
    MembershipId,
    LoyaltyEntryId,
    TicketId,
    TicketMessageId,
);
id_type!(JobId, JobNoteId, JobPhotoId, StatusChangeId);
id_type!(MergeId, ImportId);
id_type!(ReminderId);
id_type!(OutboxId, TemplateId, WebhookId);
id_type!(SegmentId);
