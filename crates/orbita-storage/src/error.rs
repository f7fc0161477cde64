//! Storage errors, typed so the layers above can answer "not found" or "already exists"
//! without looking at SQL.

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("record not found")]
    NotFound,
    /// A unique index refused the write; `constraint` is the index name (the same on both
    /// databases, e.g. `companies_inn_kpp`).
    #[error("conflicts with an existing record ({constraint})")]
    Conflict { constraint: String },
    /// The record changed since the caller read it (optimistic locking).
    #[error("the record was changed by someone else")]
    StaleVersion,
    #[error("a stored value could not be read back: {0}")]
    Corrupt(String),
    #[error("database configuration: {0}")]
    Config(String),
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for StorageError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::RowNotFound => StorageError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StorageError::Conflict { constraint: constraint_name(db.as_ref()) }
            }
            _ => StorageError::Database(error),
        }
    }
}

/// PostgreSQL names the constraint; SQLite only says it in the message:
/// `UNIQUE constraint failed: index 'companies_inn_kpp'` or `… failed: users.email`.
fn constraint_name(db: &dyn sqlx::error::DatabaseError) -> String {
    if let Some(name) = db.constraint() {
        return name.to_owned();
    }
    let message = db.message();
    let detail = message.rsplit(": ").next().unwrap_or(message);
    if let Some(index) = detail.strip_prefix("index '") {
        return index.trim_end_matches('\'').to_owned();
    }
    // `users.email` → `users_email_key` and `t.a, t.b` → `t_a_b_key`: PostgreSQL's default
    // names for the same constraints.
    let mut table = "";
    let mut columns = Vec::new();
    for part in detail.split(',') {
        let (t, column) = part.trim().split_once('.').unwrap_or(("", part.trim()));
        table = t;
        columns.push(column);
    }
    format!("{table}_{}_key", columns.join("_"))
}

pub type Result<T, E = StorageError> = std::result::Result<T, E>;
