//! Shared by the server's integration tests.

/// A new, empty database named `name` on the test PostgreSQL server, and
/// its URL; `None` when `VOLUNTEER_TEST_POSTGRES` (the admin URL that
/// scripts/test.sh sets) is absent, i.e. on a SQLite-only run.
pub fn fresh_postgres_database(name: &str) -> Option<String> {
    let admin = std::env::var("VOLUNTEER_TEST_POSTGRES").ok()?;
    let mut c = postgres::Client::connect(&admin, postgres::NoTls).expect("connect admin");
    c.batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
        .expect("drop database");
    c.batch_execute(&format!("CREATE DATABASE {name}"))
        .expect("create database");
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
    Some(format!("{base}/{name}"))
}
