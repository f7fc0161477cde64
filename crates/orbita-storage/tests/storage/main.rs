//! The storage conformance suite: every test runs against SQLite and against PostgreSQL.
//! PostgreSQL comes from `ORBITA_TEST_POSTGRES_URL`; without it the PostgreSQL half is skipped
//! with a message (CI always sets it).

mod bulk;
mod companies;
mod deals;
mod export_jobs;
mod filters;
mod ids;
mod jobs;
mod records;
mod reports;
mod schema;
mod unavailable;
