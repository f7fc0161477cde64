//! Orbita's application services: the use cases the web UI, the API, the jobs and the CLI
//! call. Each writes its change and its audit event in one transaction. Permission checks
//! live here (the rights model arrives with its own issue), so every entry point sees the
//! same answer.

pub mod access;
pub mod activities;
pub mod admin;
pub mod api_tokens;
pub mod assignees;
pub mod audit_trail;
pub mod auth;
pub mod automation;
pub mod companies;
pub mod contacts;
pub mod context;
pub mod custom_fields;
pub mod deals;
pub mod demo;
pub mod error;
pub mod export_jobs;
pub mod exports;
pub mod filters;
pub mod jobs;
pub mod kanban;
pub mod links;
pub mod loss_reasons;
pub mod mail;
pub mod my_day;
pub mod notifications;
pub mod ownership;
pub mod passwords;
pub mod records;
pub mod reports;
pub mod search;
pub mod settings;
pub mod setup;
pub mod shares;
pub mod targets;
pub mod tasks;
pub mod timeline;
pub mod users;
pub mod views;
pub mod web_forms;
pub mod webhooks;

pub use access::Access;
pub use context::RequestContext;
pub use error::{AppError, Quota};
pub use orbita_storage::{Backend, ConnectOptions, DatabaseUrl, Db, StorageError, Unavailable};
