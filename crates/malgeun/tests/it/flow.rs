//! The Korean approval flows end to end: 지출결의서 through 검토 → 협조 (two in parallel) → 반려 →
//! 재기안 → 결재 → registration; and 대결 followed by 후결.

use serde_json::json;

use crate::on_both_engines;
use crate::support::{Env, expense_form};

async fn expense_through_rejection_and_resubmission(env: &Env) {
    let accountant = env.login("accountant").await;
    let facility = env.login("facility").await;
    let chair = env.login("chair").await;
    let auditor = env.login("auditor").await;
    let manager = env.login("manager").await;

    // An attachment first (content-addressed upload), then the draft referencing it.
    let receipt = b"%PDF-1.4\n% receipt of the lift maintenance contractor\n".to_vec();
    let blob = accountant
        .raw(
            reqwest::Method::POST,
            "blobs",
            "application/pdf",
            receipt.clone(),
        )
        .await
        .expect(201);
    let sha = blob["sha256"].as_str().unwrap().to_owned();
    let line = json!([
        {"kind": "review", "positions": [env.position("facility").to_string()]},
        {"kind": "agreement", "positions": [env.position("chair").to_string(), env.position("auditor").to_string()]},
        {"kind": "final", "positions": [env.position("manager").to_string()]},
    ]);
    let created = accountant
        .post(
            "documents",
            json!({
                "kind": "expense-resolution",
                "title": "11월 승강기 점검 및 감지기 교체 비용 지출",
                "body": "아래와 같이 지출하고자 합니다.",
                "form": expense_form(),
                "line": line,
                "attachments": [{"name": "영수증.pdf", "media_type": "application/pdf", "sha256": sha}],
            }),
        )
        .await
        .expect(201);
    let doc = created["id"].as_str().unwrap().to_owned();
    let view = accountant
        .get(&format!("documents/{doc}"))
        .await
        .expect(200);
    assert_eq!(view["status"], "draft");
    assert_eq!(
        view["form"]["items_total"], 670_000,
        "total computed from the two rows"
    );
    assert_eq!(view["attachments"][0]["sha256"], sha.as_str());
    assert_eq!(view["attachments"][0]["size"], receipt.len());
    // A draft is the drafter's alone.
    facility
        .get(&format!("documents/{doc}"))
        .await
        .expect_error(404, "document_not_found");

    accountant
        .post(&format!("documents/{doc}/submit"), json!({}))
        .await
        .expect(200);
    assert_eq!(facility.counts().await["waiting"], 1);
    assert_eq!(
        chair.counts().await["waiting"],
        0,
        "the agreement step is not reached yet"
    );
    assert_eq!(accountant.counts().await["in_progress"], 1);

    // 검토 → 협조 (both in parallel).
    let hash_seen =
        facility.get(&format!("documents/{doc}")).await.expect(200)["content_sha256"].clone();
    facility
        .post(
            &format!("documents/{doc}/actions"),
            json!({"action": "approve", "content_sha256": hash_seen}),
        )
        .await
        .expect(200);
    assert_eq!(chair.counts().await["waiting"], 1);
    assert_eq!(auditor.counts().await["waiting"], 1);
    assert_eq!(
        chair.act(&doc, "approve", None).await.expect(200)["outcome"],
        "recorded"
    );
    // The auditor rejects: back to the drafter.
    auditor
        .act(&doc, "reject", None)
        .await
        .expect_error(422, "reason_required");
    assert_eq!(
        auditor
            .act(&doc, "reject", Some("감지기 교체 견적서가 없습니다."))
            .await
            .expect(200)["outcome"],
        "rejected"
    );
    assert_eq!(accountant.counts().await["rejected"], 1);
    assert_eq!(manager.counts().await["waiting"], 0);

    // 재기안: a new version with the quotation attached, history kept.
    assert_eq!(
        accountant
            .post(&format!("documents/{doc}/revise"), json!({}))
            .await
            .expect(200)["version"],
        2
    );
    accountant
        .raw(
            reqwest::Method::POST,
            &format!("documents/{doc}/attachments?name=%EA%B2%AC%EC%A0%81%EC%84%9C.txt"),
            "text/plain",
            "견적서: 감지기 4개 120,000원".as_bytes().to_vec(),
        )
        .await
        .expect(201);
    accountant
        .post(&format!("documents/{doc}/submit"), json!({}))
        .await
        .expect(200);
    for (who, c) in [
        ("facility", &facility),
        ("chair", &chair),
        ("auditor", &auditor),
    ] {
        let r = c.act(&doc, "approve", None).await;
        assert_eq!(r.status.as_u16(), 200, "{who}: {}", r.body);
    }
    assert_eq!(manager.counts().await["waiting"], 1);
    assert_eq!(
        manager.act(&doc, "approve", None).await.expect(200)["outcome"],
        "registered"
    );

    // Registered: in the register with its number; nothing can change it any more.
    let view = manager.get(&format!("documents/{doc}")).await.expect(200);
    assert_eq!(view["status"], "registered");
    let year = view["registered_at"].as_str().unwrap()[..4].to_owned();
    let number = view["registration_number"].as_str().unwrap().to_owned();
    assert!(
        number.starts_with(&format!("시험아파트-{year}-")),
        "{number}"
    );
    assert_eq!(view["versions"].as_array().unwrap().len(), 2);
    assert_eq!(view["attachments"].as_array().unwrap().len(), 2);
    let approvals = view["approvals"].as_array().unwrap();
    let decisions: Vec<(&str, i64)> = approvals
        .iter()
        .map(|a| {
            (
                a["decision"].as_str().unwrap(),
                a["version"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        decisions,
        [
            ("approve", 1),
            ("approve", 1),
            ("reject", 1),
            ("approve", 2),
            ("approve", 2),
            ("approve", 2),
            ("approve", 2)
        ]
    );
    let v2_hash = view["content_sha256"].as_str().unwrap();
    assert!(
        approvals
            .iter()
            .filter(|a| a["version"] == 2)
            .all(|a| a["content_sha256"] == v2_hash),
        "every approval records the hash it approved"
    );
    assert_ne!(approvals[0]["content_sha256"], v2_hash);
    let register = manager
        .get(&format!("register?year={year}"))
        .await
        .expect(200);
    let items = register["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["registration_number"], number.as_str());
    assert_eq!(
        items[0]["title"],
        "11월 승강기 점검 및 감지기 교체 비용 지출"
    );
    for (login, tab) in [
        ("accountant", "done"),
        ("facility", "done"),
        ("manager", "done"),
    ] {
        let c = env.login(login).await;
        assert_eq!(c.counts().await[tab], 1, "{login} {tab}");
        assert_eq!(c.counts().await["waiting"], 0, "{login} waiting");
    }
    accountant
        .call(
            reqwest::Method::PATCH,
            &format!("documents/{doc}"),
            Some(json!({"title": "바꾼 제목"})),
        )
        .await
        .expect_error(409, "not_editable");
    manager
        .act(&doc, "approve", None)
        .await
        .expect_error(409, "already_registered");

    // History from the ledger: every step, in order, each provable.
    let history = manager
        .get(&format!("documents/{doc}/history"))
        .await
        .expect(200);
    let events: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        events,
        [
            "document.draft",
            "document.submit",
            "document.approve",
            "document.approve",
            "document.reject",
            "document.revise",
            "document.attach",
            "document.submit",
            "document.approve",
            "document.approve",
            "document.approve",
            "document.approve",
        ]
    );
    let checkpoint = manager.get("ledger/checkpoint").await.expect(200);
    let size = checkpoint["size"].as_u64().unwrap();
    let entry = manager.last_entry_of(&doc).await;
    let last = entry["index"].as_u64().unwrap();
    assert_eq!(entry["event"], "document.approve");
    // The payload names each row by the SHA-256 of its image; the images are kept beside it.
    assert_eq!(entry["images_intact"], true, "{entry}");
    let payload: serde_json::Value =
        serde_json::from_str(entry["payload"].as_str().unwrap()).unwrap();
    assert_eq!(payload["v"], 2);
    let named = payload["rows"].as_array().unwrap();
    let images = entry["images"].as_array().unwrap();
    assert_eq!(named.len(), images.len());
    for (row, image) in named.iter().zip(images) {
        let image = image.as_str().unwrap();
        assert_eq!(
            row[2].as_str().unwrap(),
            malgeun_domain::content::Sha256Hash::of(image.as_bytes()).to_hex()
        );
    }
    assert!(
        images
            .iter()
            .any(|i| i.as_str().unwrap().contains("\"registration_number\":\""))
    );
    let proof = manager
        .get(&format!("ledger/inclusion?index={last}&size={size}"))
        .await
        .expect(200);
    check_inclusion(&entry, &proof, &checkpoint);
    let consistency = manager
        .get(&format!("ledger/consistency?old={}&new={size}", last + 1))
        .await
        .expect(200);
    check_consistency(&consistency, &checkpoint);

    let report = env.app.verify_complex(env.complex).await.unwrap();
    assert!(report.ok(), "{:?}", report.problems);
    assert_eq!(report.entries, size);
    crate::support::assert_tabs_derived(env).await;
    crate::support::assert_counts_match_lists(env).await;
}

fn b64(s: &serde_json::Value) -> malgeun_ledger::Hash {
    malgeun_ledger::Hash::from_base64(s.as_str().unwrap()).unwrap()
}

fn check_inclusion(
    entry: &serde_json::Value,
    proof: &serde_json::Value,
    checkpoint: &serde_json::Value,
) {
    let leaf = malgeun_ledger::leaf_hash(entry["payload"].as_str().unwrap().as_bytes());
    assert_eq!(leaf, b64(&entry["leaf_hash"]));
    let path: Vec<_> = proof["proof"].as_array().unwrap().iter().map(b64).collect();
    let verifier =
        malgeun_ledger::NoteVerifier::from_vkey(checkpoint["verifier_key"].as_str().unwrap())
            .unwrap();
    let cp =
        malgeun_ledger::Checkpoint::open(checkpoint["note"].as_str().unwrap(), &verifier).unwrap();
    assert_eq!(cp.size, proof["size"].as_u64().unwrap());
    malgeun_ledger::verify_inclusion(
        &leaf,
        proof["index"].as_u64().unwrap(),
        cp.size,
        &path,
        &cp.root,
    )
    .unwrap();
}

fn check_consistency(c: &serde_json::Value, checkpoint: &serde_json::Value) {
    let path: Vec<_> = c["proof"].as_array().unwrap().iter().map(b64).collect();
    assert_eq!(b64(&c["new_root"]), b64(&checkpoint["root"]));
    malgeun_ledger::verify_consistency(
        c["old_size"].as_u64().unwrap(),
        c["new_size"].as_u64().unwrap(),
        &b64(&c["old_root"]),
        &b64(&c["new_root"]),
        &path,
    )
    .unwrap();
}

async fn deputy_and_post_confirmation(env: &Env) {
    let accountant = env.login("accountant").await;
    let facility = env.login("facility").await;
    let manager = env.login("manager").await;
    // The 관리사무소장 names the 시설과장 as deputy (대결자).
    manager
        .call(
            reqwest::Method::PUT,
            &format!("positions/{}/deputy", env.position("manager")),
            Some(json!({"deputy_position_id": env.position("facility").to_string()})),
        )
        .await
        .expect(200);
    let line = json!([{"kind": "final", "positions": [env.position("manager").to_string()]}]);
    let doc = accountant
        .post(
            "documents",
            json!({"kind": "expense-resolution", "title": "관리사무소 복사용지 구입", "form": expense_form(), "line": line, "submit": true}),
        )
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // The deputy sees the manager's waiting document and approves it as 대결.
    assert_eq!(facility.counts().await["waiting"], 1);
    let view = facility.get(&format!("documents/{doc}")).await.expect(200);
    assert!(
        view["actions"]
            .as_array()
            .unwrap()
            .contains(&json!("approve_as_deputy"))
    );
    facility
        .act(&doc, "post_confirm", None)
        .await
        .expect_error(403, "not_on_line");
    assert_eq!(
        facility.act(&doc, "approve", None).await.expect(200)["outcome"],
        "registered"
    );
    let view = manager.get(&format!("documents/{doc}")).await.expect(200);
    assert_eq!(view["status"], "registered");
    assert_eq!(view["line"][0]["members"][0]["stamp"], "대결");
    assert_eq!(view["line"][0]["members"][0]["acted_by"], "박시설");
    assert!(
        view["actions"]
            .as_array()
            .unwrap()
            .contains(&json!("post_confirm"))
    );
    let number = view["registration_number"].clone();
    // The manager confirms afterwards (후결); the registered document itself does not change.
    assert_eq!(
        manager.act(&doc, "post_confirm", None).await.expect(200)["outcome"],
        "confirmed"
    );
    manager
        .act(&doc, "post_confirm", None)
        .await
        .expect_error(409, "nothing_to_confirm");
    let view = manager.get(&format!("documents/{doc}")).await.expect(200);
    assert_eq!(view["line"][0]["members"][0]["stamp"], "대결·후결");
    assert_eq!(view["registration_number"], number);
    let events: Vec<String> = manager
        .get(&format!("documents/{doc}/history"))
        .await
        .expect(200)
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["event"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        events,
        [
            "document.draft",
            "document.submit",
            "document.approve_as_deputy",
            "document.post_confirm"
        ]
    );
    let approvals = view["approvals"].as_array().unwrap();
    assert_eq!(approvals[0]["proxy"], true);
    assert_eq!(approvals[0]["person_name"], "박시설");
    assert_eq!(approvals[1]["decision"], "post_confirm");
    assert!(env.app.verify_complex(env.complex).await.unwrap().ok());
    crate::support::assert_tabs_derived(env).await;
    crate::support::assert_counts_match_lists(env).await;
}

async fn handover_moves_pending_work(env: &Env) {
    let accountant = env.login("accountant").await;
    let manager = env.login("manager").await;
    let doc = accountant
        .post("documents", json!({"kind": "expense-resolution", "title": "화단 정비 비용", "form": expense_form(), "submit": true}))
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let facility = env.login("facility").await;
    assert_eq!(facility.counts().await["waiting"], 1);
    // The 시설과장 leaves; a successor takes the position (인수인계) and finds the work waiting.
    manager
        .post("/api/v1/persons", json!({"login": "successor", "name": "한후임", "password": crate::support::PASSWORD, "complex": env.complex.to_string()}))
        .await
        .expect(201);
    manager
        .call(
            reqwest::Method::PUT,
            &format!("positions/{}/holder", env.position("facility")),
            Some(json!({"login": "successor"})),
        )
        .await
        .expect(200);
    let successor = env.login("successor").await;
    assert_eq!(successor.counts().await["waiting"], 1);
    assert_eq!(
        facility.get("inbox").await.status.as_u16(),
        404,
        "the predecessor no longer belongs to the complex"
    );
    assert_eq!(
        successor.act(&doc, "approve", None).await.expect(200)["outcome"],
        "advanced"
    );
    let terms = manager
        .get(&format!("positions/{}/terms", env.position("facility")))
        .await
        .expect(200);
    let terms = terms.as_array().unwrap();
    assert_eq!(terms.len(), 2);
    assert!(terms[0]["ended_at"].is_string());
    assert_eq!(terms[1]["person_name"], "한후임");
    assert!(env.app.verify_complex(env.complex).await.unwrap().ok());
    crate::support::assert_tabs_derived(env).await;
    crate::support::assert_counts_match_lists(env).await;
}

on_both_engines!(
    expense_through_rejection_and_resubmission,
    expense_flow_sqlite,
    expense_flow_postgres
);
on_both_engines!(
    deputy_and_post_confirmation,
    deputy_flow_sqlite,
    deputy_flow_postgres
);
on_both_engines!(
    handover_moves_pending_work,
    handover_sqlite,
    handover_postgres
);
