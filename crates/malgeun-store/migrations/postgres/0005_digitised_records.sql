-- 0005, PostgreSQL flavour (keep in step with ../sqlite/0005_digitised_records.sql).
-- 전자화문서: a registered document made from a scanned paper original by `malgeun import`. One row
-- per such document, with its provenance; ledgered (written with the document in the
-- `document.digitise` entry). The unique index on the file's SHA-256 is what makes an import skip
-- duplicates within a run, across runs and after a resume, under any concurrency.
CREATE TABLE digitised_records (
    complex_id TEXT NOT NULL,
    document_id TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    source_path TEXT NOT NULL,
    original_date TEXT NOT NULL,
    scanned_by TEXT,
    scanned_on TEXT,
    box_label TEXT,
    rule_name TEXT NOT NULL,
    ledger_index BIGINT NOT NULL,
    PRIMARY KEY (complex_id, document_id)
);
CREATE UNIQUE INDEX digitised_records_by_sha256 ON digitised_records (complex_id, sha256);
