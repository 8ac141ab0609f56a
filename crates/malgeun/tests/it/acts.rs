//! The rest of the Korean conventions over HTTP: 보류, 전단계 반려, 전결, 참조, restricted kinds,
//! 공문 접수, corrections of registered documents, a complex's own catalogue, and cookie sessions.

use serde_json::json;

use crate::on_both_engines;
use crate::support::{Env, PASSWORD, expense_form};

fn small_expense() -> serde_json::Value {
    json!({
        "spent_on": "2026-11-20",
        "items": [{"summary": "복사용지", "vendor": "오피스문구", "amount": 48000}],
        "method": "법인카드",
        "budget_item": "사무용품비",
        "evidence": "카드매출전표",
    })
}

async fn hold_previous_step_delegation_and_reference(env: &Env) {
    let accountant = env.login("accountant").await;
    let facility = env.login("facility").await;
    let manager = env.login("manager").await;
    let chair = env.login("chair").await;
    let line = json!([
        {"kind": "review", "positions": [env.position("facility").to_string()]},
        {"kind": "final", "positions": [env.position("manager").to_string()]},
        {"kind": "reference", "positions": [env.position("chair").to_string()]},
    ]);
    let doc = accountant
        .post("documents", json!({"kind": "expense-resolution", "title": "보류와 전단계 반려", "form": expense_form(), "line": line, "submit": true}))
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        chair.counts().await["reference"],
        1,
        "참조 sees it while in approval"
    );
    assert_eq!(chair.counts().await["waiting"], 0, "참조 never waits");
    facility.act(&doc, "approve", None).await.expect(200);
    // 보류: only the holder may act next.
    assert_eq!(
        manager
            .act(&doc, "hold", Some("예산 확인 후 결재"))
            .await
            .expect(200)["outcome"],
        "held"
    );
    assert_eq!(manager.counts().await["waiting"], 1);
    // 전단계 반려: back to the reviewer, whose approval is reset.
    assert_eq!(
        manager
            .act(&doc, "reject_to_previous", Some("견적 재확인 바랍니다"))
            .await
            .expect(200)["outcome"],
        "returned_to_previous"
    );
    assert_eq!(facility.counts().await["waiting"], 1);
    assert_eq!(manager.counts().await["waiting"], 0);
    facility
        .act(&doc, "approve", Some("재확인 완료"))
        .await
        .expect(200);
    assert_eq!(
        manager.act(&doc, "approve", None).await.expect(200)["outcome"],
        "registered"
    );
    let view = chair.get(&format!("documents/{doc}")).await.expect(200);
    assert_eq!(view["line"][2]["members"][0]["state"], "informed");
    let labels: Vec<&str> = view["approvals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["승인", "보류", "반려", "승인", "승인"]);

    // 전결: the 시설과장 may give final approval for small amounts (≤ 300,000원) …
    let small = accountant
        .post("documents", json!({"kind": "expense-resolution", "title": "복사용지 구입", "form": small_expense(), "submit": true}))
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let view = facility
        .get(&format!("documents/{small}"))
        .await
        .expect(200);
    assert!(
        view["actions"]
            .as_array()
            .unwrap()
            .contains(&json!("delegated_final"))
    );
    assert_eq!(
        facility
            .act(&small, "delegated_final", None)
            .await
            .expect(200)["outcome"],
        "registered"
    );
    let view = manager.get(&format!("documents/{small}")).await.expect(200);
    assert_eq!(view["line"][0]["members"][0]["stamp"], "전결");
    assert_eq!(view["line"][1]["members"][0]["state"], "skipped");
    // … but not for 670,000원.
    let big = accountant
        .post("documents", json!({"kind": "expense-resolution", "title": "큰 지출", "form": expense_form(), "submit": true}))
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    facility
        .act(&big, "delegated_final", None)
        .await
        .expect_error(403, "delegation_not_allowed");
    assert!(env.app.verify_complex(env.complex).await.unwrap().ok());
}

async fn restricted_received_corrections_catalogue_and_cookies(env: &Env) {
    let accountant = env.login("accountant").await;
    let manager = env.login("manager").await;
    let chair = env.login("chair").await;
    let auditor = env.login("auditor").await;

    // A complaint register names residents: only the drafter and its line may read it.
    let complaint = accountant
        .post(
            "documents",
            json!({
                "kind": "complaint-register",
                "title": "1203호 층간소음 민원",
                "form": {"received_on": "2026-11-20", "channel": "전화", "complainant": "홍길동", "unit": "101동 1203호",
                         "phone": "010-1234-5678", "subject": "층간소음", "content": "야간 소음", "status": "접수"},
                "submit": true,
            }),
        )
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    manager.act(&complaint, "approve", None).await.expect(200);
    chair
        .get(&format!("documents/{complaint}"))
        .await
        .expect_error(404, "document_not_found");
    let register = chair.get("register").await.expect(200);
    let entry = register["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == complaint.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        entry["title"], "(비공개 문서)",
        "the register hides restricted titles from outsiders"
    );
    let register = manager.get("register").await.expect(200);
    assert!(
        register["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["title"] == "1203호 층간소음 민원")
    );

    // A kind's viewers may read it without being on its line: the 감사 reads 지출결의서.
    let expense = accountant
        .post("documents", json!({"kind": "expense-resolution", "title": "감사가 보는 지출", "form": expense_form(), "submit": true}))
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    auditor
        .get(&format!("documents/{expense}"))
        .await
        .expect(200);

    // 공문 접수: registered on receipt, with its scan.
    let manager_upload = manager
        .raw(
            reqwest::Method::POST,
            "blobs",
            "image/png",
            b"\x89PNG scan".to_vec(),
        )
        .await
        .expect(201);
    let received = manager
        .post(
            "received",
            json!({
                "kind": "received-document",
                "title": "동절기 안전점검 실시 안내",
                "form": {"sender": "맑은구청 주택과", "sender_doc_no": "주택과-1234", "received_on": "2026-11-21", "title": "동절기 안전점검 실시 안내"},
                "attachments": [{"name": "공문.png", "media_type": "image/png", "sha256": manager_upload["sha256"]}],
            }),
        )
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let view = manager
        .get(&format!("documents/{received}"))
        .await
        .expect(200);
    assert_eq!(view["status"], "registered");
    assert_eq!(view["received_from"], "맑은구청 주택과");
    assert!(
        view["registration_number"]
            .as_str()
            .unwrap()
            .starts_with("시험아파트-")
    );
    // A received kind cannot be drafted, and an ordinary kind cannot be received.
    manager
        .post(
            "documents",
            json!({"kind": "received-document", "title": "t", "form": {}}),
        )
        .await
        .expect_error(422, "use_receive");
    manager
        .post(
            "received",
            json!({"kind": "expense-resolution", "title": "t", "form": {}}),
        )
        .await
        .expect_error(422, "not_a_received_kind");

    // A correction is a new document linked to the registered original.
    let correction = accountant
        .post(
            "documents",
            json!({"kind": "expense-resolution", "title": "정정: 감사가 보는 지출", "form": expense_form(), "corrects": received.clone()}),
        )
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        accountant
            .get(&format!("documents/{correction}"))
            .await
            .expect(200)["corrects_id"],
        received.as_str()
    );
    accountant
        .post("documents", json!({"kind": "expense-resolution", "title": "t", "form": expense_form(), "corrects": expense}))
        .await
        .expect_error(409, "corrects_unregistered");

    // The complex's own line for 지출결의서: 회장 확인 before the manager (its 관리규약 says so).
    let kind = manager
        .call(
            reqwest::Method::PUT,
            "kinds/expense-resolution/line",
            Some(
                json!({"editable": true, "final_roles": ["manager"], "steps": [
                    {"kind": "review", "roles": ["facility_chief"]},
                    {"kind": "agreement", "roles": ["chair"]},
                    {"kind": "final", "roles": ["manager"]},
                ]}),
            ),
        )
        .await
        .expect(200);
    assert_eq!(kind["version"], 2);
    let doc = accountant
        .post(
            "documents",
            json!({"kind": "expense-resolution", "title": "새 결재선", "form": expense_form()}),
        )
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let view = accountant
        .get(&format!("documents/{doc}"))
        .await
        .expect(200);
    assert_eq!(view["kind_version"], 2);
    let kinds: Vec<&str> = view["line"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["review", "agreement", "final"]);
    // Older documents keep the version they were drafted on.
    assert_eq!(
        accountant
            .get(&format!("documents/{expense}"))
            .await
            .expect(200)["kind_version"],
        1
    );
    // Only an administrator may change the catalogue; a bad line is refused.
    accountant
        .call(
            reqwest::Method::PUT,
            "kinds/expense-resolution/line",
            Some(json!({"editable": true, "final_roles": ["manager"], "steps": []})),
        )
        .await
        .expect_error(403, "admin_only");
    let res = manager
        .call(
            reqwest::Method::PUT,
            "kinds/expense-resolution/line",
            Some(json!({"editable": true, "final_roles": ["manager"], "steps": [{"kind": "review", "roles": ["manager"]}]})),
        )
        .await;
    assert_eq!(res.status.as_u16(), 422, "{}", res.body);
    // The complex's own kind, from TOML.
    let source = r#"
code = "parking-permit"
version = 1
name = "방문차량 장기주차 허가"
category = "주차"
description = "방문차량의 장기 주차를 허가합니다."
retention = "1y"
disclosure = "N"
restricted = true
drafters = ["accountant"]

[line]
final_roles = ["manager"]

[[line.steps]]
kind = "final"
roles = ["manager"]

[[fields]]
key = "plate"
label = "차량번호"
type = "text"
required = true
"#;
    manager
        .post("kinds", json!({"source": source}))
        .await
        .expect(201);
    manager
        .post("kinds", json!({"source": source}))
        .await
        .expect_error(409, "kind_version_conflict");
    accountant
        .post("documents", json!({"kind": "parking-permit", "title": "방문차량 주차", "form": {"plate": "12가 3456"}, "submit": true}))
        .await
        .expect(201);

    // A browser session: the login sets an HttpOnly, SameSite=Strict cookie that works alone.
    let http = reqwest::Client::new();
    let res = http
        .post(format!("{}/api/v1/login", env.base))
        .json(&json!({"login": "chair", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let pair = cookie.split(';').next().unwrap().to_owned();
    let me = http
        .get(format!("{}/api/v1/me", env.base))
        .header("cookie", &pair)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status().as_u16(), 200);
    let me: serde_json::Value = me.json().await.unwrap();
    assert_eq!(me["login"], "chair");
    http.post(format!("{}/api/v1/logout", env.base))
        .header("cookie", &pair)
        .send()
        .await
        .unwrap();
    let me = http
        .get(format!("{}/api/v1/me", env.base))
        .header("cookie", &pair)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status().as_u16(), 401, "logged out");
    assert!(env.app.verify_complex(env.complex).await.unwrap().ok());
}

on_both_engines!(
    hold_previous_step_delegation_and_reference,
    acts_sqlite,
    acts_postgres
);
on_both_engines!(
    restricted_received_corrections_catalogue_and_cookies,
    records_sqlite,
    records_postgres
);

async fn one_person_in_two_complexes(env: &Env) {
    // A management company's accountant also keeps the books of the neighbouring complex.
    let person = env
        .app
        .person_by_login("accountant")
        .await
        .unwrap()
        .unwrap();
    let position = env
        .app
        .create_position_unchecked(
            env.other_complex,
            malgeun_app::org::NewPosition {
                title: "경리주임 (겸직)".into(),
                role: "accountant".into(),
                is_admin: false,
            },
        )
        .await
        .unwrap();
    env.app
        .appoint_unchecked(env.other_complex, None, position, person)
        .await
        .unwrap();
    let accountant = env.login("accountant").await;
    let me = accountant.get("/api/v1/me").await.expect(200);
    let mut names: Vec<&str> = me["complexes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["시험아파트", "이웃아파트"]);
    // Drafting in the neighbour's complex: the default line goes to the neighbour's manager there.
    let theirs = format!("/api/v1/complexes/{}", env.other_complex);
    let created = accountant
        .call(
            reqwest::Method::POST,
            &format!("{theirs}/documents"),
            Some(json!({"kind": "expense-resolution", "title": "이웃 단지 지출", "form": small_expense(), "submit": true})),
        )
        .await
        .expect(201);
    let doc = created["id"].as_str().unwrap().to_owned();
    let neighbour = env.login("neighbour").await;
    let inbox = neighbour
        .call(reqwest::Method::GET, &format!("{theirs}/inbox"), None)
        .await
        .expect(200);
    assert_eq!(inbox["counts"][0]["count"], 1);
    // Nothing of it shows in the first complex, where the same person also works.
    assert_eq!(accountant.counts().await["in_progress"], 0);
    env.login("manager")
        .await
        .get(&format!("documents/{doc}"))
        .await
        .expect_error(404, "document_not_found");
    let done = neighbour
        .call(
            reqwest::Method::POST,
            &format!("{theirs}/documents/{doc}/actions"),
            Some(json!({"action": "approve"})),
        )
        .await
        .expect(200);
    assert_eq!(done["outcome"], "registered");
    let view = accountant
        .call(
            reqwest::Method::GET,
            &format!("{theirs}/documents/{doc}"),
            None,
        )
        .await
        .expect(200);
    assert!(
        view["registration_number"]
            .as_str()
            .unwrap()
            .starts_with("이웃아파트-"),
        "numbered by its own complex"
    );
    // Not an administrator there.
    accountant
        .call(
            reqwest::Method::POST,
            &format!("{theirs}/positions"),
            Some(json!({"title": "x", "role": "clerk"})),
        )
        .await
        .expect_error(403, "admin_only");
    assert!(
        env.app
            .verify_complex(env.other_complex)
            .await
            .unwrap()
            .ok()
    );
    assert!(env.app.verify_complex(env.complex).await.unwrap().ok());
}

on_both_engines!(
    one_person_in_two_complexes,
    two_complexes_sqlite,
    two_complexes_postgres
);
