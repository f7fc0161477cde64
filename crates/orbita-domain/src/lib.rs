//! Orbita's CRM domain: the entities a sales department works with (companies, contacts,
//! deals in pipelines, tasks, activities), the values users type (INN, KPP, e-mail, money)
//! and the rules between them. Pure: no I/O, no database or HTTP types.

pub mod access;
pub mod activity;
pub mod api_token;
pub mod audit;
pub mod automation;
pub mod company;
pub mod contact;
pub mod custom;
pub mod deal;
pub mod error;
pub mod fields;
pub mod filter;
pub mod ids;
pub mod job;
pub mod kind;
pub mod list;
pub mod local_time;
pub mod loss_reason;
pub mod month;
pub mod notification;
pub mod org;
pub mod pipeline;
pub mod task;
pub mod text;
pub mod user;
pub mod validation;
pub mod web_form;
pub mod webhook;
pub mod working_time;

pub use error::{FieldError, ValidationErrors};
pub use ids::*;
pub use user::{groups_text, users_diff};

/// Time as stored and compared everywhere: UTC, truncated to microseconds (PostgreSQL's
/// precision) so a value read back equals the value written.
pub type Timestamp = chrono::DateTime<chrono::Utc>;

/// The current time at storage precision.
pub fn now() -> Timestamp {
    use chrono::{SubsecRound, Utc};
    Utc::now().trunc_subsecs(6)
}
