//! 50 clients approving 500 documents of one complex at once: 500 distinct, gapless registration
//! numbers and a ledger that verifies.

use malgeun_app::documents::{DraftInput, StepInput};
use malgeun_domain::approval::StepKind;
use serde_json::json;

use crate::on_both_engines;
use crate::support::{Env, expense_form};

const DOCUMENTS: usize = 500;
const CLIENTS: usize = 50;

async fn concurrent_approvals_number_gaplessly(env: &Env) {
    let accountant = malgeun_app::Caller {
        person: env
            .app
            .person_by_login("accountant")
            .await
            .unwrap()
            .unwrap(),
        name: "이경리".into(),
        login: "accountant".into(),
        operator: false,
    };
    let mut docs = Vec::with_capacity(DOCUMENTS);
    for i in 0..DOCUMENTS {
        let id = env
            .app
            .create_draft(
                &accountant,
                env.complex,
                DraftInput {
                    kind_code: "expense-resolution".into(),
                    title: format!("동시 결재 시험 {i}"),
                    form: expense_form(),
                    line: Some(vec![StepInput {
                        kind: StepKind::Final,
                        positions: vec![env.position("manager")],
                    }]),
                    ..DraftInput::default()
                },
            )
            .await
            .unwrap();
        env.app.submit(&accountant, env.complex, id).await.unwrap();
        docs.push(id.to_string());
    }
    let manager = env.login("manager").await;
    let mut tasks = Vec::new();
    for chunk in docs.chunks(DOCUMENTS / CLIENTS) {
        let chunk = chunk.to_vec();
        // Each client its own connection pool: 50 clients, not one client with 50 requests.
        let client = reqwest::Client::new();
        let base = format!("{}/api/v1/complexes/{}", env.base, env.complex);
        let token = manager.token.clone();
        tasks.push(tokio::spawn(async move {
            for doc in chunk {
                let res = client
                    .post(format!("{base}/documents/{doc}/actions"))
                    .bearer_auth(&token)
                    .json(&json!({"action": "approve"}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status().as_u16(), 200, "{}", res.text().await.unwrap());
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let register = manager
        .get(&format!("register?limit={DOCUMENTS}"))
        .await
        .expect(200);
    let mut serials: Vec<u32> = register["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let n = d["registration_number"].as_str().unwrap();
            malgeun_domain::registration::RegistrationNumber::parse(n)
                .unwrap()
                .serial
        })
        .collect();
    serials.sort_unstable();
    let expected: Vec<u32> = (1..=u32::try_from(DOCUMENTS).unwrap()).collect();
    assert_eq!(
        serials, expected,
        "registration numbers must be distinct and gapless"
    );
    let report = env.app.verify_complex(env.complex).await.unwrap();
    assert!(report.ok(), "{:?}", report.problems);
    crate::support::assert_tabs_derived(env).await;
    crate::support::assert_counts_match_lists(env).await;
}

on_both_engines!(
    concurrent_approvals_number_gaplessly,
    concurrency_sqlite,
    concurrency_postgres
);
