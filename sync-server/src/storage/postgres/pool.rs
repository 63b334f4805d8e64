//! Pooled connections (r2d2 over r2d2_postgres's manager), each with its
//! prepared statements, and a transaction that prepares each statement once
//! per connection.

use postgres::types::ToSql;
use postgres::{Client, GenericClient, IsolationLevel, NoTls, Row, Statement, Transaction};
use r2d2_postgres::PostgresConnectionManager;
use std::collections::HashMap;
use std::time::Duration;

use crate::storage::{StoreError, postgres_detail};

/// How long a request waits for a connection before it fails: the database
/// is unreachable, or every connection has stayed busy that long.
const CHECKOUT_WAIT: Duration = Duration::from_secs(30);

/// At most `size` connections, opened as requests need them; callers wait
/// for a free one.
pub(super) struct Pool {
    /// `None` only while the pool is dropped.
    pool: Option<r2d2::Pool<Manager>>,
}

impl Pool {
    pub(super) fn new(url: &str, size: usize) -> Result<Pool, StoreError> {
        let config: postgres::Config = url.parse()?;
        let pool = r2d2::Pool::builder()
            .max_size(u32::try_from(size.max(1)).unwrap_or(u32::MAX))
            // r2d2 would otherwise open all of them at once, and keep them.
            .min_idle(Some(0))
            // A connection that broke is dropped when it comes back
            // (`has_broken`); testing each checkout would cost every request
            // a round trip.
            .test_on_check_out(false)
            .connection_timeout(CHECKOUT_WAIT)
            .error_handler(Box::new(LogConnectErrors))
            .build_unchecked(Manager(PostgresConnectionManager::new(config, NoTls)));
        Ok(Pool { pool: Some(pool) })
    }

    /// A connection, back in the pool when dropped.
    pub(super) fn get(&self) -> Result<r2d2::PooledConnection<Manager>, StoreError> {
        let pool = self
            .pool
            .as_ref()
            .expect("the pool is taken only when dropped");
        Ok(pool.get()?)
    }
}

impl Drop for Pool {
    /// Closing a connection blocks on its own small runtime, which cannot
    /// happen on an async runtime's thread (where the last handle to the
    /// store may well be dropped): close them on a thread of their own.
    fn drop(&mut self) {
        if let Some(pool) = self.pool.take()
            && tokio::runtime::Handle::try_current().is_ok()
        {
            std::thread::spawn(move || drop(pool));
        }
    }
}

/// Logs each failed connection attempt with its cause (r2d2 keeps only the
/// error's first line, which does not say why).
#[derive(Debug)]
struct LogConnectErrors;

impl r2d2::HandleError<postgres::Error> for LogConnectErrors {
    fn handle_error(&self, e: postgres::Error) {
        tracing::error!(error = %postgres_detail(&e), "cannot connect to PostgreSQL");
    }
}

/// r2d2_postgres's manager, keeping each connection's statements with it.
#[derive(Debug)]
pub(super) struct Manager(PostgresConnectionManager<NoTls>);

impl r2d2::ManageConnection for Manager {
    type Connection = Conn;
    type Error = postgres::Error;

    fn connect(&self) -> Result<Conn, postgres::Error> {
        Ok(Conn {
            client: self.0.connect()?,
            statements: Statements::default(),
        })
    }

    fn is_valid(&self, conn: &mut Conn) -> Result<(), postgres::Error> {
        self.0.is_valid(&mut conn.client)
    }

    fn has_broken(&self, conn: &mut Conn) -> bool {
        self.0.has_broken(&mut conn.client)
    }
}

/// The statements prepared on one connection, by their SQL.
#[derive(Default)]
struct Statements(HashMap<&'static str, Statement>);

impl Statements {
    /// `sql` prepared on `client` the first time, then reused.
    fn get(
        &mut self,
        client: &mut impl GenericClient,
        sql: &'static str,
    ) -> Result<Statement, postgres::Error> {
        if let Some(s) = self.0.get(sql) {
            return Ok(s.clone());
        }
        let s = client.prepare(sql)?;
        self.0.insert(sql, s.clone());
        Ok(s)
    }
}

/// A connection with its prepared statements.
pub(super) struct Conn {
    client: Client,
    statements: Statements,
}

type Params<'p> = &'p [&'p (dyn ToSql + Sync)];

impl Conn {
    /// One statement outside a transaction: it sees a fresh snapshot.
    pub(super) fn one(&mut self, sql: &'static str, params: Params) -> Result<Row, StoreError> {
        let s = self.statements.get(&mut self.client, sql)?;
        Ok(self.client.query_one(&s, params)?)
    }

    pub(super) fn begin(&mut self, isolation: IsolationLevel) -> Result<Tx<'_>, StoreError> {
        let tx = self
            .client
            .build_transaction()
            .isolation_level(isolation)
            .start()?;
        Ok(Tx {
            tx,
            statements: &mut self.statements,
            txid: None,
            sites: HashMap::new(),
        })
    }
}

/// One transaction with the connection's statements.
pub(super) struct Tx<'a> {
    tx: Transaction<'a>,
    statements: &'a mut Statements,
    txid: Option<i64>,
    /// Site paths read in this transaction, by (district, site id).
    pub(super) sites: HashMap<(String, String), String>,
}

impl Tx<'_> {
    fn statement(&mut self, sql: &'static str) -> Result<Statement, postgres::Error> {
        self.statements.get(&mut self.tx, sql)
    }

    pub(super) fn query(
        &mut self,
        sql: &'static str,
        params: Params,
    ) -> Result<Vec<Row>, StoreError> {
        let s = self.statement(sql)?;
        Ok(self.tx.query(&s, params)?)
    }

    pub(super) fn opt(
        &mut self,
        sql: &'static str,
        params: Params,
    ) -> Result<Option<Row>, StoreError> {
        let s = self.statement(sql)?;
        Ok(self.tx.query_opt(&s, params)?)
    }

    pub(super) fn one(&mut self, sql: &'static str, params: Params) -> Result<Row, StoreError> {
        let s = self.statement(sql)?;
        Ok(self.tx.query_one(&s, params)?)
    }

    pub(super) fn exec(&mut self, sql: &'static str, params: Params) -> Result<u64, StoreError> {
        let s = self.statement(sql)?;
        Ok(self.tx.execute(&s, params)?)
    }

    /// Statements without parameters, run once (migrations): not prepared.
    pub(super) fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        Ok(self.tx.batch_execute(sql)?)
    }

    pub(super) fn commit(self) -> Result<(), StoreError> {
        Ok(self.tx.commit()?)
    }

    /// This transaction's id (assigning one): the feed position of its writes.
    pub(super) fn txid(&mut self) -> Result<i64, StoreError> {
        if let Some(t) = self.txid {
            return Ok(t);
        }
        let t: i64 = self
            .one("SELECT pg_current_xact_id()::text::bigint", &[])?
            .get(0);
        self.txid = Some(t);
        Ok(t)
    }
}
