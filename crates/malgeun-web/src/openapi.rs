//! The OpenAPI 3.1 document of the JSON API, written out by hand next to the routes (a test checks
//! that every route is documented and a snapshot test pins the document).

use serde_json::{Value, json};

fn op(
    summary: &str,
    tag: &str,
    params: &[&str],
    body: Option<&str>,
    ok: (&str, &str),
    errors: &[&str],
) -> Value {
    let mut parameters: Vec<Value> = Vec::new();
    for p in params {
        let (name, location, ty) = match *p {
            "tab" | "kind" | "q" | "status" | "from" | "to" | "sort" => (*p, "query", "string"),
            "limit" | "offset" | "year" | "size" | "old" | "new" | "index_q" => {
                (p.trim_end_matches("_q"), "query", "integer")
            }
            "name" => ("name", "query", "string"),
            "ordinal" | "version" | "index" => (*p, "path", "integer"),
            other => (other, "path", "string"),
        };
        parameters.push(json!({
            "name": name,
            "in": location,
            "required": location == "path" || matches!(name, "name" | "old" | "q") || *p == "index_q",
            "schema": {"type": ty},
        }));
    }
    let mut responses = json!({
        ok.0: {
            "description": "성공",
            "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{}", ok.1)}}}
        }
    });
    for e in errors {
        let desc = match *e {
            "400" => "형식이 잘못된 요청 (malformed_json …)",
            "401" => "로그인이 필요함 (unauthenticated, login_failed)",
            "403" => "권한 없음 (not_on_line, not_your_turn, may_not_draft …)",
            "404" => "없음, 또는 다른 단지의 것 (complex_not_found, document_not_found …)",
            "409" => "현재 상태와 맞지 않음 (already_acted, already_registered, not_in_approval …)",
            "413" => "너무 큼 (file_too_large)",
            _ => "입력값 오류 (form_invalid, unknown_kind, reason_required …)",
        };
        responses[*e] = json!({
            "description": desc,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        });
    }
    let mut v = json!({
        "summary": summary,
        "tags": [tag],
        "parameters": parameters,
        "responses": responses,
    });
    if let Some(b) = body {
        v["requestBody"] = if b == "binary" {
            json!({"required": true, "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}})
        } else {
            json!({"required": true, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{b}")}}}})
        };
    }
    if tag != "session" || summary.starts_with("현재") || summary.starts_with("로그아웃") {
        v["security"] = json!([{"bearer": []}, {"cookie": []}]);
    }
    v
}

fn obj(required: &[&str], props: Value) -> Value {
    json!({"type": "object", "required": required, "properties": props})
}

/// The OpenAPI document.
pub fn document() -> Value {
    const E4: &[&str] = &["401", "404"];
    const EW: &[&str] = &["400", "401", "403", "404", "409", "422"];
    let c = "/api/v1/complexes/{complex}";
    let d = "/api/v1/complexes/{complex}/documents/{document}";
    let mut paths = serde_json::Map::new();
    let mut add = |path: String, method: &str, v: Value| {
        let entry = paths.entry(path).or_insert_with(|| json!({}));
        entry[method] = v;
    };
    add(
        "/api/v1/login".into(),
        "post",
        op(
            "로그인 (세션 쿠키와 토큰 발급)",
            "session",
            &[],
            Some("LoginRequest"),
            ("200", "Session"),
            &["400", "401", "422"],
        ),
    );
    add(
        "/api/v1/logout".into(),
        "post",
        op("로그아웃", "session", &[], None, ("200", "Ok"), &[]),
    );
    add(
        "/api/v1/me".into(),
        "get",
        op(
            "현재 사용자와 단지 목록",
            "session",
            &[],
            None,
            ("200", "Me"),
            &["401"],
        ),
    );
    add(
        "/api/v1/complexes".into(),
        "get",
        op(
            "볼 수 있는 단지 목록",
            "admin",
            &[],
            None,
            ("200", "Complexes"),
            &["401"],
        ),
    );
    add(
        "/api/v1/complexes".into(),
        "post",
        op(
            "단지 만들기 (운영자)",
            "admin",
            &[],
            Some("ComplexRequest"),
            ("201", "Created"),
            EW,
        ),
    );
    add(
        "/api/v1/persons".into(),
        "post",
        op(
            "사용자 만들기",
            "admin",
            &[],
            Some("PersonRequest"),
            ("201", "Created"),
            EW,
        ),
    );
    add(
        format!("{c}/positions"),
        "get",
        op(
            "직위와 담당자",
            "admin",
            &["complex"],
            None,
            ("200", "Positions"),
            E4,
        ),
    );
    add(
        format!("{c}/positions"),
        "post",
        op(
            "직위 만들기",
            "admin",
            &["complex"],
            Some("PositionRequest"),
            ("201", "Created"),
            EW,
        ),
    );
    add(
        format!("{c}/positions/{{position}}/holder"),
        "put",
        op(
            "직위 임명·인수인계 (대기 중인 결재는 직위를 따라감)",
            "admin",
            &["complex", "position"],
            Some("HolderRequest"),
            ("200", "Ok"),
            EW,
        ),
    );
    add(
        format!("{c}/positions/{{position}}/deputy"),
        "put",
        op(
            "대결자 지정",
            "admin",
            &["complex", "position"],
            Some("DeputyRequest"),
            ("200", "Ok"),
            EW,
        ),
    );
    add(
        format!("{c}/positions/{{position}}/terms"),
        "get",
        op(
            "직위 담당 이력",
            "admin",
            &["complex", "position"],
            None,
            ("200", "Terms"),
            E4,
        ),
    );
    add(
        format!("{c}/kinds"),
        "get",
        op(
            "문서 종류 목록",
            "catalogue",
            &["complex"],
            None,
            ("200", "Kinds"),
            E4,
        ),
    );
    add(
        format!("{c}/kinds"),
        "post",
        op(
            "단지 고유 문서 종류 추가 (TOML)",
            "catalogue",
            &["complex"],
            Some("KindRequest"),
            ("201", "Kind"),
            EW,
        ),
    );
    add(
        format!("{c}/kinds/{{code}}"),
        "get",
        op(
            "문서 종류 (서식·결재선)",
            "catalogue",
            &["complex", "code"],
            None,
            ("200", "Kind"),
            E4,
        ),
    );
    add(
        format!("{c}/kinds/{{code}}/line"),
        "put",
        op(
            "단지의 결재선 변경 (새 판)",
            "catalogue",
            &["complex", "code"],
            Some("LineRequest"),
            ("200", "Kind"),
            EW,
        ),
    );
    add(
        format!("{c}/blobs"),
        "post",
        op(
            "첨부파일 올리기 (내용 주소 SHA-256)",
            "documents",
            &["complex"],
            Some("binary"),
            ("201", "Blob"),
            &["401", "403", "404", "413"],
        ),
    );
    add(
        format!("{c}/documents"),
        "post",
        op(
            "기안 (임시저장, submit=true이면 상신까지)",
            "documents",
            &["complex"],
            Some("CreateDocument"),
            ("201", "Created"),
            EW,
        ),
    );
    add(
        d.into(),
        "get",
        op(
            "문서 보기",
            "documents",
            &["complex", "document"],
            None,
            ("200", "Document"),
            E4,
        ),
    );
    add(
        d.into(),
        "patch",
        op(
            "임시저장 문서 고치기",
            "documents",
            &["complex", "document"],
            Some("UpdateDocument"),
            ("200", "Ok"),
            EW,
        ),
    );
    add(
        format!("{d}/attachments"),
        "post",
        op(
            "첨부파일 붙이기",
            "documents",
            &["complex", "document", "name"],
            Some("binary"),
            ("201", "Ordinal"),
            &["401", "403", "404", "409", "413", "422"],
        ),
    );
    add(
        format!("{d}/attachments/{{ordinal}}"),
        "delete",
        op(
            "첨부파일 빼기",
            "documents",
            &["complex", "document", "ordinal"],
            None,
            ("200", "Ok"),
            EW,
        ),
    );
    add(
        format!("{d}/versions/{{version}}/attachments/{{ordinal}}"),
        "get",
        op(
            "첨부파일 받기",
            "documents",
            &["complex", "document", "version", "ordinal"],
            None,
            ("200", "Binary"),
            E4,
        ),
    );
    add(
        format!("{d}/submit"),
        "post",
        op(
            "상신",
            "documents",
            &["complex", "document"],
            None,
            ("200", "Status"),
            EW,
        ),
    );
    add(
        format!("{d}/withdraw"),
        "post",
        op(
            "회수",
            "documents",
            &["complex", "document"],
            None,
            ("200", "Status"),
            EW,
        ),
    );
    add(
        format!("{d}/revise"),
        "post",
        op(
            "재기안 (새 판 만들기)",
            "documents",
            &["complex", "document"],
            None,
            ("200", "Status"),
            EW,
        ),
    );
    add(
        format!("{d}/actions"),
        "post",
        op(
            "결재 처리: 승인·반려·전단계 반려·보류·전결·후결 (대결은 자동)",
            "documents",
            &["complex", "document"],
            Some("Act"),
            ("200", "Outcome"),
            EW,
        ),
    );
    add(
        format!("{d}/history"),
        "get",
        op(
            "문서 이력 (원장)",
            "documents",
            &["complex", "document"],
            None,
            ("200", "History"),
            E4,
        ),
    );
    add(
        format!("{c}/received"),
        "post",
        op(
            "공문 접수 등록",
            "documents",
            &["complex"],
            Some("Receive"),
            ("201", "Created"),
            EW,
        ),
    );
    add(
        format!("{c}/inbox"),
        "get",
        op(
            "결재함",
            "documents",
            &["complex", "tab", "limit", "offset"],
            None,
            ("200", "Inbox"),
            &["401", "404", "422"],
        ),
    );
    add(
        format!("{c}/register"),
        "get",
        op(
            "문서등록대장",
            "documents",
            &["complex", "year", "kind", "limit", "offset"],
            None,
            ("200", "Register"),
            &["401", "404", "422"],
        ),
    );
    add(
        format!("{c}/search"),
        "get",
        op(
            "문서 검색 (제목·본문·서식·등록번호·직위·첨부 이름; 볼 수 있는 문서만; kind, status는 쉼표로 여러 개; sort=relevance|date; from, to는 YYYY-MM-DD)",
            "documents",
            &[
                "complex", "q", "kind", "status", "year", "from", "to", "sort", "limit", "offset",
            ],
            None,
            ("200", "Search"),
            &["400", "401", "404", "422"],
        ),
    );
    add(
        format!("{c}/ledger/checkpoint"),
        "get",
        op(
            "최신 서명 체크포인트 (C2SP tlog-checkpoint)",
            "ledger",
            &["complex"],
            None,
            ("200", "Checkpoint"),
            E4,
        ),
    );
    add(
        format!("{c}/ledger/entries/{{index}}"),
        "get",
        op(
            "원장 항목",
            "ledger",
            &["complex", "index"],
            None,
            ("200", "Entry"),
            E4,
        ),
    );
    add(
        format!("{c}/ledger/inclusion"),
        "get",
        op(
            "포함 증명",
            "ledger",
            &["complex", "index_q", "size"],
            None,
            ("200", "Inclusion"),
            &["401", "404", "422"],
        ),
    );
    add(
        format!("{c}/ledger/consistency"),
        "get",
        op(
            "일관성 증명",
            "ledger",
            &["complex", "old", "new"],
            None,
            ("200", "Consistency"),
            &["401", "404", "422"],
        ),
    );
    add(
        "/api/v1/openapi.json".into(),
        "get",
        json!({"summary": "이 문서", "tags": ["meta"], "responses": {"200": {"description": "OpenAPI 3.1"}}}),
    );

    let s = |t: &str| json!({"type": t});
    let str_array = json!({"type": "array", "items": {"type": "string"}});
    let any_array = json!({"type": "array", "items": {}});
    let step = obj(
        &["kind", "positions"],
        json!({"kind": {"enum": ["review", "agreement", "final", "reference"]}, "positions": str_array}),
    );
    let attachment = obj(
        &["name", "sha256"],
        json!({"name": s("string"), "media_type": s("string"), "sha256": s("string")}),
    );
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "맑은 API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "공동주택 전자결재·기록관리. 오류는 {code, message(한국어), message_en}으로 답합니다.",
        },
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "cookie": {"type": "apiKey", "in": "cookie", "name": crate::auth::COOKIE_NAME},
            },
            "schemas": {
                "Error": obj(&["code", "message", "message_en"], json!({
                    "code": s("string"), "message": s("string"), "message_en": s("string"),
                    "fields": {"type": "array", "items": obj(&["field", "code", "message"], json!({"field": s("string"), "code": s("string"), "message": s("string"), "message_en": s("string")}))},
                })),
                "Ok": obj(&["ok"], json!({"ok": s("boolean")})),
                "Created": obj(&["id"], json!({"id": s("string"), "status": s("string")})),
                "Status": obj(&["status"], json!({"status": s("string"), "version": s("integer")})),
                "Outcome": obj(&["outcome"], json!({"outcome": {"enum": ["recorded", "advanced", "registered", "rejected", "returned_to_previous", "held", "confirmed"]}})),
                "Ordinal": obj(&["ordinal"], json!({"ordinal": s("integer")})),
                "Blob": obj(&["sha256", "size"], json!({"sha256": s("string"), "size": s("integer")})),
                "Binary": {"type": "string", "format": "binary"},
                "LoginRequest": obj(&["login", "password"], json!({"login": s("string"), "password": s("string")})),
                "Session": obj(&["token", "person", "complexes"], json!({"token": s("string"), "expires_at": s("string"), "person": s("object"), "complexes": any_array})),
                "Me": obj(&["id", "login", "name"], json!({"id": s("string"), "login": s("string"), "name": s("string"), "operator": s("boolean"), "complexes": any_array})),
                "Complexes": any_array,
                "ComplexRequest": obj(&["name", "short_name"], json!({"name": s("string"), "short_name": s("string"), "households": s("integer")})),
                "PersonRequest": obj(&["login", "name", "password"], json!({"login": s("string"), "name": s("string"), "password": s("string"), "operator": s("boolean"), "complex": s("string")})),
                "Positions": any_array,
                "PositionRequest": obj(&["title", "role"], json!({"title": s("string"), "role": s("string"), "is_admin": s("boolean")})),
                "HolderRequest": obj(&[], json!({"person_id": s("string"), "login": s("string")})),
                "DeputyRequest": obj(&[], json!({"deputy_position_id": {"type": ["string", "null"]}})),
                "Terms": any_array,
                "Kinds": any_array,
                "Kind": obj(&["code", "version", "name"], json!({"code": s("string"), "version": s("integer"), "name": s("string"), "category": s("string"), "fields": any_array, "line": s("object")})),
                "KindRequest": obj(&["source"], json!({"source": s("string")})),
                "LineRequest": obj(&["editable", "final_roles", "steps"], json!({"editable": s("boolean"), "final_roles": str_array, "steps": {"type": "array", "items": obj(&["kind", "roles"], json!({"kind": s("string"), "roles": str_array}))}})),
                "CreateDocument": obj(&["kind", "title"], json!({
                    "kind": s("string"), "title": s("string"), "body": s("string"), "form": s("object"),
                    "line": {"type": "array", "items": step}, "drafter_position_id": s("string"), "corrects": s("string"),
                    "attachments": {"type": "array", "items": attachment}, "submit": s("boolean"),
                })),
                "UpdateDocument": obj(&[], json!({"title": s("string"), "body": s("string"), "form": s("object"), "line": {"type": "array", "items": step}})),
                "Receive": obj(&["kind", "title"], json!({"kind": s("string"), "title": s("string"), "body": s("string"), "form": s("object"), "attachments": {"type": "array", "items": attachment}})),
                "Act": obj(&["action"], json!({
                    "action": {"enum": ["approve", "reject", "reject_to_previous", "hold", "delegated_final", "post_confirm"]},
                    "comment": s("string"), "position_id": s("string"), "content_sha256": s("string"),
                })),
                "Document": obj(&["id", "status", "title", "line", "actions"], json!({
                    "id": s("string"), "kind_code": s("string"), "status": s("string"), "title": s("string"), "body": s("string"),
                    "form": s("object"), "content_sha256": s("string"), "registration_number": {"type": ["string", "null"]},
                    "line": any_array, "attachments": any_array, "approvals": any_array, "versions": any_array, "actions": str_array,
                })),
                "History": any_array,
                "Inbox": obj(&["tab", "counts", "items"], json!({"tab": s("string"), "counts": any_array, "items": any_array})),
                "Register": obj(&["items"], json!({"items": any_array})),
                "Search": obj(&["total", "items"], json!({"total": s("integer"), "items": {"type": "array", "items": obj(
                    &["id", "title", "title_html", "snippet_html", "status", "date"],
                    json!({
                        "id": s("string"), "kind_code": s("string"), "kind_name": s("string"), "status": s("string"),
                        "status_label": s("string"), "title": s("string"), "title_html": s("string"),
                        "snippet_html": s("string"), "registration_number": {"type": ["string", "null"]},
                        "drafter": s("string"), "date": s("string"), "date_display": s("string"), "score": s("number"),
                    }),
                )}})),
                "Checkpoint": obj(&["note", "size", "root", "verifier_key"], json!({"note": s("string"), "size": s("integer"), "root": s("string"), "verifier_key": s("string")})),
                "Entry": obj(&["index", "event", "payload", "leaf_hash"], json!({"index": s("integer"), "event": s("string"), "payload": s("string"), "leaf_hash": s("string"), "images": {"type": ["array", "null"], "items": {"type": ["string", "null"]}}, "images_intact": {"type": ["boolean", "null"]}})),
                "Inclusion": obj(&["index", "size", "leaf_hash", "proof", "root"], json!({"index": s("integer"), "size": s("integer"), "leaf_hash": s("string"), "proof": str_array, "root": s("string")})),
                "Consistency": obj(&["old_size", "new_size", "proof"], json!({"old_size": s("integer"), "new_size": s("integer"), "proof": str_array, "old_root": s("string"), "new_root": s("string")})),
            },
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_documented_and_nothing_else() {
        let doc = document();
        let mut documented: Vec<(String, String)> = Vec::new();
        for (path, ops) in doc["paths"].as_object().unwrap() {
            for method in ops.as_object().unwrap().keys() {
                documented.push((method.clone(), path.clone()));
            }
        }
        let mut routes: Vec<(String, String)> = crate::api::ROUTES
            .iter()
            .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
            .collect();
        documented.sort();
        routes.sort();
        assert_eq!(documented, routes);
    }
}
