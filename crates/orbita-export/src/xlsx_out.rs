//! XLSX output through rust_xlsxwriter's constant-memory mode: each row goes to a temp file
//! when the next one starts, and `finish` zips the sheet into the output.
//!
//! Values keep their types, so the user can sum, sort and filter at once: integers, money and
//! percentages are numbers with number formats, dates are Excel dates. The header row is bold,
//! frozen, and carries an autofilter over all the rows.
//!
//! Text is a string cell, which Excel never evaluates. Text that starts like a formula also gets
//! Excel's "quote prefix" style, so it stays text when someone edits the cell, without the
//! literal `'` the CSV needs (the reader sees exactly what was typed in Orbita).

use std::io::{BufWriter, Write};
use std::path::Path;

use chrono::{Datelike, NaiveDate};
use orbita_domain::org::Locale;
use orbita_domain::validation::Currency;
use rust_xlsxwriter::{Format as CellFormat, IgnoreError, Workbook, Worksheet};

use crate::error::ExportError;
use crate::model::{Cell, Column};
use crate::neutralise::needs_neutralising;
use crate::number::to_f64;

/// Excel's cell text limit, in UTF-16 code units; rust_xlsxwriter refuses longer strings.
const MAX_TEXT_UNITS: usize = 32_767;
/// Integers beyond ±2^53 do not survive a double; they are written as text, digit for digit.
const MAX_EXACT_INTEGER: u64 = 1 << 53;

pub(crate) struct XlsxOut<W: Write + Send> {
    workbook: Workbook,
    formats: Formats,
    /// One money format per currency met so far. A list holds one to a few currencies, so a
    /// scan beats hashing.
    money: Vec<(Currency, CellFormat)>,
    locale: Locale,
    /// The row the next `write_row` fills; 0 is the header.
    next_row: u32,
    last_col: u16,
    out: W,
}

/// The formats every export uses, made once: rust_xlsxwriter looks a format up per cell.
struct Formats {
    /// Formula-like text: a string cell that stays one when edited.
    quoted: CellFormat,
    integer: CellFormat,
    percent: CellFormat,
    date: CellFormat,
    datetime: CellFormat,
}

impl<W: Write + Send> XlsxOut<W> {
    /// `columns` is not empty and has at most `MAX_XLSX_COLUMNS` entries (checked by the writer).
    pub(crate) fn new(
        sheet_name: &str,
        columns: &[Column],
        locale: Locale,
        tempdir: Option<&Path>,
        out: W,
    ) -> Result<Self, ExportError> {
        let mut workbook = Workbook::new();
        // Excel's own level: ~30% faster to save than the default 6 for a ~5% bigger file, and
        // saving (compressing the sheet XML) is half the time of a large export.
        workbook.set_zip_compression_level(3);
        if let Some(dir) = tempdir {
            workbook.set_tempdir(dir)?;
        }
        let worksheet = workbook.add_worksheet_with_constant_memory()?;
        worksheet.set_name(crate::sheet_name::sanitise_sheet_name(sheet_name))?;
        worksheet.set_freeze_panes(1, 0)?;
        let bold = CellFormat::new().set_bold();
        let mut last_col = 0;
        for (col, column) in (0u16..).zip(columns) {
            worksheet.set_column_width(col, column.effective_width())?;
            // Headers may one day be user-named custom fields: formula-like ones are quoted too.
            let header = excel_text(&column.header);
            if needs_neutralising(&header) {
                worksheet.write_string_with_format(0, col, header, &bold.clone().set_quote_prefix())?;
            } else {
                worksheet.write_string_with_format(0, col, header, &bold)?;
            }
            last_col = col;
        }
        let (date, datetime) = match locale {
            Locale::Ru => ("dd.mm.yyyy", "dd.mm.yyyy hh:mm"),
            Locale::En => ("yyyy-mm-dd", "yyyy-mm-dd hh:mm"),
        };
        let formats = Formats {
            quoted: CellFormat::new().set_quote_prefix(),
            // `0` rather than General: General shows long numbers as 1,23457E+11.
            integer: CellFormat::new().set_num_format("0"),
            percent: CellFormat::new().set_num_format("0.00%"),
            date: CellFormat::new().set_num_format(date),
            datetime: CellFormat::new().set_num_format(datetime),
        };
        Ok(XlsxOut { workbook, formats, money: Vec::new(), locale, next_row: 1, last_col, out })
    }

    pub(crate) fn write_row(&mut self, row: &[Cell]) -> Result<(), ExportError> {
        let r = self.next_row;
        let sheet = self.workbook.worksheet_from_index(0)?;
        for (col, cell) in (0u16..).zip(row) {
            match cell {
                Cell::Empty => {}
                Cell::Text(text) => write_text(sheet, &self.formats.quoted, r, col, text)?,
                Cell::Integer(n) if n.unsigned_abs() <= MAX_EXACT_INTEGER => {
                    // Exact: |n| ≤ 2^53.
                    sheet.write_number_with_format(r, col, *n as f64, &self.formats.integer)?;
                }
                Cell::Integer(n) => write_text(sheet, &self.formats.quoted, r, col, &n.to_string())?,
                Cell::Money(money) => {
                    let format = money_cell_format(&mut self.money, money.currency, self.locale);
                    sheet.write_number_with_format(r, col, to_f64(money.amount), format)?;
                }
                Cell::Percent(fraction) => {
                    sheet.write_number_with_format(r, col, to_f64(*fraction), &self.formats.percent)?;
                }
                Cell::Date(date) if in_excel_range(*date) => {
                    sheet.write_date_with_format(r, col, date, &self.formats.date)?;
                }
                Cell::DateTime(at) if in_excel_range(at.date()) => {
                    sheet.write_datetime_with_format(r, col, at, &self.formats.datetime)?;
                }
                // Excel has no dates before 1900 or after 9999: the value stays visible as text.
                Cell::Date(date) => write_text(sheet, &self.formats.quoted, r, col, &date.to_string())?,
                Cell::DateTime(at) => {
                    write_text(sheet, &self.formats.quoted, r, col, &at.format("%Y-%m-%d %H:%M").to_string())?
                }
            }
        }
        self.next_row += 1;
        Ok(())
    }

    /// Writes the workbook into the output and hands the output back, flushed.
    pub(crate) fn finish(mut self) -> Result<W, ExportError> {
        let last_row = self.next_row - 1;
        let sheet = self.workbook.worksheet_from_index(0)?;
        // Set last, over all the rows: a filter covering only the header would filter nothing
        // in some readers.
        sheet.autofilter(0, 0, last_row, self.last_col)?;
        if last_row > 0 {
            // INNs, phone digits and account numbers are text on purpose: no green "number
            // stored as text" triangle on every one of them.
            sheet.ignore_error_range(1, 0, last_row, self.last_col, IgnoreError::NumberStoredAsText)?;
        }
        {
            let mut out = BufWriter::new(&mut self.out);
            self.workbook.save_to_writer(&mut out)?;
            out.flush()?;
        }
        self.out.flush()?;
        Ok(self.out)
    }
}

/// Text as it goes into a cell: a string, quote-prefixed when it starts like a formula, cut to
/// Excel's limit.
fn write_text(
    sheet: &mut Worksheet,
    quoted: &CellFormat,
    row: u32,
    col: u16,
    text: &str,
) -> Result<(), ExportError> {
    let text = excel_text(text);
    if needs_neutralising(&text) {
        sheet.write_string_with_format(row, col, text, quoted)?;
    } else {
        sheet.write_string(row, col, text)?;
    }
    Ok(())
}

/// Cut with an ellipsis if longer than a cell holds: one 40 000-character note must not fail
/// the whole export. CSV keeps the full text.
fn excel_text(text: &str) -> String {
    if text.len() <= MAX_TEXT_UNITS {
        // UTF-16 never needs more units than UTF-8 needs bytes.
        return text.to_owned();
    }
    let mut units = 0;
    let mut cut = String::with_capacity(MAX_TEXT_UNITS);
    for c in text.chars() {
        units += c.len_utf16();
        if units > MAX_TEXT_UNITS - 1 {
            cut.push('…');
            return cut;
        }
        cut.push(c);
    }
    cut
}

/// Excel's 1900 date system runs from 1900-01-01 to 9999-12-31.
fn in_excel_range(date: NaiveDate) -> bool {
    (1900..=9999).contains(&date.year())
}

/// The cached format for `currency`, made on first use.
fn money_cell_format(
    cache: &mut Vec<(Currency, CellFormat)>,
    currency: Currency,
    locale: Locale,
) -> &CellFormat {
    let index = match cache.iter().position(|(c, _)| *c == currency) {
        Some(index) => index,
        None => {
            cache.push((currency, CellFormat::new().set_num_format(money_format(currency, locale))));
            cache.len() - 1
        }
    };
    &cache[index].1
}

/// The amount with its currency, as the user reads it on screen (`Money::format_ru` and
/// `format_en`): `#,##0.00 "₽"` in Russian, `"$"#,##0.00` or `"RUB" #,##0.00` in English.
/// `,` and `.` in a number format mean "grouping" and "decimal mark", which Excel renders in
/// the reader's own locale.
fn money_format(currency: Currency, locale: Locale) -> String {
    let code = currency.as_str();
    match (locale, currency) {
        (Locale::Ru, Currency::RUB) => "#,##0.00 \"₽\"".to_owned(),
        (Locale::Ru, Currency::USD) => "#,##0.00 \"$\"".to_owned(),
        (Locale::Ru, Currency::EUR) => "#,##0.00 \"€\"".to_owned(),
        (Locale::Ru, _) => format!("#,##0.00 \"{code}\""),
        (Locale::En, Currency::USD) => "\"$\"#,##0.00".to_owned(),
        (Locale::En, Currency::EUR) => "\"€\"#,##0.00".to_owned(),
        (Locale::En, _) => format!("\"{code}\" #,##0.00"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_to_the_cell_limit() {
        let text = "ж".repeat(40_000);
        let cut = excel_text(&text);
        assert_eq!(cut.encode_utf16().count(), MAX_TEXT_UNITS);
        assert!(cut.ends_with('…'));
        let emoji = "😀".repeat(20_000);
        assert!(excel_text(&emoji).encode_utf16().count() <= MAX_TEXT_UNITS);
        assert_eq!(excel_text("=1"), "=1");
    }

    #[test]
    fn money_formats() {
        let cny = Currency::parse("CNY").expect("valid");
        assert_eq!(money_format(Currency::RUB, Locale::Ru), "#,##0.00 \"₽\"");
        assert_eq!(money_format(Currency::RUB, Locale::En), "\"RUB\" #,##0.00");
        assert_eq!(money_format(cny, Locale::Ru), "#,##0.00 \"CNY\"");
        assert_eq!(money_format(Currency::USD, Locale::En), "\"$\"#,##0.00");
        assert_eq!(money_format(Currency::EUR, Locale::Ru), "#,##0.00 \"€\"");
    }

    #[test]
    fn excel_date_range() {
        let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("valid date");
        assert!(in_excel_range(date(1900, 1, 1)));
        assert!(in_excel_range(date(9999, 12, 31)));
        assert!(!in_excel_range(date(1899, 12, 31)));
        assert!(!in_excel_range(date(10_000, 1, 1)));
    }
}
