-- 맑은 schema, SQLite flavour. Keep in step with ../postgres/0001_init.sql (same tables, columns and
-- order; only the type names differ): a parity test compares them.
-- Every tenant table is keyed complex-first. Times are microseconds since the Unix epoch (UTC).

CREATE TABLE complexes (
    id TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    short_name TEXT NOT NULL,
    households INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    ledger_index INTEGER NOT NULL
);

CREATE TABLE persons (
    id TEXT NOT NULL PRIMARY KEY,
    login TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    is_operator BOOLEAN NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE positions (
    complex_id TEXT NOT NULL,
    id TEXT NOT NULL,
    title TEXT NOT NULL,
    role TEXT NOT NULL,
    is_admin BOOLEAN NOT NULL,
    deputy_position_id TEXT,
    active BOOLEAN NOT NULL,
    created_at INTEGER NOT NULL,
    ledger_index INTEGER NOT NULL,
    PRIMARY KEY (complex_id, id)
);

CREATE TABLE position_terms (
    complex_id TEXT NOT NULL,
    position_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    person_id TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    ended_at INTEGER,
    ledger_index INTEGER NOT NULL,
    PRIMARY KEY (complex_id, position_id, seq)
);
CREATE INDEX position_terms_by_person ON position_terms (person_id, ended_at);

CREATE TABLE kinds (
    complex_id TEXT NOT NULL,
    code TEXT NOT NULL,
    version INTEGER NOT NULL,
    name TEXT NOT NULL,
    origin TEXT NOT NULL,
    source TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    ledger_index INTEGER NOT NULL,
    PRIMARY KEY (complex_id, code, version)
);

CREATE TABLE documents (
    complex_id TEXT NOT NULL,
    id TEXT NOT NULL,
    kind_code TEXT NOT NULL,
    kind_version INTEGER NOT NULL,
    drafter_position_id TEXT NOT NULL,
    drafter_person_id TEXT NOT NULL,
    title TEXT NOT NULL,
    status TEXT NOT NULL,
    current_version INTEGER NOT NULL,
    content_sha256 TEXT NOT NULL,
    registration_number TEXT,
    registration_year INTEGER,
    registration_serial INTEGER,
    registered_at INTEGER,
    corrects_id TEXT,
    received_from TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    ledger_index INTEGER NOT NULL,
    PRIMARY KEY (complex_id, id)
);
CREATE UNIQUE INDEX documents_registration ON documents (complex_id, registration_year, registration_serial);
CREATE INDEX documents_by_updated ON documents (complex_id, updated_at);

CREATE TABLE document_versions (
    complex_id TEXT NOT NULL,
    document_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    form_json TEXT NOT NULL,
    line_json TEXT NOT NULL,
    content_sha256 TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    submitted_at INTEGER,
    ledger_index INTEGER NOT NULL,
    PRIMARY KEY (complex_id, document_id, version)
);

CREATE TABLE attachments (
    complex_id TEXT NOT NULL,
    document_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    ordinal INTEGER NOT NULL,
    name TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    media_type TEXT NOT NULL,
    ledger_index INTEGER NOT NULL,
    PRIMARY KEY (complex_id, document_id, version, ordinal)
);

CREATE TABLE approvals (
    complex_id TEXT NOT NULL,
    document_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    step INTEGER NOT NULL,
    position_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    proxy BOOLEAN NOT NULL,
    decision TEXT NOT NULL,
    comment TEXT,
    content_sha256 TEXT NOT NULL,
    at INTEGER NOT NULL,
    ledger_index INTEGER NOT NULL,
    PRIMARY KEY (complex_id, document_id, version, seq)
);

-- Derived: who must act now on which document (결재대기), and who is on the current line. Rebuilt
-- from documents and versions; not in the ledger.
CREATE TABLE document_waiting (
    complex_id TEXT NOT NULL,
    position_id TEXT NOT NULL,
    document_id TEXT NOT NULL,
    PRIMARY KEY (complex_id, position_id, document_id)
);
CREATE INDEX document_waiting_by_document ON document_waiting (complex_id, document_id);
CREATE TABLE document_line_members (
    complex_id TEXT NOT NULL,
    position_id TEXT NOT NULL,
    document_id TEXT NOT NULL,
    step_kind TEXT NOT NULL,
    PRIMARY KEY (complex_id, position_id, document_id)
);
CREATE INDEX document_line_members_by_document ON document_line_members (complex_id, document_id);

CREATE TABLE registration_counters (
    complex_id TEXT NOT NULL,
    year INTEGER NOT NULL,
    last_serial INTEGER NOT NULL,
    PRIMARY KEY (complex_id, year)
);

CREATE TABLE ledger_entries (
    complex_id TEXT NOT NULL,
    idx INTEGER NOT NULL,
    leaf_hash BLOB NOT NULL,
    event TEXT NOT NULL,
    subject TEXT,
    at INTEGER NOT NULL,
    payload TEXT NOT NULL,
    PRIMARY KEY (complex_id, idx)
);
CREATE INDEX ledger_entries_by_subject ON ledger_entries (complex_id, subject);

CREATE TABLE ledger_nodes (
    complex_id TEXT NOT NULL,
    level INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    hash BLOB NOT NULL,
    PRIMARY KEY (complex_id, level, idx)
);

CREATE TABLE ledger_heads (
    complex_id TEXT NOT NULL PRIMARY KEY,
    size INTEGER NOT NULL,
    frontier BLOB NOT NULL,
    checkpoint TEXT NOT NULL
);

CREATE TABLE sessions (
    token_sha256 TEXT NOT NULL PRIMARY KEY,
    person_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
