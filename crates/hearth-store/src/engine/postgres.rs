use super::{Conn, Mode, Result};
use crate::StoreError;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use futures::future::BoxFuture;

pub(super) struct PgPool {
    pool: Pool,
}

impl PgPool {
    pub async fn connect(url: &str, max_connections: usize) -> Result<Self> {
        let config: tokio_postgres::Config = url
            .parse()
            .map_err(|e| StoreError::Db(format!("DATABASE_URL is not a PostgreSQL URL: {e}")))?;
        let manager = Manager::from_config(
            config,
            tokio_postgres::NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(max_connections)
            .build()
            .map_err(|e| StoreError::Db(e.to_string()))?;
        // Fail at start-up, not on the first request, when the server is unreachable.
        drop(pool.get().await?);
        Ok(PgPool { pool })
    }

    pub async fn run<T, F>(&self, mode: Mode, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut Conn) -> BoxFuture<'c, Result<T>> + Send + 'static,
    {
        let client = self.pool.get().await?;
        // Its own task: a client that hangs up cancels the request, never a
        // transaction half way through.
        tokio::spawn(async move {
            let mut conn = Conn::Postgres(Box::new(client));
            if mode == Mode::Read {
                return work(&mut conn).await;
            }
            let mut open = OpenTransaction(Some(conn));
            let conn = open.0.as_mut().ok_or(StoreError::Closed)?;
            conn.batch("BEGIN").await?;
            let result = work(conn).await;
            let outcome = match result {
                Ok(value) => conn.batch("COMMIT").await.map(|()| value),
                Err(e) => conn.batch("ROLLBACK").await.and(Err(e)),
            };
            open.0 = None;
            outcome
        })
        .await
        .map_err(|e| StoreError::Db(format!("database task failed: {e}")))?
    }
}

/// A connection inside a transaction. If the work panics the connection is
/// detached from the pool and closed, so no one inherits the transaction.
struct OpenTransaction(Option<Conn>);

impl Drop for OpenTransaction {
    fn drop(&mut self) {
        if let Some(Conn::Postgres(client)) = self.0.take() {
            drop(deadpool_postgres::Object::take(*client));
        }
    }
}
