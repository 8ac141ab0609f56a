-- Text from attachments (issue 4): extraction jobs and the text they produced.
-- One job per distinct file (blob) of a complex, enqueued in the transaction that attaches it:
-- state 'queued' → 'running' (a server process holds a lease until lease_until, microseconds
-- UTC; an expired lease is taken over, so a crashed process's job runs again) → 'done' or
-- 'failed' (reason_code and the Korean reason). attempts counts the starts. Operational, not
-- ledgered: the outcome that matters, the text, is.
CREATE TABLE extraction_jobs (
    complex_id TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    lease_owner TEXT,
    lease_until BIGINT,
    reason_code TEXT,
    reason TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (complex_id, sha256)
);
CREATE INDEX extraction_jobs_by_state ON extraction_jobs (state, created_at);

-- Ledgered: the text of a file (event document.extract, one entry per document holding it).
CREATE TABLE attachment_texts (
    complex_id TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    format TEXT NOT NULL,
    ocr BOOLEAN NOT NULL,
    truncated BOOLEAN NOT NULL,
    text TEXT NOT NULL,
    extracted_at BIGINT NOT NULL,
    ledger_index BIGINT NOT NULL,
    PRIMARY KEY (complex_id, sha256)
);

-- Files attached before this migration are queued once.
INSERT INTO extraction_jobs (complex_id, sha256, state, attempts, created_at, updated_at)
SELECT DISTINCT complex_id, sha256, 'queued', 0, 0, 0 FROM attachments;
