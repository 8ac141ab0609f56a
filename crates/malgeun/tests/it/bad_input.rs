//! Bad input gets its own error code and changes nothing: the database row counts, the ledger and
//! its signed checkpoints are the same before and after each refused request.

use serde_json::json;

use crate::on_both_engines;
use crate::support::{Env, expense_form, snapshot};

async fn refused_requests_change_nothing(env: &Env) {
    let accountant = env.login("accountant").await;
    let facility = env.login("facility").await;
    let manager = env.login("manager").await;
    let chair = env.login("chair").await;
    let neighbour = env.login("neighbour").await;

    // Documents in the states the cases need: one in approval (reviewed once), one withdrawn, one registered.
    let new_doc = |title: &'static str| {
        let accountant = accountant.clone();
        async move {
            accountant
                .post("documents", json!({"kind": "expense-resolution", "title": title, "form": expense_form(), "submit": true}))
                .await
                .expect(201)["id"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    let in_progress = new_doc("진행 중 문서").await;
    facility
        .act(&in_progress, "approve", None)
        .await
        .expect(200);
    let withdrawn = new_doc("회수할 문서").await;
    accountant
        .post(&format!("documents/{withdrawn}/withdraw"), json!({}))
        .await
        .expect(200);
    let registered = new_doc("등록된 문서").await;
    facility.act(&registered, "approve", None).await.expect(200);
    manager.act(&registered, "approve", None).await.expect(200);

    let before = snapshot(env).await;
    let raw = reqwest::Client::new();
    let url = format!("{}/api/v1/complexes/{}/documents", env.base, env.complex);

    // Malformed JSON.
    let res = raw
        .post(&url)
        .bearer_auth(&accountant.token)
        .header("content-type", "application/json")
        .body("{\"kind\": \"expense-resolution\", ")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 400);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["code"], "malformed_json");

    // Wrong field types.
    accountant
        .post(
            "documents",
            json!({"kind": "expense-resolution", "title": 42, "form": expense_form()}),
        )
        .await
        .expect_error(422, "invalid_request");
    let mut form = expense_form();
    form["items"][0]["amount"] = json!("오십만원");
    let res = accountant
        .post(
            "documents",
            json!({"kind": "expense-resolution", "title": "t", "form": form}),
        )
        .await;
    assert_eq!(
        res.body["fields"][0]["field"], "items[0].amount",
        "{}",
        res.body
    );
    assert_eq!(res.body["fields"][0]["code"], "invalid_type");
    res.expect_error(422, "form_invalid");

    // Unknown kind.
    accountant
        .post(
            "documents",
            json!({"kind": "no-such-kind", "title": "t", "form": {}}),
        )
        .await
        .expect_error(422, "unknown_kind");

    // Missing required field, and a total that does not add up: all problems at once.
    let mut form = expense_form();
    form.as_object_mut().unwrap().remove("spent_on");
    form["items_total"] = json!(1);
    let res = accountant
        .post(
            "documents",
            json!({"kind": "expense-resolution", "title": "t", "form": form}),
        )
        .await;
    let codes: Vec<&str> = res.body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"required") && codes.contains(&"total_mismatch"),
        "{codes:?}"
    );
    res.expect_error(422, "form_invalid");

    // Oversize file (the test server allows 1 MB).
    accountant
        .raw(
            reqwest::Method::POST,
            "blobs",
            "application/octet-stream",
            vec![0u8; 1024 * 1024 + 1],
        )
        .await
        .expect_error(413, "file_too_large");
    accountant
        .raw(
            reqwest::Method::POST,
            &format!("documents/{in_progress}/attachments?name=big.bin"),
            "application/octet-stream",
            vec![1u8; 1024 * 1024 + 1],
        )
        .await
        .expect_error(413, "file_too_large");

    // Approval by someone not on the line, and before their turn.
    chair
        .act(&in_progress, "approve", None)
        .await
        .expect_error(403, "not_on_line");
    // Double approval.
    facility
        .act(&in_progress, "approve", None)
        .await
        .expect_error(409, "already_acted");
    // A 반려 without a reason.
    manager
        .act(&in_progress, "reject", None)
        .await
        .expect_error(422, "reason_required");
    // An unknown action.
    manager
        .act(&in_progress, "bless", None)
        .await
        .expect_error(422, "unknown_action");
    // Approving something else than what was seen.
    manager
        .post(
            &format!("documents/{in_progress}/actions"),
            json!({"action": "approve", "content_sha256": "00".repeat(32)}),
        )
        .await
        .expect_error(409, "content_changed");
    // 전결 where the kind does not allow this position.
    manager
        .act(&in_progress, "delegated_final", None)
        .await
        .expect_error(403, "delegation_not_allowed");
    // 회수 after someone acted.
    accountant
        .post(&format!("documents/{in_progress}/withdraw"), json!({}))
        .await
        .expect_error(409, "already_acted_on");

    // Actions on a withdrawn document.
    manager
        .act(&withdrawn, "approve", None)
        .await
        .expect_error(409, "not_in_approval");
    accountant
        .post(&format!("documents/{withdrawn}/withdraw"), json!({}))
        .await
        .expect_error(409, "not_withdrawable");

    // Actions on a registered document: nothing about it may change.
    manager
        .act(&registered, "approve", None)
        .await
        .expect_error(409, "already_registered");
    manager
        .act(&registered, "reject", Some("다시"))
        .await
        .expect_error(409, "already_registered");
    accountant
        .call(
            reqwest::Method::PATCH,
            &format!("documents/{registered}"),
            Some(json!({"title": "고침"})),
        )
        .await
        .expect_error(409, "not_editable");
    accountant
        .raw(
            reqwest::Method::POST,
            &format!("documents/{registered}/attachments?name=a.txt"),
            "text/plain",
            b"x".to_vec(),
        )
        .await
        .expect_error(409, "not_editable");
    accountant
        .post(&format!("documents/{registered}/revise"), json!({}))
        .await
        .expect_error(409, "not_revisable");

    // Another complex's documents do not exist for the neighbour, whichever way they ask.
    neighbour
        .get(&format!("documents/{registered}"))
        .await
        .expect_error(404, "complex_not_found");
    neighbour
        .act(&in_progress, "approve", None)
        .await
        .expect_error(404, "complex_not_found");
    let theirs = format!(
        "/api/v1/complexes/{}/documents/{registered}",
        env.other_complex
    );
    neighbour
        .call(reqwest::Method::GET, &theirs, None)
        .await
        .expect_error(404, "document_not_found");
    neighbour
        .call(
            reqwest::Method::POST,
            &format!("{theirs}/actions"),
            Some(json!({"action": "approve"})),
        )
        .await
        .expect_error(404, "document_not_found");
    let ours = format!("/api/v1/complexes/{}/ledger/checkpoint", env.complex);
    neighbour
        .call(reqwest::Method::GET, &ours, None)
        .await
        .expect_error(404, "complex_not_found");
    // Not logged in.
    let res = raw
        .get(format!(
            "{}/api/v1/complexes/{}/inbox",
            env.base, env.complex
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 401);
    // Wrong password.
    let res = raw
        .post(format!("{}/api/v1/login", env.base))
        .json(&json!({"login": "manager", "password": "wrong-password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 401);

    assert_eq!(
        snapshot(env).await,
        before,
        "a refused request changed the database or the ledger"
    );
    assert!(env.app.verify_complex(env.complex).await.unwrap().ok());
}

on_both_engines!(
    refused_requests_change_nothing,
    bad_input_sqlite,
    bad_input_postgres
);
