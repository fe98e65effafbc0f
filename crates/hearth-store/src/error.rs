use hearth_domain::Invalid;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// The record changed since the client read it (optimistic concurrency).
    #[error("the record was changed by someone else; reload it and try again")]
    Conflict { current_version: i64 },
    /// A unique constraint refused the row; `constraint` names the index.
    #[error("already exists ({constraint})")]
    Duplicate { constraint: String },
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// The record exists and may be read, but not changed by this actor
    /// (a technician and a job they are not assigned to).
    #[error("{0}")]
    Forbidden(&'static str),
    /// The request is well-formed but the record's state forbids it
    /// (deleting a stage that still holds leads); the message says what to do.
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Unsupported(&'static str),
    /// A CSV import found problems; it wrote nothing. The report lists them.
    #[error("the file has {} problems; nothing was imported", .0.problems.len())]
    ImportProblems(Box<crate::imports::Report>),
    #[error("the database pool is closed")]
    Closed,
    #[error("io: {0}")]
    Io(String),
    #[error("cannot read column {idx}: {message}")]
    Decode { idx: usize, message: String },
    #[error("database: {0}")]
    Db(String),
}

impl StoreError {
    pub(crate) fn decode(idx: usize, e: impl std::fmt::Display) -> Self {
        StoreError::Decode {
            idx,
            message: e.to_string(),
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        if let rusqlite::Error::SqliteFailure(f, Some(msg)) = &e
            && f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
        {
            // "UNIQUE constraint failed: users.org_id, users.email"
            let cols = msg.rsplit(": ").next().unwrap_or(msg);
            return StoreError::Duplicate {
                constraint: cols.to_string(),
            };
        }
        StoreError::Db(e.to_string())
    }
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> Self {
        if let Some(db) = e.as_db_error()
            && *db.code() == tokio_postgres::error::SqlState::UNIQUE_VIOLATION
        {
            return StoreError::Duplicate {
                constraint: db.constraint().unwrap_or_default().to_string(),
            };
        }
        match e.as_db_error() {
            Some(db) => StoreError::Db(format!("{}: {}", db.code().code(), db.message())),
            None => StoreError::Db(e.to_string()),
        }
    }
}

impl From<deadpool_postgres::PoolError> for StoreError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        StoreError::Db(format!("no database connection: {e}"))
    }
}
