//! The vocabulary of lists, shared by storage (which turns it into SQL) and the pages and API
//! (which read it from a request): what a list selects, how it is ordered, where a page ends.
//! Keyset paging ("after this sort value and id") keeps a page deep in a million rows as fast
//! as the first.

mod kinds;

pub use kinds::*;

use crate::UserId;

/// Whose records a user may see, applied in SQL to every list. A filter without one sees all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visibility {
    /// Records owned by (or assigned to) these users.
    pub owners: Vec<UserId>,
    /// Also the companies shared with this user (companies only).
    pub shared_with: Option<UserId>,
}

/// One page of a list, and where the next one starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<Cursor>,
}

/// The position after the last row of a page: its sort value and id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub value: SortValue,
    pub id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SortValue {
    Text(String),
    Int(i64),
    Time(crate::Timestamp),
}

impl Cursor {
    /// An opaque, URL-safe token: `t<id>:<hex text>`, `i<id>:<number>` or `d<id>:<microseconds>`.
    pub fn encode(&self) -> String {
        match &self.value {
            SortValue::Text(text) => format!("t{}:{}", self.id, hex_encode(text.as_bytes())),
            SortValue::Int(n) => format!("i{}:{n}", self.id),
            SortValue::Time(t) => format!("d{}:{}", self.id, t.timestamp_micros()),
        }
    }

    pub fn decode(token: &str) -> Option<Cursor> {
        let (head, rest) = token.split_once(':')?;
        let id = head.get(1..)?.parse().ok()?;
        let value = match head.chars().next()? {
            't' => SortValue::Text(String::from_utf8(hex_decode(rest)?).ok()?),
            'i' => SortValue::Int(rest.parse().ok()?),
            'd' => SortValue::Time(chrono::DateTime::from_timestamp_micros(rest.parse().ok()?)?),
            _ => return None,
        };
        Some(Cursor { value, id })
    }
}

fn hex_encode(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hex_decode(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

/// A user's named query string for a list ("My open deals"), private or shared with one of
/// the user's groups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedView {
    pub id: i64,
    pub list: String,
    pub name: String,
    /// The list's URL query string, e.g. `status=open&owner=me&sort=-amount`.
    pub query: String,
    /// Who saved it: only they may remove it.
    pub user_id: i64,
    /// The group it is shared with; `None`: private.
    pub group_id: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        for cursor in [
            Cursor { value: SortValue::Text("ООО «Ромашка»: 1".into()), id: 42 },
            Cursor { value: SortValue::Int(-5), id: 7 },
            Cursor { value: SortValue::Time(crate::now()), id: 9 },
        ] {
            assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor));
        }
        assert_eq!(Cursor::decode("garbage"), None);
        assert_eq!(Cursor::decode("t1:zz"), None);
    }
}
