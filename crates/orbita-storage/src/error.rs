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
    /// A foreign key refused the write: a record it refers to is gone (references are checked
    /// before a write, but one can be deleted between the check and the write).
    #[error("a referenced record does not exist")]
    MissingReference,
    /// The record changed since the caller read it (optimistic locking).
    #[error("the record was changed by someone else")]
    StaleVersion,
    #[error("a stored value could not be read back: {0}")]
    Corrupt(String),
    /// Rows of one bulk insert that do not all name the same columns in the same order: the
    /// loader's mistake, refused before anything is written.
    #[error("bulk rows of {table} do not share one column list")]
    BulkShape { table: &'static str },
    #[error("database configuration: {0}")]
    Config(String),
    /// The database cannot take the request now, through no fault of the request: the caller
    /// answers 503 and the same request may succeed later.
    #[error("database unavailable: {0}")]
    Unavailable(Unavailable),
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// Why the database cannot take a request for now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Unavailable {
    /// The disk (or the database's quota) is full: writes fail until space is freed; reads work.
    #[error("storage full")]
    StorageFull,
    /// Another process held the lock past the busy timeout, or every connection stayed busy.
    #[error("database busy")]
    Busy,
}

impl From<sqlx::Error> for StorageError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::RowNotFound => StorageError::NotFound,
            sqlx::Error::PoolTimedOut => StorageError::Unavailable(Unavailable::Busy),
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StorageError::Conflict { constraint: constraint_name(db.as_ref()) }
            }
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => StorageError::MissingReference,
            sqlx::Error::Database(db) => match unavailable(db.as_ref()) {
                Some(reason) => StorageError::Unavailable(reason),
                None => StorageError::Database(error),
            },
            _ => StorageError::Database(error),
        }
    }
}

/// Errors that say "not now" rather than "never": SQLite's result codes (the primary code is
/// the low byte of the extended one sqlx reports) and PostgreSQL's SQLSTATE classes.
fn unavailable(db: &dyn sqlx::error::DatabaseError) -> Option<Unavailable> {
    let code = db.code()?;
    if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
        return match code.parse::<i32>().ok()? & 0xff {
            13 => Some(Unavailable::StorageFull), // SQLITE_FULL
            5 | 6 => Some(Unavailable::Busy),     // SQLITE_BUSY, SQLITE_LOCKED
            _ => None,
        };
    }
    match code.as_ref() {
        "53100" => Some(Unavailable::StorageFull), // disk_full
        // out of memory, too many connections, a lock not granted in time, a statement or lock
        // timeout, the server shutting down or starting
        "53200" | "53300" | "55P03" | "57014" | "57P01" | "57P03" => Some(Unavailable::Busy),
        _ => None,
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
