//! The demo's documents: a few months of an office's work in every state.

use malgeun_app::App;
use malgeun_app::documents::DraftInput;
use malgeun_domain::Timestamp;
use serde_json::json;

use super::{Demo, app_err};

/// When the demo history begins (Seoul morning, 1 August 2026).
pub fn start_time() -> Timestamp {
    Timestamp::parse_rfc3339("2026-08-03T00:30:00Z").expect("valid time")
}

/// Seeds the documents.
pub async fn seed(app: &App, demo: &Demo) -> anyhow::Result<()> {
    let accountant = demo.person("accountant").caller();
    let id = app
        .create_draft(
            &accountant,
            demo.complex,
            DraftInput {
                kind_code: "expense-resolution".into(),
                title: "8월 승강기 정기점검 비용 지출".into(),
                body: "승강기 정기점검 용역비를 아래와 같이 지출하고자 합니다.".into(),
                form: json!({
                    "spent_on": "2026-08-05",
                    "items": [{"summary": "승강기 정기점검 용역", "vendor": "한국승강기(주)", "amount": 550000}],
                    "payment_method": "계좌이체",
                    "budget_item": "승강기 유지비",
                }),
                ..DraftInput::default()
            },
        )
        .await
        .map_err(app_err)?;
    let _ = id;
    Ok(())
}
