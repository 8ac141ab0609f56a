//! 전자화문서: the provenance rows of documents registered from scanned paper originals, and the
//! look-ups by the file's SHA-256 that make an import skip what it already brought in.

use crate::db::Conn;
use crate::error::StoreError;

db_row! {
    /// A digitised record's provenance.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct DigitisedRow {
        /// The document made from the scan.
        pub document_id: String,
        /// SHA-256 of the scanned file (also its attachment's blob).
        pub sha256: String,
        /// The file's path inside the import folder.
        pub source_path: String,
        /// The original's date: `YYYY-MM-DD`, `YYYY-MM` or `YYYY`.
        pub original_date: String,
        /// Who scanned it.
        pub scanned_by: Option<String>,
        /// The day it was scanned (`YYYY-MM-DD`).
        pub scanned_on: Option<String>,
        /// The storeroom box it came from.
        pub box_label: Option<String>,
        /// The import rule that mapped it.
        pub rule_name: String,
    }
}

/// The document already made from a file with this SHA-256 in the complex, if any.
pub async fn by_sha256(
    conn: Conn<'_>,
    complex_id: &str,
    sha256: &str,
) -> Result<Option<String>, StoreError> {
    fetch_scalar!(
        conn,
        String,
        fetch_optional,
        "SELECT document_id FROM digitised_records WHERE complex_id = $1 AND sha256 = $2",
        complex_id,
        sha256
    )
}

/// The SHA-256 of every file already imported into the complex.
pub async fn hashes(conn: Conn<'_>, complex_id: &str) -> Result<Vec<String>, StoreError> {
    fetch_scalar!(
        conn,
        String,
        fetch_all,
        "SELECT sha256 FROM digitised_records WHERE complex_id = $1",
        complex_id
    )
}
