//! The catalogue as a complex uses it: the standard kinds copied in when the complex is created,
//! its own kinds, and its overrides of approval lines, every version kept and ledgered.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use malgeun_domain::ComplexId;
use malgeun_domain::catalogue::{KindDefinition, LineTemplate};
use malgeun_store::db::Conn;
use malgeun_store::image::Row;
use malgeun_store::{documents, tables};

use crate::App;
use crate::error::AppError;
use crate::events::Change;
use crate::member::Member;
use crate::standards::standard_catalogue;

/// Parsed kind versions by (complex, code, version). Versions never change once written, so
/// entries never go stale.
#[derive(Default)]
pub struct KindCache(Mutex<HashMap<(ComplexId, String, u32), Arc<KindDefinition>>>);

impl KindCache {
    fn get(&self, key: &(ComplexId, String, u32)) -> Option<Arc<KindDefinition>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(key)
            .cloned()
    }

    fn put(&self, key: (ComplexId, String, u32), kind: Arc<KindDefinition>) {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(key, kind);
    }
}

/// The ledgered row of a kind version.
pub(crate) fn kind_row(
    complex: ComplexId,
    kind: &KindDefinition,
    source: &str,
    origin: &str,
    at: i64,
) -> Row {
    Row::new(
        &tables::KINDS,
        vec![
            ("complex_id", complex.to_string().into()),
            ("code", kind.code().as_str().into()),
            ("version", i64::from(kind.version()).into()),
            ("name", kind.name().into()),
            ("origin", origin.into()),
            ("source", source.into()),
            ("created_at", at.into()),
        ],
    )
}

fn unknown_kind(code: &str) -> AppError {
    AppError::not_found(
        "unknown_kind",
        &format!("문서 종류 '{code}'"),
        &format!("document kind `{code}`"),
    )
}

fn parse_stored(source: &str) -> Result<Arc<KindDefinition>, AppError> {
    KindDefinition::from_toml(source)
        .map(Arc::new)
        .map_err(|e| AppError::internal(format!("stored kind does not parse: {e}")))
}

impl App {
    /// A specific version of a kind of the complex.
    pub async fn kind_version(
        &self,
        conn: Conn<'_>,
        complex: ComplexId,
        code: &str,
        version: u32,
    ) -> Result<Arc<KindDefinition>, AppError> {
        let key = (complex, code.to_owned(), version);
        if let Some(k) = self.inner.kinds.get(&key) {
            return Ok(k);
        }
        let source = documents::kind_source(conn, &complex.to_string(), code, i64::from(version))
            .await?
            .ok_or_else(|| unknown_kind(code))?;
        let kind = parse_stored(&source)?;
        self.inner.kinds.put(key, kind.clone());
        Ok(kind)
    }

    /// The latest version of a kind of the complex.
    pub async fn latest_kind(
        &self,
        conn: Conn<'_>,
        complex: ComplexId,
        code: &str,
    ) -> Result<Arc<KindDefinition>, AppError> {
        let (version, source) = documents::latest_kind(conn, &complex.to_string(), code)
            .await?
            .ok_or_else(|| unknown_kind(code))?;
        let version = u32::try_from(version).map_err(AppError::internal)?;
        let key = (complex, code.to_owned(), version);
        if let Some(k) = self.inner.kinds.get(&key) {
            return Ok(k);
        }
        let kind = parse_stored(&source)?;
        self.inner.kinds.put(key, kind.clone());
        Ok(kind)
    }

    /// Every kind of the complex at its latest version, by category and name.
    pub async fn list_kinds(&self, member: &Member) -> Result<Vec<Arc<KindDefinition>>, AppError> {
        let mut r = self.db().reader().await?;
        let rows = documents::latest_kinds(r.conn(), &member.complex.to_string()).await?;
        let mut kinds = Vec::with_capacity(rows.len());
        for (code, version, source) in rows {
            let version = u32::try_from(version).map_err(AppError::internal)?;
            let key = (member.complex, code, version);
            let kind = match self.inner.kinds.get(&key) {
                Some(k) => k,
                None => {
                    let k = parse_stored(&source)?;
                    self.inner.kinds.put(key, k.clone());
                    k
                }
            };
            kinds.push(kind);
        }
        kinds.sort_by(|a, b| (a.category(), a.name()).cmp(&(b.category(), b.name())));
        Ok(kinds)
    }

    /// Adds a complex's own kind, or a new version of an existing kind, from TOML. The version in
    /// the file must be one more than the latest (1 for a new code).
    pub async fn add_kind(
        &self,
        member: &Member,
        source: &str,
    ) -> Result<Arc<KindDefinition>, AppError> {
        member.require_admin()?;
        let kind = KindDefinition::from_toml(source)?;
        let complex = member.complex;
        let cid = complex.to_string();
        let now = self.clock().now();
        let (mut tx, head) = self.begin_write(complex).await?;
        let latest = documents::latest_kind(tx.conn(), &cid, kind.code().as_str()).await?;
        let expected = latest.map_or(1, |(v, _)| v + 1);
        if i64::from(kind.version()) != expected {
            return Err(AppError::conflict(
                "kind_version_conflict",
                format!("이 문서 종류의 다음 판은 {expected}판이어야 합니다."),
                format!("the next version of this kind must be {expected}"),
            ));
        }
        let change = Change::new(if expected == 1 {
            "catalogue.add"
        } else {
            "catalogue.revise"
        })
        .by(member.caller.person, member.positions.first().map(|p| p.id))
        .row(kind_row(complex, &kind, source, "complex", now.as_micros()));
        self.commit_change(tx, complex, head, now, change).await?;
        Ok(Arc::new(kind))
    }

    /// Overrides a kind's default approval line for this complex (its 관리규약 differs), as a new
    /// version; documents already drafted keep the version they were drafted on.
    pub async fn override_line(
        &self,
        member: &Member,
        code: &str,
        line: LineTemplate,
    ) -> Result<Arc<KindDefinition>, AppError> {
        self.replace_line(member, code, line, "catalogue.override_line")
            .await
    }

    /// Removes the complex's override of a standard kind's line: a new version whose line is the
    /// standard catalogue's again. Refused for the complex's own kinds (there is no standard to go
    /// back to) and when the line already is the standard one.
    pub async fn restore_standard_line(
        &self,
        member: &Member,
        code: &str,
    ) -> Result<Arc<KindDefinition>, AppError> {
        member.require_admin()?;
        let standard = standard_catalogue().get(code).ok_or_else(|| {
            AppError::invalid(
                "no_standard_line",
                "이 단지에서 만든 문서 종류라 되돌릴 표준 결재선이 없습니다.",
                format!("`{code}` is not a standard kind"),
            )
        })?;
        let current = {
            let mut r = self.db().reader().await?;
            self.latest_kind(r.conn(), member.complex, code).await?
        };
        if current.line() == standard.line() {
            return Err(AppError::conflict(
                "line_not_overridden",
                "이미 표준 결재선입니다.",
                "the line already is the standard one",
            ));
        }
        self.replace_line(
            member,
            code,
            standard.line().clone(),
            "catalogue.restore_line",
        )
        .await
    }

    /// Records a new version of a kind with `line`, as the ledger event `event`.
    async fn replace_line(
        &self,
        member: &Member,
        code: &str,
        line: LineTemplate,
        event: &'static str,
    ) -> Result<Arc<KindDefinition>, AppError> {
        member.require_admin()?;
        let complex = member.complex;
        let now = self.clock().now();
        let (mut tx, head) = self.begin_write(complex).await?;
        let current = self.latest_kind(tx.conn(), complex, code).await?;
        let next = current.with_line(line, current.version() + 1)?;
        let source = next.to_toml();
        let change = Change::new(event)
            .by(member.caller.person, member.positions.first().map(|p| p.id))
            .row(kind_row(
                complex,
                &next,
                &source,
                "complex",
                now.as_micros(),
            ));
        self.commit_change(tx, complex, head, now, change).await?;
        Ok(Arc::new(next))
    }
}
