//! Formula ("CSV") injection: text a user typed into the CRM must never run as a formula in the
//! spreadsheet of the colleague who exports it (`=HYPERLINK(...)` leaking data, DDE `=cmd|...`).
//!
//! What we do, following OWASP's CSV Injection page and ASVS 5.0 requirement 1.2.10 ("when
//! exporting to CSV or other spreadsheet formats (such as XLS, XLSX, or ODF)", values starting
//! with `=`, `+`, `-`, `@`, tab or NUL "must be escaped with a single quote"; OWASP adds carriage
//! return): a text value that starts with one of [`FORMULA_TRIGGERS`] gets a leading `'`.
//!
//! - **CSV**: the `'` is what stops Excel and LibreOffice from evaluating the field; RFC 4180
//!   quoting (done by the `csv` crate) keeps a delimiter or newline inside a value from starting
//!   a new field that could itself begin with `=`.
//! - **XLSX**: the cell is written as a string, which Excel never evaluates, so the `'` is not
//!   needed for the XLSX itself. We add it anyway, as ASVS asks, because users re-save
//!   workbooks as CSV and open them again, and the string type does not survive that. The cost:
//!   such values show the `'` in the cell (phone numbers like `'+7 916 …`, negative-looking
//!   text like `'-`), which is the accepted practice.
//!
//! Only text is neutralised: numbers, money and dates are written from typed values and cannot
//! carry a formula.

use std::borrow::Cow;

/// The first characters that make a spreadsheet treat a value as a formula (or strip them and
/// then do so, for tab and carriage return). The full-width forms (`＝＋－＠`, U+FF1D, U+FF0B,
/// U+FF0D, U+FF20) are there because spreadsheets with East Asian input settings read them as
/// their ASCII twins.
pub const FORMULA_TRIGGERS: [char; 11] =
    ['=', '+', '-', '@', '\t', '\r', '\0', '\u{FF1D}', '\u{FF0B}', '\u{FF0D}', '\u{FF20}'];

/// Whether `text` would need the neutralising `'`.
pub fn needs_neutralising(text: &str) -> bool {
    text.starts_with(FORMULA_TRIGGERS)
}

/// `text`, with a leading `'` if it starts with a formula trigger; borrowed when unchanged.
pub fn neutralise(text: &str) -> Cow<'_, str> {
    if needs_neutralising(text) { Cow::Owned(format!("'{text}")) } else { Cow::Borrowed(text) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_triggers_only() {
        for text in
            ["=1+1", "+7 916 123-45-67", "-5", "@SUM(A1)", "\tx", "\r=1", "\0", "＝1+1", "＋1", "－1", "＠A"]
        {
            assert_eq!(neutralise(text), format!("'{text}"), "{text:?}");
        }
        for text in ["", "Ромашка", " =1+1", "1+1", "'=1", "a=b", "\n=1"] {
            assert!(matches!(neutralise(text), Cow::Borrowed(t) if t == text), "{text:?}");
        }
    }
}
