//! Rows are not kept in memory: 200 000 rows go out (CSV) or to the spool file (XLSX) as they
//! are written. Memory itself is not measured here (RSS in a test is noise); the example
//! `export_million` measures it for a million rows.

mod common;

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use common::*;
use orbita_domain::org::Locale;
use orbita_export::{Cell, Column, ColumnKind, ExportWriter, Format};

const ROWS: u64 = 200_000;
/// What may sit in buffers (ours, the csv crate's, rust_xlsxwriter's current row and its
/// `BufWriter`) instead of having reached the output or spool file.
const SLACK: u64 = 64 * 1024;

fn columns() -> Vec<Column> {
    vec![
        Column::new("Компания", ColumnKind::Text),
        Column::new("Сделок", ColumnKind::Integer),
        Column::new("Сумма", ColumnKind::Money),
    ]
}

/// At least 40 bytes in either format: 22+ bytes of Cyrillic name, a number, an amount.
fn row(n: u64) -> Vec<Cell> {
    vec![text(&format!("Компания {n:06}")), Cell::Integer(n as i64), rub(150_000_000 + n as i64)]
}
const MIN_ROW_BYTES: u64 = 40;

/// Counts what reaches the output, and drops it.
#[derive(Clone, Default)]
struct Counter(Arc<AtomicU64>);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.fetch_add(buf.len() as u64, Ordering::Relaxed);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn csv_reaches_the_output_as_rows_come() {
    let counter = Counter::default();
    let mut writer =
        ExportWriter::new(Format::Csv, "", columns(), Locale::Ru, counter.clone()).expect("starts");
    for n in 1..=ROWS {
        writer.write_row(&row(n)).expect("row");
        if n % 10_000 == 0 {
            let out = counter.0.load(Ordering::Relaxed);
            assert!(out + SLACK >= n * MIN_ROW_BYTES, "after {n} rows only {out} bytes went out");
        }
    }
    assert_eq!(writer.finish().expect("finishes"), ROWS);
    assert!(counter.0.load(Ordering::Relaxed) >= ROWS * MIN_ROW_BYTES);
}

/// The size of the constant-memory spool file rust_xlsxwriter keeps open in `dir`. It is
/// unlinked at creation (`O_TMPFILE`), so it is found through this process's descriptors.
#[cfg(target_os = "linux")]
fn spool_size(dir: &std::path::Path) -> u64 {
    let spools: Vec<u64> = std::fs::read_dir("/proc/self/fd")
        .expect("/proc is mounted")
        .filter_map(|fd| {
            let fd = fd.ok()?.path();
            let target = std::fs::read_link(&fd).ok()?;
            target.starts_with(dir).then(|| std::fs::metadata(&fd).ok().map(|m| m.len()))?
        })
        .collect();
    assert_eq!(spools.len(), 1, "one spool file per sheet");
    spools[0]
}

#[cfg(target_os = "linux")]
#[test]
fn xlsx_rows_go_to_the_spool_file_as_they_come() {
    let dir = tempfile::tempdir().expect("temp dir");
    let counter = Counter::default();
    let mut writer = ExportWriter::new_with_tempdir(
        Format::Xlsx,
        "Компании",
        columns(),
        Locale::Ru,
        counter.clone(),
        dir.path(),
    )
    .expect("starts");
    let mut half = 0;
    for n in 1..=ROWS {
        writer.write_row(&row(n)).expect("row");
        if n % 10_000 == 0 {
            let spooled = spool_size(dir.path());
            assert!(spooled + SLACK >= n * MIN_ROW_BYTES, "after {n} rows only {spooled} bytes spooled");
        }
        if n == ROWS / 2 {
            half = spool_size(dir.path());
        }
    }
    // Twice the rows, about twice the file: the rows live there, not in memory.
    let full = spool_size(dir.path());
    assert!(full > half * 19 / 10, "{half} → {full}");
    assert_eq!(counter.0.load(Ordering::Relaxed), 0, "the zip is written at finish");

    let (rows, _) = writer.finish_into_inner().expect("finishes");
    assert_eq!(rows, ROWS);
    assert!(counter.0.load(Ordering::Relaxed) > 0);
}

#[test]
fn xlsx_of_200_000_rows_reads_back() {
    let rows: Vec<Vec<Cell>> = (1..=ROWS).map(row).collect();
    let bytes = export(Format::Xlsx, Locale::Ru, columns(), &rows);
    let back = read_xlsx(&bytes);
    assert_eq!(back.values.end(), Some((ROWS as u32, 2)));
    let last = back.values.get_value((ROWS as u32, 0)).cloned();
    assert_eq!(last, Some(calamine::Data::String(format!("Компания {ROWS:06}"))));
}
