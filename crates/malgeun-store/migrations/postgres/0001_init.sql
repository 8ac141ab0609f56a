-- 맑은 schema, PostgreSQL flavour. Keep in step with ../sqlite/0001_init.sql (same tables, columns and
-- order; only the type names differ): a parity test compares them.
-- Every tenant table is keyed complex-first. Times are microseconds since the Unix epoch (UTC).

CREATE TABLE complexes (
    id TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    short_name TEXT NOT NULL,
    households BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    ledger_index BIGINT NOT NULL
);

CREATE TABLE persons (
    id TEXT NOT NULL PRIMARY KEY,
    login TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    is_operator BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE positions (
    complex_id TEXT NOT NULL,
    id TEXT NOT NULL,
    title TEXT NOT NULL,
    role TEXT NOT NULL,
    is_admin BOOLEAN NOT NULL,
    deputy_position_id TEXT,
    active BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    ledger_index BIGINT NOT NULL,
    PRIMARY KEY (complex_id, id)
);

CREATE TABLE position_terms (
    complex_id TEXT NOT NULL,
    position_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    person_id TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    ended_at BIGINT,
    ledger_index BIGINT NOT NULL,
    PRIMARY KEY (complex_id, position_id, seq)
);
CREATE INDEX position_terms_by_person ON position_terms (person_id, ended_at);

CREATE TABLE kinds (
    complex_id TEXT NOT NULL,
    code TEXT NOT NULL,
    version BIGINT NOT NULL,
    name TEXT NOT NULL,
    origin TEXT NOT NULL,
    source TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    ledger_index BIGINT NOT NULL,
    PRIMARY KEY (complex_id, code, version)
);

CREATE TABLE documents (
    complex_id TEXT NOT NULL,
    id TEXT NOT NULL,
    kind_code TEXT NOT NULL,
    kind_version BIGINT NOT NULL,
    drafter_position_id TEXT NOT NULL,
    drafter_person_id TEXT NOT NULL,
    title TEXT NOT NULL,
    status TEXT NOT NULL,
    current_version BIGINT NOT NULL,
    content_sha256 TEXT NOT NULL,
    registration_number TEXT,
    registration_year BIGINT,
    registration_serial BIGINT,
    registered_at BIGINT,
    corrects_id TEXT,
    received_from TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    ledger_index BIGINT NOT NULL,
    PRIMARY KEY (complex_id, id)
);
CREATE UNIQUE INDEX documents_registration ON documents (complex_id, registration_year, registration_serial);
CREATE INDEX documents_by_updated ON documents (complex_id, updated_at);

CREATE TABLE document_versions (
    complex_id TEXT NOT NULL,
    document_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    form_json TEXT NOT NULL,
    line_json TEXT NOT NULL,
    content_sha256 TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    submitted_at BIGINT,
    ledger_index BIGINT NOT NULL,
    PRIMARY KEY (complex_id, document_id, version)
);

CREATE TABLE attachments (
    complex_id TEXT NOT NULL,
    document_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    ordinal BIGINT NOT NULL,
    name TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    media_type TEXT NOT NULL,
    ledger_index BIGINT NOT NULL,
    PRIMARY KEY (complex_id, document_id, version, ordinal)
);

CREATE TABLE approvals (
    complex_id TEXT NOT NULL,
    document_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    step BIGINT NOT NULL,
    position_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    proxy BOOLEAN NOT NULL,
    decision TEXT NOT NULL,
    comment TEXT,
    content_sha256 TEXT NOT NULL,
    at BIGINT NOT NULL,
    ledger_index BIGINT NOT NULL,
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
    year BIGINT NOT NULL,
    last_serial BIGINT NOT NULL,
    PRIMARY KEY (complex_id, year)
);

CREATE TABLE ledger_entries (
    complex_id TEXT NOT NULL,
    idx BIGINT NOT NULL,
    leaf_hash BYTEA NOT NULL,
    event TEXT NOT NULL,
    subject TEXT,
    at BIGINT NOT NULL,
    payload TEXT NOT NULL,
    PRIMARY KEY (complex_id, idx)
);
CREATE INDEX ledger_entries_by_subject ON ledger_entries (complex_id, subject);

CREATE TABLE ledger_nodes (
    complex_id TEXT NOT NULL,
    level BIGINT NOT NULL,
    idx BIGINT NOT NULL,
    hash BYTEA NOT NULL,
    PRIMARY KEY (complex_id, level, idx)
);

CREATE TABLE ledger_heads (
    complex_id TEXT NOT NULL PRIMARY KEY,
    size BIGINT NOT NULL,
    frontier BYTEA NOT NULL,
    checkpoint TEXT NOT NULL
);

CREATE TABLE sessions (
    token_sha256 TEXT NOT NULL PRIMARY KEY,
    person_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
