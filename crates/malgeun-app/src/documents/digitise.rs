//! 전자화문서 등록: a scanned paper original becomes a registered document of its kind, with the
//! file as its attachment and its provenance, in one transaction with its ledger entry.
//!
//! Numbering: a digitised record is registered in the year of its original (`2019` for a 2019
//! levy), taking the next serial of that year's counter, so the 2019 register lists 2019's papers
//! and numbers stay gapless and unique per complex and year (invariant 4). Its `registered_at` is
//! the original's first possible day (midnight in Seoul), so date filters, search and retention
//! read the original's date; when it was brought in is the ledger entry's time and `created_at`.

use malgeun_domain::content::Sha256Hash;
use malgeun_domain::digitise::{OriginalDate, Provenance};
use malgeun_domain::{ComplexId, DocumentId, PositionId, Timestamp};
use malgeun_store::digitised::{self, DigitisedRow};
use malgeun_store::documents::AttachmentRow;
use malgeun_store::image::Row;
use malgeun_store::tables;

use super::draft::{AtOnce, check_file_name, check_media_type, check_title, too_large};
use crate::App;
use crate::error::AppError;
use crate::member::{Caller, Member, Position};

/// One scanned file to register.
#[derive(Clone, Debug)]
pub struct DigitisedInput {
    /// Kind code.
    pub kind_code: String,
    /// Title.
    pub title: String,
    /// The original's date.
    pub original_date: OriginalDate,
    /// Who scanned it, when, from which box.
    pub provenance: Provenance,
    /// The file's path inside the import folder (NFC, `/`-separated).
    pub source_path: String,
    /// The rule that mapped it.
    pub rule: String,
    /// The attachment's file name.
    pub file_name: String,
    /// The attachment's media type.
    pub media_type: String,
    /// The file's bytes.
    pub bytes: Vec<u8>,
}

/// What became of one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DigitiseOutcome {
    /// Registered as a new document.
    Imported {
        /// The new document.
        id: DocumentId,
        /// Its registration number.
        registration_number: String,
    },
    /// A file with the same SHA-256 was imported before: nothing was written.
    Duplicate {
        /// The document made from it then.
        existing: DocumentId,
    },
}

/// Who imports into which complex, checked once before a run.
#[derive(Clone, Debug)]
pub struct ImportSetup {
    /// The importing position (관리사무소장 or an administrator's position).
    pub position: Position,
    /// The complex's kinds as `(code, name)`.
    pub kinds: Vec<(String, String)>,
    /// SHA-256 of every file already imported into the complex.
    pub imported: Vec<String>,
}

fn may_not_import() -> AppError {
    AppError::forbidden(
        "may_not_import",
        "종이 문서 가져오기는 관리사무소장 직위나 단지 관리 권한이 있는 직위로만 할 수 있습니다.",
        "only the manager's position or an administrator's position may import paper records",
    )
}

/// The position a member imports in: the one asked for, else a manager's, else an administrator's.
fn importing_position(
    member: &Member,
    requested: Option<PositionId>,
) -> Result<Position, AppError> {
    let allowed = |p: &&Position| p.is_admin || p.role.as_str() == "manager";
    let found = match requested {
        Some(id) => member.positions.iter().find(|p| p.id == id).filter(allowed),
        None => member
            .positions
            .iter()
            .find(|p| p.role.as_str() == "manager")
            .or_else(|| member.positions.iter().find(allowed)),
    };
    found.cloned().ok_or_else(may_not_import)
}

/// The body of a digitised record: what it is and where it came from, in words.
fn provenance_body(input: &DigitisedInput) -> String {
    let unknown = || "미상".to_owned();
    let p = &input.provenance;
    format!(
        "전자화문서: 종이 원본을 스캔해 등록한 문서입니다.\n\
         원본 일자: {}\n원본 파일: {}\n스캔한 사람: {}\n스캔한 날: {}\n보관 상자: {}\n가져오기 규칙: {}",
        input.original_date,
        input.source_path,
        p.scanned_by.clone().unwrap_or_else(unknown),
        p.scanned_on
            .map_or_else(unknown, |d| d.format("%Y-%m-%d").to_string()),
        p.box_label.clone().unwrap_or_else(unknown),
        input.rule,
    )
}

pub(crate) fn digitised_row(complex: ComplexId, d: &DigitisedRow) -> Row {
    Row::new(
        &tables::DIGITISED_RECORDS,
        vec![
            ("complex_id", complex.to_string().into()),
            ("document_id", d.document_id.clone().into()),
            ("sha256", d.sha256.clone().into()),
            ("source_path", d.source_path.clone().into()),
            ("original_date", d.original_date.clone().into()),
            ("scanned_by", d.scanned_by.clone().into()),
            ("scanned_on", d.scanned_on.clone().into()),
            ("box_label", d.box_label.clone().into()),
            ("rule_name", d.rule_name.clone().into()),
        ],
    )
}

impl App {
    /// Checks that the caller may import into the complex (a manager's or an administrator's
    /// position, `position` when given) and returns what an import run needs to know first.
    pub async fn import_setup(
        &self,
        caller: &Caller,
        complex: ComplexId,
        position: Option<PositionId>,
    ) -> Result<ImportSetup, AppError> {
        let (member, imported) = {
            let mut r = self.db().reader().await?;
            let member = Member::resolve(r.conn(), complex, caller).await?;
            let imported = digitised::hashes(r.conn(), &complex.to_string()).await?;
            (member, imported)
        };
        let position = importing_position(&member, position)?;
        let kinds = self
            .list_kinds(&member)
            .await?
            .iter()
            .map(|k| (k.code().to_string(), k.name().to_owned()))
            .collect();
        Ok(ImportSetup {
            position,
            kinds,
            imported,
        })
    }

    /// 전자화문서 등록: registers one scanned file as a document of its kind, drafted and finally
    /// approved by the importing position, with the file as its attachment and its provenance
    /// (`document.digitise`). A file whose SHA-256 was imported before changes nothing.
    pub async fn digitise(
        &self,
        caller: &Caller,
        complex: ComplexId,
        position: PositionId,
        input: DigitisedInput,
    ) -> Result<DigitiseOutcome, AppError> {
        self.digitise_batch(caller, complex, position, vec![input])
            .await?
            .pop()
            .unwrap_or_else(|| Err(AppError::internal("a batch of one gave no outcome")))
    }

    /// Registers several scanned files in one transaction, one `document.digitise` entry each,
    /// in the order given (so their serials follow it). Each file gets its own outcome: a file
    /// refused for itself (too large, a bad name, an unknown kind) writes nothing and the others go
    /// ahead; a failure of the database fails the whole batch and writes nothing.
    pub async fn digitise_batch(
        &self,
        caller: &Caller,
        complex: ComplexId,
        position: PositionId,
        inputs: Vec<DigitisedInput>,
    ) -> Result<Vec<Result<DigitiseOutcome, AppError>>, AppError> {
        let cid = complex.to_string();
        let mut outcomes: Vec<Option<Result<DigitiseOutcome, AppError>>> =
            Vec::with_capacity(inputs.len());
        let mut ready = Vec::with_capacity(inputs.len());
        {
            // Checks of each file alone, and duplicates known before: no blob is written for them.
            let mut r = self.db().reader().await?;
            for input in inputs {
                match self.prepare(input) {
                    Err(e) => outcomes.push(Some(Err(e))),
                    Ok(p) => match digitised::by_sha256(r.conn(), &cid, &p.sha).await? {
                        Some(existing) => outcomes.push(Some(Ok(DigitiseOutcome::Duplicate {
                            existing: crate::member::parse_id(&existing)?,
                        }))),
                        None => {
                            outcomes.push(None);
                            ready.push(p);
                        }
                    },
                }
            }
        }
        // The blobs are durable before the transaction that references them (invariant 8). They
        // are written side by side: the file system then joins their fsyncs.
        let mut puts = tokio::task::JoinSet::new();
        for p in &mut ready {
            let (blobs, cid, bytes) = (
                self.blobs().clone(),
                cid.clone(),
                std::mem::take(&mut p.bytes),
            );
            puts.spawn(async move { blobs.put(&cid, bytes).await });
        }
        while let Some(put) = puts.join_next().await {
            put.map_err(AppError::internal)??;
        }
        let now = self.clock().now();
        let (mut tx, mut head) = self.begin_write(complex).await?;
        let member = Member::resolve(tx.conn(), complex, caller).await?;
        let importer = importing_position(&member, Some(position))?;
        let issuer = self.issuer_name(tx.conn(), complex).await?;
        let mut kinds = std::collections::HashMap::new();
        let mut registered = Vec::with_capacity(ready.len());
        for p in ready {
            // Within the lock: an import running beside this one, or the same file twice here.
            if let Some(existing) = digitised::by_sha256(tx.conn(), &cid, &p.sha).await? {
                registered.push(Ok(DigitiseOutcome::Duplicate {
                    existing: crate::member::parse_id(&existing)?,
                }));
                continue;
            }
            let kind = match kinds.get(&p.input.kind_code) {
                Some(k) => std::sync::Arc::clone(k),
                None => match self
                    .latest_kind(tx.conn(), complex, &p.input.kind_code)
                    .await
                {
                    Ok(k) => {
                        kinds.insert(p.input.kind_code.clone(), k.clone());
                        k
                    }
                    Err(e) if e.code == "unknown_kind" => {
                        registered.push(Err(AppError::invalid(
                            "unknown_kind",
                            format!("'{}'은(는) 없는 문서 종류입니다.", p.input.kind_code),
                            format!("unknown document kind `{}`", p.input.kind_code),
                        )));
                        continue;
                    }
                    Err(e) => return Err(e),
                },
            };
            let id = DocumentId::from_uuid(App::new_uuid());
            let input = p.input;
            let provenance = DigitisedRow {
                document_id: id.to_string(),
                sha256: p.sha.clone(),
                source_path: input.source_path,
                original_date: input.original_date.to_string(),
                scanned_by: input.provenance.scanned_by,
                scanned_on: input
                    .provenance
                    .scanned_on
                    .map(|d| d.format("%Y-%m-%d").to_string()),
                box_label: input.provenance.box_label,
                rule_name: input.rule,
            };
            let registration_number = self
                .register_at_once(
                    &mut tx,
                    &mut head,
                    complex,
                    caller,
                    AtOnce {
                        event: "document.digitise",
                        id,
                        kind: &kind,
                        position: importer.id,
                        title: p.title,
                        body: p.body,
                        // The scan is the content: no form.
                        form_json: "{}".to_owned(),
                        attachments: vec![AttachmentRow {
                            version: 1,
                            ordinal: 1,
                            name: p.file_name,
                            size: p.size,
                            sha256: p.sha,
                            media_type: p.media_type,
                        }],
                        issuer: &issuer,
                        year: input.original_date.year(),
                        registered_at: Timestamp::seoul_midnight(input.original_date.first_day()),
                        received_from: None,
                        now,
                        extra: vec![digitised_row(complex, &provenance)],
                    },
                )
                .await?;
            registered.push(Ok(DigitiseOutcome::Imported {
                id,
                registration_number,
            }));
        }
        tx.commit().await?;
        let mut registered = registered.into_iter();
        Ok(outcomes
            .into_iter()
            .map(|o| {
                o.or_else(|| registered.next())
                    .unwrap_or_else(|| Err(AppError::internal("an import lost its outcome")))
            })
            .collect())
    }

    /// Checks one file alone and hashes it.
    fn prepare(&self, input: DigitisedInput) -> Result<Prepared, AppError> {
        let limit = self.limits().max_attachment_bytes;
        if input.bytes.len() as u64 > limit {
            return Err(too_large(limit));
        }
        let title = check_title(&input.title)?;
        let file_name = check_file_name(&input.file_name)?;
        Ok(Prepared {
            title,
            file_name,
            media_type: check_media_type(&input.media_type),
            body: provenance_body(&input),
            size: i64::try_from(input.bytes.len()).map_err(AppError::internal)?,
            sha: Sha256Hash::of(&input.bytes).to_hex(),
            bytes: Vec::new(),
            input,
        })
        .map(|mut p| {
            p.bytes = std::mem::take(&mut p.input.bytes);
            p
        })
    }
}

/// A file checked and hashed, waiting for its transaction.
struct Prepared {
    title: String,
    file_name: String,
    media_type: String,
    body: String,
    size: i64,
    sha: String,
    bytes: Vec<u8>,
    input: DigitisedInput,
}
