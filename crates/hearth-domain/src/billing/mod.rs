//! Billing (seed 000 "Invoices and payments", "Membership"; seed 001
//! "Spending history"; seed 002 "loyalty"): money, quotes, invoices,
//! payments, memberships, the loyalty ledger and spending insights. All of
//! it is integer arithmetic on minor units; nothing here ever holds a float.

/// A closed set of words stored as text and sent as JSON strings.
macro_rules! word_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        pub enum $name {
            $($(#[$vm])* #[serde(rename = $text)] $variant),+
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

pub mod invoices;
pub mod lines;
pub mod loyalty;
pub mod memberships;
pub mod money;
pub mod payments;
pub mod quotes;
pub mod settings;
pub mod spending;

#[cfg(test)]
mod properties;
