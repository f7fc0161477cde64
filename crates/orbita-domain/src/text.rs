//! Small helpers for free-text fields and for enums stored as text.

use crate::FieldError;

/// Trims a free-text field; an empty one is absent.
pub fn optional(raw: &str) -> Option<String> {
    let trimmed = raw.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

/// A required free-text field of at most `max` characters.
pub fn required(raw: &str, field: &str, max: usize) -> Result<String, FieldError> {
    let value = optional(raw).ok_or_else(|| FieldError::new(field, "required", "Fill in this field"))?;
    limit(value, field, max)
}

/// An optional free-text field of at most `max` characters.
pub fn optional_limited(raw: &str, field: &str, max: usize) -> Result<Option<String>, FieldError> {
    optional(raw).map(|v| limit(v, field, max)).transpose()
}

fn limit(value: String, field: &str, max: usize) -> Result<String, FieldError> {
    if value.chars().count() > max {
        Err(FieldError::new(field, "too-long", format!("At most {max} characters")))
    } else {
        Ok(value)
    }
}

/// Splits a list typed into one box (phones, e-mails) on commas, semicolons and new lines.
/// At most `max` characters of `text`, cut on a character boundary: a value made from others
/// (a rule's task title, a notification's subject) is shortened, never refused.
pub fn cut(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

pub fn split_list(raw: &str) -> impl Iterator<Item = &str> {
    raw.split([',', ';', '\n']).map(str::trim).filter(|s| !s.is_empty())
}

/// Declares an enum stored as a lower-case word in the database and the API.
#[macro_export]
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
