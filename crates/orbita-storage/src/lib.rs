//! Orbita's storage: all SQL lives here, for SQLite and PostgreSQL alike. Queries are built
//! with sea-query (one code path, rendered per backend); migrations exist for both dialects.

pub mod access;
pub mod activities;
pub mod api_tokens;
pub mod audit;
pub mod automation;
pub mod bulk;
pub mod companies;
pub mod contacts;
pub mod custom_fields;
pub mod db;
pub mod deals;
pub mod digest;
pub mod error;
pub mod export_jobs;
pub mod filter_sql;
pub mod idempotency;
pub mod jobs;
pub mod list;
pub mod loss_reasons;
pub mod my_day;
pub mod notification_preferences;
pub mod notifications;
pub mod org;
pub mod ownership;
pub mod pipelines;
pub mod reports;
pub mod saved_views;
pub mod targets;
pub mod tasks;
pub mod users;
mod values;
pub mod web_forms;
pub mod webhooks;

pub use db::{Backend, ConnectOptions, DatabaseUrl, Db, Tx};
pub use error::{StorageError, Unavailable};
pub use list::{Cursor, Page, SortValue, Visibility};
