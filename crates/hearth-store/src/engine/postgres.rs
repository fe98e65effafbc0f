use super::{Conn, Mode, Result};
use crate::StoreError;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use futures::future::BoxFuture;

pub(super) struct PgPool {
    pool: Pool,
    /// For connections outside the pool (LISTEN).
    config: tokio_postgres::Config,
}

impl PgPool {
    pub async fn connect(url: &str, max_connections: usize) -> Result<Self> {
        let config: tokio_postgres::Config = url
            .parse()
            .map_err(|e| StoreError::Db(format!("DATABASE_URL is not a PostgreSQL URL: {e}")))?;
        let manager = Manager::from_config(
            config.clone(),
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
        Ok(PgPool { pool, config })
    }

    pub fn listen(&self, channel: &'static str) -> tokio::sync::mpsc::Receiver<String> {
        let (tx, rx) = tokio::sync::mpsc::channel(1024);
        let config = self.config.clone();
        tokio::spawn(async move {
            let mut backoff = std::time::Duration::from_millis(100);
            while !tx.is_closed() {
                match listen_once(&config, channel, &tx).await {
                    Ok(()) => return,
                    Err(e) => {
                        tracing::warn!(error = %e, channel, "LISTEN connection lost; reconnecting");
                        tokio::time::sleep(backoff).await;
                        backoff = (backoff * 2).min(std::time::Duration::from_secs(5));
                    }
                }
            }
        });
        rx
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
            if mode != Mode::Write {
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

/// Listens until the receiver goes away (`Ok`) or the connection fails.
async fn listen_once(
    config: &tokio_postgres::Config,
    channel: &str,
    tx: &tokio::sync::mpsc::Sender<String>,
) -> Result<(), String> {
    let (client, mut connection) = config
        .connect(tokio_postgres::NoTls)
        .await
        .map_err(|e| e.to_string())?;
    let forward = tx.clone();
    // The connection delivers notifications only while it is polled.
    let driver = tokio::spawn(async move {
        loop {
            match futures::future::poll_fn(|cx| connection.poll_message(cx)).await {
                Some(Ok(tokio_postgres::AsyncMessage::Notification(n))) => {
                    if forward.send(n.payload().to_string()).await.is_err() {
                        return Ok(());
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e.to_string()),
                None => return Err("connection closed".to_string()),
            }
        }
    });
    client
        .batch_execute(&format!("LISTEN {channel}"))
        .await
        .map_err(|e| e.to_string())?;
    let outcome = driver.await.map_err(|e| e.to_string())?;
    drop(client);
    outcome
}
