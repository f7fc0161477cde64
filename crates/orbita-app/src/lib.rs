//! Orbita's application services: the use cases the web UI, the API, the jobs and the CLI
//! call. Each writes its change and its audit event in one transaction. Permission checks
//! live here (the rights model arrives with its own issue), so every entry point sees the
//! same answer.

pub mod companies;
pub mod context;
pub mod demo;
pub mod error;
pub mod passwords;
pub mod setup;
pub mod users;

pub use context::RequestContext;
pub use error::AppError;
pub use orbita_storage::{Backend, ConnectOptions, DatabaseUrl, Db, StorageError};
