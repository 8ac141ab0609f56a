//! The writer: write commands run on one dedicated thread with its own single-threaded runtime.
//!
//! A write transaction holds the complex's ledger head lock (and on SQLite the only writer
//! connection) across a dozen statements. On the shared request runtime, every statement's
//! completion waits for a worker thread to come back from other requests, so under load the lock
//! is held mostly while waiting in a run queue. On this thread nothing else competes: each await
//! resumes at once, and the lock is held only as long as the work takes.

use std::future::Future;
use std::pin::Pin;

use tokio::sync::{mpsc, oneshot};

use crate::error::AppError;

type Job = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A handle to the writer thread.
#[derive(Clone, Debug)]
pub struct Writer {
    jobs: mpsc::UnboundedSender<Job>,
}

impl Writer {
    /// Starts the writer thread.
    pub fn start() -> std::io::Result<Self> {
        let (jobs, mut rx) = mpsc::unbounded_channel::<Job>();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        std::thread::Builder::new()
            .name("malgeun-writer".into())
            .spawn(move || {
                rt.block_on(async move {
                    while let Some(job) = rx.recv().await {
                        tokio::spawn(job);
                    }
                });
            })?;
        Ok(Self { jobs })
    }

    /// Runs a future on the writer thread and waits for its result.
    pub async fn run<F, T>(&self, fut: F) -> Result<T, AppError>
    where
        F: Future<Output = Result<T, AppError>> + Send + 'static,
        T: Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::pin(async move {
            let _ = tx.send(fut.await);
        });
        self.jobs
            .send(job)
            .map_err(|_| AppError::internal("the writer thread has stopped"))?;
        rx.await
            .map_err(|_| AppError::internal("a write command was dropped"))?
    }
}
