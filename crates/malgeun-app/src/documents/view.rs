//! What a person sees: one document laid out for its 결재란 and history, the 결재함 tabs with
//! counts, and the 문서등록대장. These are read models (serialisable view shapes shared by the JSON
//! API and the pages), not domain types.

use std::collections::HashMap;

use malgeun_domain::access::{Relation, may_view};
use malgeun_domain::approval::{Decision, MemberState, Phase};
use malgeun_domain::catalogue::FormData;
use malgeun_domain::document::DocumentStatus;
use malgeun_domain::{DocumentId, Timestamp};
use malgeun_store::documents::{
    self, ApprovalRow, AttachmentRow, ListedDocument, RegisterFilter, Tab, VersionRow,
};
use malgeun_store::{ledger, org};
use serde::Serialize;

use super::{Loaded, document_not_found};
use crate::App;
use crate::error::AppError;
use crate::member::{Member, parse_id};

/// One member of one step as the 결재란 shows it.
#[derive(Clone, Debug, Serialize)]
pub struct LineMemberView {
    /// Position id.
    pub position_id: String,
    /// Position title.
    pub title: String,
    /// Current holder.
    pub holder_name: Option<String>,
    /// `waiting`, `current`, `approved`, `rejected`, `held`, `skipped`, `informed`.
    pub state: &'static str,
    /// The stamp: 승인, 대결, 전결, 반려, 보류 (and 후결 once confirmed).
    pub stamp: Option<String>,
    /// Who acted (a deputy's name for 대결).
    pub acted_by: Option<String>,
    /// When (RFC 3339).
    pub acted_at: Option<String>,
    /// When, in Seoul, for display.
    pub acted_at_display: Option<String>,
}

/// One step of the line.
#[derive(Clone, Debug, Serialize)]
pub struct LineStepView {
    /// Step kind code.
    pub kind: &'static str,
    /// Korean label.
    pub label: &'static str,
    /// Members.
    pub members: Vec<LineMemberView>,
}

/// An attachment.
#[derive(Clone, Debug, Serialize)]
pub struct AttachmentView {
    /// Order within the version.
    pub ordinal: i64,
    /// File name.
    pub name: String,
    /// Bytes.
    pub size: i64,
    /// SHA-256 hex.
    pub sha256: String,
    /// Media type.
    pub media_type: String,
    /// Whether its text has been read for search (추출 대기/완료/실패); `None` when not known here.
    pub extraction: Option<crate::extraction::ExtractionView>,
}

/// One recorded act, any version.
#[derive(Clone, Debug, Serialize)]
pub struct ApprovalView {
    /// Version acted on.
    pub version: i64,
    /// Order in its round.
    pub seq: i64,
    /// Line member acted for.
    pub position_id: String,
    /// That position's title.
    pub position_title: String,
    /// Who acted.
    pub person_name: String,
    /// By a deputy.
    pub proxy: bool,
    /// Decision code.
    pub decision: String,
    /// Korean label.
    pub label: &'static str,
    /// Reason or comment.
    pub comment: Option<String>,
    /// Content hash approved.
    pub content_sha256: String,
    /// When (RFC 3339).
    pub at: String,
    /// Ledger entry index.
    pub ledger_index: i64,
}

/// A version summary.
#[derive(Clone, Debug, Serialize)]
pub struct VersionView {
    /// Number.
    pub version: i64,
    /// Title.
    pub title: String,
    /// Content hash.
    pub content_sha256: String,
    /// Written (RFC 3339).
    pub created_at: String,
    /// Submitted (RFC 3339).
    pub submitted_at: Option<String>,
}

/// A document as its reader sees it.
#[derive(Clone, Debug, Serialize)]
pub struct DocumentView {
    /// Id.
    pub id: String,
    /// Kind code.
    pub kind_code: String,
    /// Kind name.
    pub kind_name: String,
    /// Catalogue version drafted on.
    pub kind_version: i64,
    /// Status code.
    pub status: String,
    /// Korean label.
    pub status_label: &'static str,
    /// Title.
    pub title: String,
    /// Body.
    pub body: String,
    /// Form values.
    pub form: serde_json::Value,
    /// Current version.
    pub version: i64,
    /// Content hash of the current version.
    pub content_sha256: String,
    /// Registration number.
    pub registration_number: Option<String>,
    /// Registered (RFC 3339).
    pub registered_at: Option<String>,
    /// Drafting position id.
    pub drafter_position_id: String,
    /// Drafting position title.
    pub drafter_title: String,
    /// Drafter's name.
    pub drafter_name: String,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Last change (RFC 3339).
    pub updated_at: String,
    /// The registered document this corrects.
    pub corrects_id: Option<String>,
    /// Sender of a received document.
    pub received_from: Option<String>,
    /// Retention label (5년, 영구 …).
    pub retention: String,
    /// Disclosure label.
    pub disclosure: &'static str,
    /// Restricted kind.
    pub restricted: bool,
    /// The current line.
    pub line: Vec<LineStepView>,
    /// Attachments of the current version.
    pub attachments: Vec<AttachmentView>,
    /// Every act on every version.
    pub approvals: Vec<ApprovalView>,
    /// Every version.
    pub versions: Vec<VersionView>,
    /// What the viewer may do now (codes: edit, submit, withdraw, revise, approve, reject,
    /// reject_to_previous, hold, delegated_final, approve_as_deputy, post_confirm, correct).
    pub actions: Vec<&'static str>,
}

/// An entry of a document's history from the ledger.
#[derive(Clone, Debug, Serialize)]
pub struct HistoryEntry {
    /// Ledger index (for inclusion proofs).
    pub ledger_index: i64,
    /// Event name.
    pub event: String,
    /// Korean label.
    pub label: &'static str,
    /// When (RFC 3339).
    pub at: String,
    /// Who.
    pub actor_name: Option<String>,
    /// In which position.
    pub position_title: Option<String>,
}

/// A row of a document list.
#[derive(Clone, Debug, Serialize)]
pub struct DocumentSummary {
    /// Id.
    pub id: String,
    /// Kind code.
    pub kind_code: String,
    /// Title (masked for restricted kinds the viewer may not open).
    pub title: String,
    /// Status code.
    pub status: String,
    /// Korean status label.
    pub status_label: &'static str,
    /// Drafter's name.
    pub drafter_name: String,
    /// Registration number.
    pub registration_number: Option<String>,
    /// Registered (RFC 3339).
    pub registered_at: Option<String>,
    /// Last change (RFC 3339).
    pub updated_at: String,
}

impl DocumentSummary {
    pub(crate) fn from_listed(d: ListedDocument) -> Self {
        let status_label = d
            .status
            .parse::<DocumentStatus>()
            .map_or("?", DocumentStatus::label_ko);
        Self {
            id: d.id,
            kind_code: d.kind_code,
            title: d.title,
            status: d.status,
            status_label,
            drafter_name: d.drafter_name,
            registration_number: d.registration_number,
            registered_at: d
                .registered_at
                .map(|t| Timestamp::from_micros(t).to_rfc3339()),
            updated_at: Timestamp::from_micros(d.updated_at).to_rfc3339(),
        }
    }
}

/// One inbox tab with the counts of every tab.
#[derive(Clone, Debug, Serialize)]
pub struct InboxPage {
    /// The tab shown.
    pub tab: &'static str,
    /// `(tab code, label, count)` for every tab.
    pub counts: Vec<TabCount>,
    /// The documents.
    pub items: Vec<DocumentSummary>,
}

/// A tab's count.
#[derive(Clone, Debug, Serialize)]
pub struct TabCount {
    /// Code.
    pub tab: &'static str,
    /// Korean label.
    pub label: &'static str,
    /// How many.
    pub count: i64,
}

/// A page of the 문서등록대장.
#[derive(Clone, Debug, Serialize)]
pub struct RegisterPage {
    /// Entries in serial order.
    pub items: Vec<DocumentSummary>,
}

fn event_label(event: &str) -> &'static str {
    match event {
        "document.draft" => "기안",
        "document.update" => "임시저장",
        "document.attach" => "첨부",
        "document.detach" => "첨부 삭제",
        "document.submit" => "상신",
        "document.withdraw" => "회수",
        "document.revise" => "재기안",
        "document.receive" => "접수 등록",
        "document.digitise" => "전자화 등록",
        "document.approve" => "승인",
        "document.approve_as_deputy" => "대결",
        "document.approve_delegated" => "전결",
        "document.reject" => "반려",
        "document.reject_to_previous" => "전단계 반려",
        "document.hold" => "보류",
        "document.post_confirm" => "후결",
        "document.extract" => "본문 추출",
        _ => "기록",
    }
}

fn member_state(state: MemberState, informed: bool, current: bool) -> &'static str {
    if informed {
        return "informed";
    }
    match state {
        MemberState::Waiting if current => "current",
        MemberState::Waiting => "waiting",
        MemberState::Approved { .. } => "approved",
        MemberState::Rejected => "rejected",
        MemberState::Held => "held",
        MemberState::Skipped => "skipped",
    }
}

impl App {
    /// Whether the member may see the loaded document.
    async fn visible(
        &self,
        conn: malgeun_store::db::Conn<'_>,
        member: &Member,
        l: &Loaded,
    ) -> Result<bool, AppError> {
        let (is_drafter, on_line) = documents::relation(
            conn,
            &member.complex.to_string(),
            &l.doc.id,
            &member.caller.person.to_string(),
        )
        .await?;
        let role_may_view = member
            .positions
            .iter()
            .any(|p| l.kind.viewers().contains(&p.role));
        Ok(may_view(
            l.kind.restricted(),
            l.status == DocumentStatus::Draft,
            Relation {
                is_drafter,
                on_line,
                role_may_view,
            },
        ))
    }

    /// A document as the member sees it, or "not found" when they may not see it.
    pub async fn document(
        &self,
        member: &Member,
        id: DocumentId,
    ) -> Result<DocumentView, AppError> {
        let complex = member.complex;
        let cid = complex.to_string();
        let did = id.to_string();
        let mut r = self.db().reader().await?;
        let l = self.load(r.conn(), complex, id).await?;
        if !self.visible(r.conn(), member, &l).await? {
            return Err(document_not_found());
        }
        let positions = org::positions(r.conn(), &cid).await?;
        let titles: HashMap<&str, (&str, Option<&str>)> = positions
            .iter()
            .map(|p| (p.id.as_str(), (p.title.as_str(), p.holder_name.as_deref())))
            .collect();
        let all_approvals = documents::approvals(r.conn(), &cid, &did, None).await?;
        let versions = documents::versions(r.conn(), &cid, &did).await?;
        let drafter_name = org::person(r.conn(), &l.doc.drafter_person_id)
            .await?
            .map_or_else(String::new, |p| p.name);
        let progress = l.progress()?;
        let current_step = match progress
            .as_ref()
            .map(malgeun_domain::approval::Progress::phase)
        {
            Some(Phase::InProgress { step } | Phase::OnHold { step, .. }) => Some(step),
            _ => None,
        };
        let latest_act: HashMap<&str, &ApprovalRow> = l
            .approvals
            .iter()
            .filter(|a| a.decision != "post_confirm")
            .map(|a| (a.position_id.as_str(), a))
            .collect();
        let confirmed: Vec<&str> = l
            .approvals
            .iter()
            .filter(|a| a.decision == "post_confirm")
            .map(|a| a.position_id.as_str())
            .collect();
        let line = l
            .line
            .steps()
            .iter()
            .enumerate()
            .map(|(i, s)| LineStepView {
                kind: s.kind.code(),
                label: s.kind.label_ko(),
                members: s
                    .members
                    .iter()
                    .enumerate()
                    .map(|(j, m)| {
                        let mid = m.to_string();
                        let (title, holder) =
                            titles.get(mid.as_str()).copied().unwrap_or(("?", None));
                        let state = progress
                            .as_ref()
                            .map_or(MemberState::Waiting, |p| p.member_states()[i][j]);
                        let act = latest_act
                            .get(mid.as_str())
                            .filter(|_| state != MemberState::Waiting);
                        let stamp = act.and_then(|a| Decision::from_code(&a.decision)).map(|d| {
                            let mut s = d.label_ko(act.is_some_and(|a| a.proxy)).to_owned();
                            if confirmed.contains(&mid.as_str()) {
                                s.push_str("·후결");
                            }
                            s
                        });
                        LineMemberView {
                            position_id: mid.clone(),
                            title: title.to_owned(),
                            holder_name: holder.map(str::to_owned),
                            state: member_state(
                                state,
                                s.kind == malgeun_domain::approval::StepKind::Reference,
                                current_step == Some(i),
                            ),
                            stamp,
                            acted_by: act.map(|a| a.person_name.clone()),
                            acted_at: act.map(|a| Timestamp::from_micros(a.at).to_rfc3339()),
                            acted_at_display: act
                                .map(|a| Timestamp::from_micros(a.at).seoul_display()),
                        }
                    })
                    .collect(),
            })
            .collect();
        let extraction = crate::extraction::views(r.conn(), complex, &l.attachments).await?;
        let form = FormData::from_canonical_json(&l.kind, &l.version.form_json)
            .map(|f| f.to_json_value())
            .unwrap_or(serde_json::Value::Null);
        let actions = self.actions_for(member, &l, progress.as_ref());
        let status_label = l.status.label_ko();
        Ok(DocumentView {
            id: l.doc.id.clone(),
            kind_code: l.doc.kind_code.clone(),
            kind_name: l.kind.name().to_owned(),
            kind_version: l.doc.kind_version,
            status: l.doc.status.clone(),
            status_label,
            title: l.version.title.clone(),
            body: l.version.body.clone(),
            form,
            version: l.version.version,
            content_sha256: l.doc.content_sha256.clone(),
            registration_number: l.doc.registration_number.clone(),
            registered_at: l
                .doc
                .registered_at
                .map(|t| Timestamp::from_micros(t).to_rfc3339()),
            drafter_position_id: l.doc.drafter_position_id.clone(),
            drafter_title: titles
                .get(l.doc.drafter_position_id.as_str())
                .map_or_else(String::new, |(t, _)| (*t).to_owned()),
            drafter_name,
            created_at: Timestamp::from_micros(l.doc.created_at).to_rfc3339(),
            updated_at: Timestamp::from_micros(l.doc.updated_at).to_rfc3339(),
            corrects_id: l.doc.corrects_id.clone(),
            received_from: l.doc.received_from.clone(),
            retention: l.kind.retention().label_ko(),
            disclosure: l.kind.disclosure().label_ko(),
            restricted: l.kind.restricted(),
            line,
            attachments: l
                .attachments
                .iter()
                .map(|a| AttachmentView {
                    extraction: extraction.get(&a.sha256).cloned(),
                    ..attachment_view(a)
                })
                .collect(),
            approvals: all_approvals
                .iter()
                .map(|a| ApprovalView {
                    version: a.version,
                    seq: a.seq,
                    position_id: a.position_id.clone(),
                    position_title: titles
                        .get(a.position_id.as_str())
                        .map_or("?", |(t, _)| t)
                        .to_owned(),
                    person_name: a.person_name.clone(),
                    proxy: a.proxy,
                    decision: a.decision.clone(),
                    label: Decision::from_code(&a.decision).map_or("?", |d| d.label_ko(a.proxy)),
                    comment: a.comment.clone(),
                    content_sha256: a.content_sha256.clone(),
                    at: Timestamp::from_micros(a.at).to_rfc3339(),
                    ledger_index: a.ledger_index,
                })
                .collect(),
            versions: versions.iter().map(version_view).collect(),
            actions,
        })
    }

    fn actions_for(
        &self,
        member: &Member,
        l: &Loaded,
        progress: Option<&malgeun_domain::approval::Progress>,
    ) -> Vec<&'static str> {
        let mut out = Vec::new();
        let drafter = parse_id(&l.doc.drafter_position_id).ok();
        let is_drafter = drafter.is_some_and(|d| member.holds(d));
        match l.status {
            DocumentStatus::Draft if is_drafter && l.version.submitted_at.is_none() => {
                out.extend(["edit", "submit"]);
            }
            DocumentStatus::InProgress
                if is_drafter && progress.is_some_and(|p| p.can_withdraw()) =>
            {
                out.push("withdraw");
            }
            DocumentStatus::Rejected | DocumentStatus::Withdrawn if is_drafter => {
                out.push("revise")
            }
            DocumentStatus::Registered
                if member
                    .positions
                    .iter()
                    .any(|p| l.kind.drafters().contains(&p.role)) =>
            {
                out.push("correct");
            }
            _ => {}
        }
        let Some(p) = progress else { return out };
        if l.status == DocumentStatus::InProgress {
            let waiting = p.waiting_on();
            let mine = waiting.iter().find(|w| member.holds(**w));
            let as_deputy = waiting.iter().find(|w| member.deputises_for(**w));
            if let Some(pos) = mine.or(as_deputy) {
                out.push(if mine.is_some() {
                    "approve"
                } else {
                    "approve_as_deputy"
                });
                out.push("reject");
                let step = l
                    .line
                    .steps()
                    .iter()
                    .position(|s| s.members.contains(pos))
                    .unwrap_or(0);
                if l.line.steps()[..step]
                    .iter()
                    .any(|s| s.kind != malgeun_domain::approval::StepKind::Reference)
                {
                    out.push("reject_to_previous");
                }
                if !matches!(p.phase(), Phase::OnHold { .. }) {
                    out.push("hold");
                }
                let role = member
                    .positions
                    .iter()
                    .chain(member.deputy_for.iter())
                    .find(|x| x.id == *pos)
                    .map(|x| x.role.clone());
                let total = FormData::from_canonical_json(&l.kind, &l.version.form_json)
                    .ok()
                    .and_then(|f| f.money_total());
                if let (Some(d), Some(role)) = (l.kind.delegation(), role)
                    && d.allows(&role, total)
                {
                    out.push("delegated_final");
                }
            }
        }
        if p.awaiting_post_confirmation()
            .iter()
            .any(|w| member.holds(*w))
        {
            out.push("post_confirm");
        }
        out
    }

    /// A document's history from the ledger, oldest first.
    pub async fn history(
        &self,
        member: &Member,
        id: DocumentId,
    ) -> Result<Vec<HistoryEntry>, AppError> {
        let complex = member.complex;
        let cid = complex.to_string();
        let mut r = self.db().reader().await?;
        let l = self.load(r.conn(), complex, id).await?;
        if !self.visible(r.conn(), member, &l).await? {
            return Err(document_not_found());
        }
        let entries = ledger::entries_for_subject(r.conn(), &cid, &id.to_string()).await?;
        let positions = org::positions(r.conn(), &cid).await?;
        let mut names: HashMap<String, Option<String>> = HashMap::new();
        let mut out = Vec::with_capacity(entries.len());
        for e in entries {
            let payload: serde_json::Value =
                serde_json::from_str(&e.payload).map_err(AppError::internal)?;
            let actor = payload["actor"].as_str().map(str::to_owned);
            let actor_name = match &actor {
                Some(a) => {
                    if !names.contains_key(a) {
                        let n = org::person(r.conn(), a).await?.map(|p| p.name);
                        names.insert(a.clone(), n);
                    }
                    names[a].clone()
                }
                None => None,
            };
            let position_title = payload["position"]
                .as_str()
                .and_then(|p| positions.iter().find(|x| x.id == p))
                .map(|p| p.title.clone());
            out.push(HistoryEntry {
                ledger_index: e.idx,
                label: event_label(&e.event),
                event: e.event,
                at: Timestamp::from_micros(e.at).to_rfc3339(),
                actor_name,
                position_title,
            });
        }
        Ok(out)
    }

    /// One 결재함 tab with every tab's count.
    pub async fn inbox(
        &self,
        member: &Member,
        tab: Tab,
        limit: i64,
        offset: i64,
    ) -> Result<InboxPage, AppError> {
        let cid = member.complex.to_string();
        let pid = member.caller.person.to_string();
        let mut r = self.db().reader().await?;
        let counts = documents::inbox_counts(r.conn(), &cid, &pid)
            .await?
            .into_iter()
            .zip(Tab::ALL)
            .map(|(count, t)| TabCount {
                tab: t.code(),
                label: t.label_ko(),
                count,
            })
            .collect();
        let items = documents::inbox(
            r.conn(),
            &cid,
            &pid,
            tab,
            limit.clamp(1, 200),
            offset.max(0),
        )
        .await?
        .into_iter()
        .map(DocumentSummary::from_listed)
        .collect();
        Ok(InboxPage {
            tab: tab.code(),
            counts,
            items,
        })
    }

    /// The 문서등록대장. Titles of restricted kinds are masked unless the member may open them.
    pub async fn register(
        &self,
        member: &Member,
        filter: &RegisterFilter,
        limit: i64,
        offset: i64,
    ) -> Result<RegisterPage, AppError> {
        let complex = member.complex;
        let cid = complex.to_string();
        let mut r = self.db().reader().await?;
        let rows = documents::register(r.conn(), &cid, filter, limit.clamp(1, 1000), offset.max(0))
            .await?;
        let items = self.masked_register_rows(r.conn(), member, rows).await?;
        Ok(RegisterPage { items })
    }

    /// 문서등록대장 rows as the member sees them: titles of restricted kinds are masked unless the
    /// member drafted the document or is on its line.
    pub(super) async fn masked_register_rows(
        &self,
        mut conn: malgeun_store::db::Conn<'_>,
        member: &Member,
        rows: Vec<ListedDocument>,
    ) -> Result<Vec<DocumentSummary>, AppError> {
        let complex = member.complex;
        let cid = complex.to_string();
        let person = member.caller.person.to_string();
        let mut items = Vec::with_capacity(rows.len());
        for d in rows {
            let restricted = match self
                .latest_kind(conn.reborrow(), complex, &d.kind_code)
                .await
            {
                Ok(k) => k.restricted(),
                Err(_) => true,
            };
            let mut s = DocumentSummary::from_listed(d);
            if restricted {
                let (is_drafter, on_line) =
                    documents::relation(conn.reborrow(), &cid, &s.id, &person).await?;
                if !is_drafter && !on_line {
                    s.title = "(비공개 문서)".to_owned();
                }
            }
            items.push(s);
        }
        Ok(items)
    }

    /// Reads an attachment's bytes if the member may see its document.
    pub async fn attachment(
        &self,
        member: &Member,
        id: DocumentId,
        version: i64,
        ordinal: i64,
    ) -> Result<(AttachmentView, Vec<u8>), AppError> {
        let complex = member.complex;
        let cid = complex.to_string();
        let mut r = self.db().reader().await?;
        let l = self.load(r.conn(), complex, id).await?;
        if !self.visible(r.conn(), member, &l).await? {
            return Err(document_not_found());
        }
        let row = documents::attachments(r.conn(), &cid, &id.to_string(), version)
            .await?
            .into_iter()
            .find(|a| a.ordinal == ordinal)
            .ok_or_else(|| AppError::not_found("attachment_not_found", "첨부파일", "attachment"))?;
        let sha = malgeun_domain::content::Sha256Hash::from_hex(&row.sha256)
            .ok_or_else(|| AppError::internal("stored attachment hash"))?;
        let bytes = self
            .blobs()
            .get(&cid, &sha)
            .await?
            .ok_or_else(|| AppError::internal(format!("blob {} missing", row.sha256)))?;
        Ok((attachment_view(&row), bytes))
    }
}

fn attachment_view(a: &AttachmentRow) -> AttachmentView {
    AttachmentView {
        ordinal: a.ordinal,
        name: a.name.clone(),
        size: a.size,
        sha256: a.sha256.clone(),
        media_type: a.media_type.clone(),
        extraction: None,
    }
}

fn version_view(v: &VersionRow) -> VersionView {
    VersionView {
        version: v.version,
        title: v.title.clone(),
        content_sha256: v.content_sha256.clone(),
        created_at: Timestamp::from_micros(v.created_at).to_rfc3339(),
        submitted_at: v
            .submitted_at
            .map(|t| Timestamp::from_micros(t).to_rfc3339()),
    }
}
