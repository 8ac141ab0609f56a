//! The OpenAPI document served by the running server is pinned by a snapshot: an API change shows
//! up as a reviewed diff.

use crate::support::{Engine, Env};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_document_is_served_and_stable() {
    let env = Env::start(Engine::Sqlite).await.expect("SQLite");
    let res = reqwest::get(format!("{}/api/v1/openapi.json", env.base))
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let doc: serde_json::Value = res.json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    insta::assert_json_snapshot!("openapi", doc);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_routes_answer_json_404() {
    let env = Env::start(Engine::Sqlite).await.expect("SQLite");
    let res = reqwest::get(format!("{}/api/v1/nothing-here", env.base))
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 404);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["code"], "no_such_route");
}
