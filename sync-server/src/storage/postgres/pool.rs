//! Pooled connections, each with its prepared statements, and a
//! transaction that prepares each statement once per connection.

use postgres::types::ToSql;
use postgres::{Client, GenericClient, IsolationLevel, NoTls, Row, Statement, Transaction};
use std::collections::HashMap;
use std::sync::{Condvar, Mutex};

use crate::storage::StoreError;

/// A bounded pool: at most `max` connections; callers wait for a free one.
pub(super) struct Pool {
    url: String,
    max: usize,
    state: Mutex<(Vec<Conn>, usize)>,
    freed: Condvar,
}

impl Pool {
    pub(super) fn new(url: &str, size: usize) -> Pool {
        Pool {
            url: url.to_owned(),
            max: size.max(1),
            state: Mutex::new((Vec::new(), 0)),
            freed: Condvar::new(),
        }
    }

    pub(super) fn take(&self) -> Result<Conn, StoreError> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(conn) = state.0.pop() {
                return Ok(conn);
            }
            if state.1 < self.max {
                state.1 += 1;
                drop(state);
                return Client::connect(&self.url, NoTls)
                    .map(|client| Conn {
                        client,
                        statements: Statements::default(),
                    })
                    .map_err(|e| {
                        self.forget();
                        e.into()
                    });
            }
            state = self.freed.wait(state).unwrap_or_else(|p| p.into_inner());
        }
    }

    pub(super) fn give(&self, conn: Conn) {
        if conn.client.is_closed() {
            self.forget();
            return;
        }
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.0.push(conn);
        self.freed.notify_one();
    }

    /// A connection was lost: make room for a new one.
    fn forget(&self) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.1 -= 1;
        self.freed.notify_one();
    }
}

impl Drop for Pool {
    /// Closing a connection blocks on its own small runtime, which cannot
    /// happen on an async runtime's thread (where the last handle to the
    /// store may well be dropped): close them on a thread of their own.
    fn drop(&mut self) {
        let idle = std::mem::take(&mut self.state.get_mut().unwrap_or_else(|p| p.into_inner()).0);
        if idle.is_empty() {
            return;
        }
        if tokio::runtime::Handle::try_current().is_ok() {
            std::thread::spawn(move || drop(idle));
        } else {
            drop(idle);
        }
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
