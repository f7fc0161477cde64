//! What can go wrong while exporting.
//!
//! The first four variants are the caller's mistakes and are checked before anything is
//! written, so the writer stays usable after them. The last three are output failures (disk full,
//! client gone): the file is incomplete and the writer should be dropped.

use crate::model::ColumnKind;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    #[error("an export needs at least one column")]
    NoColumns,

    #[error("{count} columns are more than a worksheet holds ({max})")]
    TooManyColumns { count: usize, max: usize },

    #[error("the row has {got} cells but the export has {expected} columns")]
    RowLength { expected: usize, got: usize },

    /// A typed cell in a column of another kind: almost always columns fed in the wrong order,
    /// which would put amounts under the "Date" header.
    #[error("column {index} ({header:?}) holds {expected:?} values, not {got:?}")]
    CellKind { index: usize, header: String, expected: ColumnKind, got: ColumnKind },

    /// Excel refuses to open a sheet with more rows; CSV has no such limit.
    #[error("an XLSX sheet holds at most {max} data rows; export CSV or narrow the filter")]
    TooManyRows { max: u64 },

    #[error("writing the export: {0}")]
    Io(#[from] std::io::Error),

    #[error("writing CSV: {0}")]
    Csv(#[from] csv::Error),

    #[error("writing XLSX: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}
