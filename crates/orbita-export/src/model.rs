//! What an export is made of: the output format, the columns, and the typed cells of a row.

use chrono::{NaiveDate, NaiveDateTime};
use orbita_domain::validation::Money;
use rust_decimal::Decimal;

/// The file format the user picked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Xlsx,
    Csv,
}

impl Format {
    pub const ALL: [Format; 2] = [Format::Xlsx, Format::Csv];

    /// `xlsx` or `csv`, in any case and with or without the dot, as it comes from a URL such as
    /// `/companies/export.xlsx`.
    pub fn from_extension(extension: &str) -> Option<Format> {
        let extension = extension.strip_prefix('.').unwrap_or(extension);
        Format::ALL.into_iter().find(|format| format.extension().eq_ignore_ascii_case(extension))
    }

    /// The `Content-Type` of the download.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Csv => "text/csv; charset=utf-8",
        }
    }

    /// The file name extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
        }
    }
}

/// What a column holds; decides the default width and which cells it accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ColumnKind {
    Text,
    Integer,
    Money,
    Percent,
    Date,
    DateTime,
}

impl ColumnKind {
    /// Width in characters when the column gives none: wide enough for a typical value of the
    /// kind (a company name, `1 500 000,00 ₽`, `31.12.2025 23:59`) without the user resizing.
    pub fn default_width(self) -> f64 {
        match self {
            ColumnKind::Text => 30.0,
            ColumnKind::Money => 16.0,
            ColumnKind::Date => 12.0,
            ColumnKind::DateTime => 17.0,
            ColumnKind::Integer | ColumnKind::Percent => 10.0,
        }
    }
}

/// One column of the export.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Already in the user's language.
    pub header: String,
    pub kind: ColumnKind,
    /// In characters; `None` takes [`ColumnKind::default_width`]. Only XLSX has widths.
    pub width: Option<f64>,
}

impl Column {
    pub fn new(header: impl Into<String>, kind: ColumnKind) -> Column {
        Column { header: header.into(), kind, width: None }
    }

    pub fn with_width(mut self, width: f64) -> Column {
        self.width = Some(width);
        self
    }

    /// The width to use: the given one if it is a usable number, clamped to Excel's 0–255.
    pub fn effective_width(&self) -> f64 {
        match self.width {
            Some(width) if width.is_finite() => width.clamp(0.0, 255.0),
            _ => self.kind.default_width(),
        }
    }
}

/// One typed value. A row is a slice of these, one per column.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Allowed in a column of any kind.
    Empty,
    Text(String),
    Integer(i64),
    Money(Money),
    /// A fraction: `0.4235` is 42.35 %.
    Percent(Decimal),
    Date(NaiveDate),
    /// Already in the organisation's time zone: spreadsheets have no time zones.
    DateTime(NaiveDateTime),
}

impl Cell {
    /// The column kind this cell belongs in; `None` for [`Cell::Empty`], which fits anywhere.
    pub fn kind(&self) -> Option<ColumnKind> {
        match self {
            Cell::Empty => None,
            Cell::Text(_) => Some(ColumnKind::Text),
            Cell::Integer(_) => Some(ColumnKind::Integer),
            Cell::Money(_) => Some(ColumnKind::Money),
            Cell::Percent(_) => Some(ColumnKind::Percent),
            Cell::Date(_) => Some(ColumnKind::Date),
            Cell::DateTime(_) => Some(ColumnKind::DateTime),
        }
    }
}

impl From<&str> for Cell {
    fn from(text: &str) -> Cell {
        Cell::Text(text.to_owned())
    }
}

impl From<String> for Cell {
    fn from(text: String) -> Cell {
        Cell::Text(text)
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(value: Option<T>) -> Cell {
        value.map_or(Cell::Empty, Into::into)
    }
}

impl From<i64> for Cell {
    fn from(value: i64) -> Cell {
        Cell::Integer(value)
    }
}

impl From<Money> for Cell {
    fn from(value: Money) -> Cell {
        Cell::Money(value)
    }
}

impl From<NaiveDate> for Cell {
    fn from(value: NaiveDate) -> Cell {
        Cell::Date(value)
    }
}

impl From<NaiveDateTime> for Cell {
    fn from(value: NaiveDateTime) -> Cell {
        Cell::DateTime(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_extension() {
        assert_eq!(Format::from_extension("xlsx"), Some(Format::Xlsx));
        assert_eq!(Format::from_extension(".CSV"), Some(Format::Csv));
        assert_eq!(Format::from_extension("xls"), None);
        assert_eq!(Format::from_extension(""), None);
        for format in Format::ALL {
            assert_eq!(Format::from_extension(format.extension()), Some(format));
        }
        assert_eq!(Format::Csv.content_type(), "text/csv; charset=utf-8");
    }

    #[test]
    fn widths() {
        assert_eq!(Column::new("A", ColumnKind::Money).effective_width(), 16.0);
        assert_eq!(Column::new("A", ColumnKind::Text).with_width(8.5).effective_width(), 8.5);
        assert_eq!(Column::new("A", ColumnKind::Date).with_width(f64::NAN).effective_width(), 12.0);
        assert_eq!(Column::new("A", ColumnKind::Text).with_width(1e9).effective_width(), 255.0);
        assert_eq!(Column::new("A", ColumnKind::Text).with_width(-3.0).effective_width(), 0.0);
    }

    #[test]
    fn option_becomes_empty() {
        assert_eq!(Cell::from(None::<i64>), Cell::Empty);
        assert_eq!(Cell::from(Some("x")), Cell::Text("x".into()));
    }
}
