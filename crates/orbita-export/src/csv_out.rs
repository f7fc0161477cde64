//! CSV output, streamed through the `csv` crate's buffer into any `Write`.
//!
//! Shaped for the spreadsheet the user will double-click it into:
//!
//! - UTF-8 with a byte-order mark: without it Excel reads the file as the ANSI code page and
//!   Cyrillic turns into mojibake.
//! - Delimiter and decimal mark per locale: Russian Excel splits on `;` and reads `1500,50` as
//!   a number (its list separator is `;` because `,` is the decimal mark); English uses `,`
//!   and `.`.
//! - RFC 4180: quotes only where needed (delimiter, quote, CR or LF inside), CRLF line ends.
//! - Money as a plain number with the locale's decimal mark and no grouping or currency
//!   (`1500000,00`), so it stays a number; percentages as `42,35%`, which Excel reads back as a
//!   percent-formatted number.
//! - Dates as ISO `2025-12-31` and date-times as `2025-12-31 23:59:05` in both locales:
//!   unambiguous (`01.02.2025` is 1 February or January 2 depending on who opens it), and Excel
//!   and LibreOffice recognise them as dates in any locale. The `T` of RFC 3339 is left out
//!   because Excel does not recognise it; fractions of a second are dropped.

use std::fmt::Write as _;
use std::io::Write;

use chrono::Timelike;
use orbita_domain::org::Locale;

use crate::error::ExportError;
use crate::model::{Cell, Column};
use crate::neutralise::needs_neutralising;
use crate::number::{push_decimal, push_percent};

const BOM: &[u8] = b"\xEF\xBB\xBF";

pub(crate) struct CsvOut<W: Write> {
    writer: csv::Writer<W>,
    decimal_mark: char,
    /// One field's text, reused so that a row costs no allocation.
    field: String,
}

impl<W: Write> CsvOut<W> {
    pub(crate) fn new(columns: &[Column], locale: Locale, mut out: W) -> Result<Self, ExportError> {
        out.write_all(BOM)?;
        let (delimiter, decimal_mark) = match locale {
            Locale::Ru => (b';', ','),
            Locale::En => (b',', '.'),
        };
        let writer = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .terminator(csv::Terminator::CRLF)
            .quote_style(csv::QuoteStyle::Necessary)
            .from_writer(out);
        let mut csv = CsvOut { writer, decimal_mark, field: String::new() };
        // Headers can one day come from user-named custom fields: neutralised like any text.
        for column in columns {
            csv.write_text(&column.header)?;
        }
        csv.end_record()?;
        Ok(csv)
    }

    pub(crate) fn write_row(&mut self, row: &[Cell]) -> Result<(), ExportError> {
        // Writing to a `String` cannot fail: the `fmt::Result`s below are ignored.
        for cell in row {
            self.field.clear();
            match cell {
                Cell::Empty => {}
                Cell::Text(text) => {
                    self.write_text(text)?;
                    continue;
                }
                Cell::Integer(n) => _ = write!(self.field, "{n}"),
                Cell::Money(money) => push_decimal(&mut self.field, money.amount, 2, self.decimal_mark),
                Cell::Percent(fraction) => push_percent(&mut self.field, *fraction, self.decimal_mark),
                Cell::Date(date) => _ = write!(self.field, "{date}"),
                Cell::DateTime(at) => {
                    let (date, h, m, s) = (at.date(), at.hour(), at.minute(), at.second());
                    _ = write!(self.field, "{date} {h:02}:{m:02}:{s:02}");
                }
            }
            if matches!(cell, Cell::Date(_) | Cell::DateTime(_)) && needs_neutralising(&self.field) {
                // Years beyond 9999 or before 1 print as `+10000-01-01`, which Excel computes.
                self.field.insert(0, '\'');
            }
            self.writer.write_field(&self.field)?;
        }
        self.end_record()
    }

    /// Flushes everything and hands the output back, itself flushed.
    pub(crate) fn finish(self) -> Result<W, ExportError> {
        let mut out = self.writer.into_inner().map_err(|error| ExportError::Io(error.into_error()))?;
        out.flush()?;
        Ok(out)
    }

    fn write_text(&mut self, text: &str) -> Result<(), ExportError> {
        if needs_neutralising(text) {
            self.field.clear();
            self.field.push('\'');
            self.field.push_str(text);
            self.writer.write_field(&self.field)?;
        } else {
            self.writer.write_field(text)?;
        }
        Ok(())
    }

    fn end_record(&mut self) -> Result<(), ExportError> {
        // An empty record ends the fields written one by one above.
        self.writer.write_record(None::<&[u8]>)?;
        Ok(())
    }
}
