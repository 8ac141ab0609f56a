-- Derived: which 결재함 tab each position finds a document in, apart from 결재대기 (which is
-- document_waiting). One row per position and bucket; the tabs are unions over a person's current
-- positions, so counting and paging a tab reads one index range instead of every document.
-- Buckets: 'active' (in approval; drafter or non-reference line member), 'done' (registered;
-- drafter or non-reference member), 'rejected' (drafter or any member), 'reference' (reference
-- member of a document in approval or registered), 'drafts' (drafter of a draft or withdrawn
-- document). Written with the status change by the store (`documents::set_tabs`); not in the
-- ledger.
CREATE TABLE document_tabs (
    complex_id TEXT NOT NULL,
    position_id TEXT NOT NULL,
    bucket TEXT NOT NULL,
    document_id TEXT NOT NULL,
    PRIMARY KEY (complex_id, position_id, bucket, document_id)
);
CREATE INDEX document_tabs_by_document ON document_tabs (complex_id, document_id);

INSERT INTO document_tabs (complex_id, position_id, bucket, document_id)
SELECT complex_id, drafter_position_id,
       CASE status WHEN 'in_progress' THEN 'active' WHEN 'registered' THEN 'done'
                   WHEN 'rejected' THEN 'rejected' ELSE 'drafts' END,
       id
FROM documents;

INSERT INTO document_tabs (complex_id, position_id, bucket, document_id)
SELECT m.complex_id, m.position_id,
       CASE WHEN d.status = 'rejected' THEN 'rejected'
            WHEN m.step_kind = 'reference' THEN 'reference'
            WHEN d.status = 'in_progress' THEN 'active'
            ELSE 'done' END,
       m.document_id
FROM document_line_members m
JOIN documents d ON d.complex_id = m.complex_id AND d.id = m.document_id
WHERE d.status IN ('in_progress', 'registered', 'rejected')
ON CONFLICT DO NOTHING;

-- A 결재함 page walks documents newest first and keeps those in the tab: with the id in the index
-- the walk needs no table row until a document is kept.
DROP INDEX documents_by_updated;
CREATE INDEX documents_by_updated ON documents (complex_id, updated_at, id);

-- A document's history reads its entries in log order: with idx in the index the planner never
-- prefers walking the whole log by its primary key.
DROP INDEX ledger_entries_by_subject;
CREATE INDEX ledger_entries_by_subject ON ledger_entries (complex_id, subject, idx);
