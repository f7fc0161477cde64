//! What a use case can answer besides success; the delivery layer maps each to a status.

use orbita_domain::{FieldError, ValidationErrors};
use orbita_storage::{StorageError, Unavailable};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The input was refused; every problem names its field.
    #[error(transparent)]
    Invalid(#[from] ValidationErrors),
    #[error("not found")]
    NotFound,
    #[error("not allowed")]
    Forbidden,
    /// Someone else saved the record since it was read.
    #[error("the record was changed by someone else")]
    Stale,
    /// A record this one refers to was deleted between the check and the write; nothing was
    /// written.
    #[error("a referenced record was deleted meanwhile")]
    ReferenceGone,
    /// The database cannot take the request now (a full disk, a lock held too long): nothing
    /// was written, and the same request may succeed later.
    #[error("database unavailable: {0}")]
    Unavailable(Unavailable),
    /// A per-user allowance is used up; the same request may succeed later.
    #[error(transparent)]
    Quota(Quota),
    #[error(transparent)]
    Storage(StorageError),
    /// Demo data goes only into a database without companies.
    #[error("the database already has companies; demo data is loaded only into an empty one")]
    NotEmpty,
    #[error("password hashing failed: {0}")]
    Password(String),
}

/// What one user may start at a time or in a day, so that one user (or a script with their
/// session) cannot take the server's time from everyone else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Quota {
    #[error("{limit} exports are running already; start another when one has finished")]
    RunningExports { limit: i64 },
    #[error("{limit} exports a day is the limit; the next one can start in {retry_after_seconds} s")]
    DailyExports { limit: i64, retry_after_seconds: u64 },
    /// Posts to the public web forms from one address, or to one form, in a window.
    #[error("too many posts; try again in {retry_after_seconds} s")]
    PublicPosts { retry_after_seconds: u64 },
}

impl Quota {
    /// A stable name for the problem's type and the page's message.
    pub fn code(&self) -> &'static str {
        match self {
            Quota::RunningExports { .. } => "running-exports",
            Quota::DailyExports { .. } => "daily-exports",
            Quota::PublicPosts { .. } => "public-posts",
        }
    }

    /// When trying again makes sense: a running export finishes in seconds.
    pub fn retry_after_seconds(&self) -> u64 {
        match self {
            Quota::RunningExports { .. } => 10,
            Quota::DailyExports { retry_after_seconds, .. } | Quota::PublicPosts { retry_after_seconds } => {
                *retry_after_seconds
            }
        }
    }
}

impl From<StorageError> for AppError {
    fn from(error: StorageError) -> Self {
        match error {
            StorageError::NotFound => AppError::NotFound,
            StorageError::StaleVersion => AppError::Stale,
            StorageError::MissingReference => AppError::ReferenceGone,
            StorageError::Unavailable(reason) => AppError::Unavailable(reason),
            other => AppError::Storage(other),
        }
    }
}

impl From<FieldError> for AppError {
    fn from(error: FieldError) -> Self {
        AppError::Invalid(error.into())
    }
}

/// Turns a unique-index refusal into a message on the field the user can fix.
pub(crate) fn conflict_on(error: StorageError, constraint: &str, field: FieldError) -> AppError {
    match error {
        StorageError::Conflict { constraint: c } if c == constraint => AppError::from(field),
        other => AppError::from(other),
    }
}
