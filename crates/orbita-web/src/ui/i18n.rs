//! Interface texts in Russian and English: the pages' name for the `orbita-i18n` crate, which
//! holds the Fluent files and their loader, shared with the REST API's downloads.

pub use orbita_i18n::{FluentValue, Locale, count, has, negotiate, t, t_args};
