//! The integration tests: a real server on 127.0.0.1:0 driven over HTTP, on SQLite always and on
//! PostgreSQL when `MALGEUN_TEST_POSTGRES_URL` is set.

mod acts;
mod bad_input;
mod concurrency;
mod demo;
mod extraction;
mod flow;
mod import;
mod openapi;
mod pages;
mod search;
mod support;
mod tamper;

/// Declares a scenario as one test per engine.
macro_rules! on_both_engines {
    ($scenario:path, $sqlite:ident, $postgres:ident) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $sqlite() {
            let env = crate::support::Env::start(crate::support::Engine::Sqlite)
                .await
                .expect("SQLite always runs");
            $scenario(&env).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $postgres() {
            if let Some(env) = crate::support::Env::start(crate::support::Engine::Postgres).await {
                $scenario(&env).await;
            }
        }
    };
}
pub(crate) use on_both_engines;
