//! `ExportWriter`: one API over both formats, checking each row against the columns before any
//! of it is written.

use std::fs::File;
use std::io::Write;
use std::path::Path;

use orbita_domain::org::Locale;

use crate::csv_out::CsvOut;
use crate::error::ExportError;
use crate::model::{Cell, Column, Format};
use crate::xlsx_out::XlsxOut;

/// Data rows an XLSX sheet holds: Excel's 1 048 576 rows minus the header.
pub const MAX_XLSX_ROWS: u64 = 1_048_575;
/// Columns an XLSX sheet holds (A to XFD).
pub const MAX_XLSX_COLUMNS: usize = 16_384;

/// Writes one export: a header row from the columns, then rows as they come.
///
/// The output is any `Write + Send`: a `File` (the default), a `Vec<u8>`, a pipe. Nothing is
/// kept per row, so memory stays flat however many rows come. XLSX rows are spooled to a temp
/// file and the output receives the whole zip at [`finish`](ExportWriter::finish); CSV reaches
/// the output as it is written, through an 8 KiB buffer.
///
/// Dropping the writer without `finish` leaves an XLSX output empty and a CSV output
/// truncated: a failed export is never a well-formed file.
pub struct ExportWriter<W: Write + Send = File> {
    columns: Vec<Column>,
    rows: u64,
    out: Out<W>,
}

enum Out<W: Write + Send> {
    // Both boxed: large (a workbook, a csv writer's state) and of very different sizes; one
    // allocation per export is nothing.
    Xlsx(Box<XlsxOut<W>>),
    Csv(Box<CsvOut<W>>),
}

impl<W: Write + Send> ExportWriter<W> {
    /// Starts an export and writes its header row.
    ///
    /// `sheet_name` names the XLSX worksheet, repaired to Excel's rules by
    /// [`sanitise_sheet_name`](crate::sanitise_sheet_name); CSV ignores it. `locale` decides the
    /// XLSX date and money formats and the CSV delimiter and decimal mark (`;` and `,` in
    /// Russian, `,` and `.` in English). XLSX spools rows to the system temp directory.
    pub fn new(
        format: Format,
        sheet_name: &str,
        columns: Vec<Column>,
        locale: Locale,
        out: W,
    ) -> Result<Self, ExportError> {
        Self::start(format, sheet_name, columns, locale, None, out)
    }

    /// [`new`](ExportWriter::new), spooling XLSX rows in `tempdir`: when the system temp
    /// directory is a tmpfs, spooled rows live in RAM, which is what constant-memory mode is
    /// there to avoid. The directory must exist and be writable.
    pub fn new_with_tempdir(
        format: Format,
        sheet_name: &str,
        columns: Vec<Column>,
        locale: Locale,
        out: W,
        tempdir: &Path,
    ) -> Result<Self, ExportError> {
        Self::start(format, sheet_name, columns, locale, Some(tempdir), out)
    }

    fn start(
        format: Format,
        sheet_name: &str,
        columns: Vec<Column>,
        locale: Locale,
        tempdir: Option<&Path>,
        out: W,
    ) -> Result<Self, ExportError> {
        if columns.is_empty() {
            return Err(ExportError::NoColumns);
        }
        let out = match format {
            Format::Xlsx => {
                if columns.len() > MAX_XLSX_COLUMNS {
                    return Err(ExportError::TooManyColumns { count: columns.len(), max: MAX_XLSX_COLUMNS });
                }
                Out::Xlsx(Box::new(XlsxOut::new(sheet_name, &columns, locale, tempdir, out)?))
            }
            Format::Csv => Out::Csv(Box::new(CsvOut::new(&columns, locale, out)?)),
        };
        Ok(ExportWriter { columns, rows: 0, out })
    }

    /// Writes one row: one cell per column, each [`Cell::Empty`] or of its column's kind.
    /// A row that breaks this, or a row past [`MAX_XLSX_ROWS`], is refused before anything is
    /// written, and the writer can go on.
    pub fn write_row(&mut self, row: &[Cell]) -> Result<(), ExportError> {
        self.check(row)?;
        match &mut self.out {
            Out::Xlsx(xlsx) => xlsx.write_row(row)?,
            Out::Csv(csv) => csv.write_row(row)?,
        }
        self.rows += 1;
        Ok(())
    }

    /// Data rows written so far, the header not counted.
    pub fn rows_written(&self) -> u64 {
        self.rows
    }

    /// The columns, as given.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// Completes the file and returns the number of data rows. The output is flushed and
    /// dropped (a `File` is closed); use [`finish_into_inner`](ExportWriter::finish_into_inner)
    /// to get it back.
    pub fn finish(self) -> Result<u64, ExportError> {
        self.finish_into_inner().map(|(rows, _)| rows)
    }

    /// Completes the file and returns the number of data rows and the flushed output.
    pub fn finish_into_inner(self) -> Result<(u64, W), ExportError> {
        let out = match self.out {
            Out::Xlsx(xlsx) => xlsx.finish()?,
            Out::Csv(csv) => csv.finish()?,
        };
        Ok((self.rows, out))
    }

    fn check(&self, row: &[Cell]) -> Result<(), ExportError> {
        if row.len() != self.columns.len() {
            return Err(ExportError::RowLength { expected: self.columns.len(), got: row.len() });
        }
        for (index, (column, cell)) in self.columns.iter().zip(row).enumerate() {
            if let Some(got) = cell.kind().filter(|got| *got != column.kind) {
                let header = column.header.clone();
                return Err(ExportError::CellKind { index, header, expected: column.kind, got });
            }
        }
        if matches!(self.out, Out::Xlsx(_)) && self.rows >= MAX_XLSX_ROWS {
            return Err(ExportError::TooManyRows { max: MAX_XLSX_ROWS });
        }
        Ok(())
    }
}
