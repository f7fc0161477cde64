//! Orbita's spreadsheet export: the format layer only. Given columns and a stream of typed rows,
//! write an XLSX workbook or a CSV file. The caller (the list and report services) decides which
//! rows, in which order, with which headers in the user's language; this crate decides how each
//! value looks in a spreadsheet.
//!
//! Pure: no database, no HTTP. Rows are written as they come and never kept, so memory does not
//! grow with the row count:
//!
//! - **XLSX** uses rust_xlsxwriter's constant-memory mode: each finished row goes to a temp file
//!   (in the system temp dir, or the one given to [`ExportWriter::new_with_tempdir`]); `finish`
//!   zips it into the output. The output only needs `Write + Send`, not `Seek`.
//! - **CSV** streams straight into the output through the `csv` crate's buffer.
//!
//! The writer is synchronous and does blocking I/O: from async code run it inside
//! `tokio::task::spawn_blocking` (it is `Send`).
//!
//! ```no_run
//! use orbita_domain::org::Locale;
//! use orbita_export::{Cell, Column, ColumnKind, ExportWriter, Format};
//!
//! # fn main() -> Result<(), orbita_export::ExportError> {
//! let columns = vec![Column::new("Компания", ColumnKind::Text), Column::new("Сделок", ColumnKind::Integer)];
//! let file = std::fs::File::create("companies.xlsx")?;
//! let mut writer = ExportWriter::new(Format::Xlsx, "Компании", columns, Locale::Ru, file)?;
//! writer.write_row(&[Cell::Text("Ромашка".into()), Cell::Integer(3)])?;
//! let rows = writer.finish()?;
//! # let _ = rows;
//! # Ok(())
//! # }
//! ```

mod csv_out;
mod error;
mod model;
mod neutralise;
mod number;
mod sheet_name;
mod writer;
mod xlsx_out;

pub use error::ExportError;
pub use model::{Cell, Column, ColumnKind, Format};
pub use neutralise::{FORMULA_TRIGGERS, neutralise};
pub use sheet_name::sanitise_sheet_name;
pub use writer::{ExportWriter, MAX_XLSX_COLUMNS, MAX_XLSX_ROWS};
