//! Closed sets of words: enums stored as text and sent as JSON strings.

/// A closed set of words stored as text and sent as JSON strings; each
/// `$text` must be its variant's name in snake_case. The JSON names come
/// from `rename_all`, not from a `rename = $text` per variant: utoipa does
/// not read a literal passed through a macro, and the OpenAPI document
/// then listed the variants' Rust names ("PartiallyPaid") while the API
/// sent "partially_paid" (a unit test checks that the words agree).
macro_rules! word_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vm])* $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            pub fn parse(s: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }

            /// "a, b or c", for error messages.
            pub fn choices() -> String {
                let words: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                match words.split_last() {
                    Some((last, [])) => last.to_string(),
                    Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
                    None => String::new(),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use word_enum;

#[cfg(test)]
mod tests {
    use crate::billing::{invoices, loyalty, memberships, payments, quotes};
    use crate::{comms, support};
    use serde::Serialize;
    use utoipa::PartialSchema;

    /// The word stored, the word sent as JSON and the words the OpenAPI
    /// document lists are one.
    fn agree<T: Copy + Serialize + PartialSchema>(all: &[T], text: fn(T) -> &'static str) {
        let words: Vec<&str> = all.iter().map(|v| text(*v)).collect();
        for v in all {
            assert_eq!(serde_json::to_value(v).unwrap(), text(*v));
        }
        let schema = serde_json::to_value(T::schema()).unwrap();
        assert_eq!(schema["enum"], serde_json::json!(words), "{schema}");
    }

    #[test]
    fn every_word_is_the_same_stored_sent_and_documented() {
        agree(invoices::InvoiceStatus::ALL, |v| v.as_str());
        agree(quotes::QuoteStatus::ALL, |v| v.as_str());
        agree(payments::PaymentMethod::ALL, |v| v.as_str());
        agree(memberships::PlanInterval::ALL, |v| v.as_str());
        agree(memberships::MembershipStatus::ALL, |v| v.as_str());
        agree(memberships::BillingStatus::ALL, |v| v.as_str());
        agree(memberships::MembershipAction::ALL, |v| v.as_str());
        agree(loyalty::LoyaltyKind::ALL, |v| v.as_str());
        agree(support::TicketStatus::ALL, |v| v.as_str());
        agree(support::TicketChannel::ALL, |v| v.as_str());
        agree(support::TicketPriority::ALL, |v| v.as_str());
        agree(support::MessageAuthor::ALL, |v| v.as_str());
        agree(comms::Channel::ALL, |v| v.as_str());
        agree(comms::Direction::ALL, |v| v.as_str());
        agree(comms::CommStatus::ALL, |v| v.as_str());
    }
}
