-- The search outbox: one row per change of a document, written in the transaction of the change
-- (by `events::record`, through `search_outbox::enqueue`). Each complex numbers its rows 1, 2, 3 …
-- in `search_outbox_heads`; the number is taken after the complex's ledger head lock, so a reader
-- that has seen number n of a complex has seen every number before it (commit order = number
-- order within a complex, on either engine). Each search index remembers, per complex, the last
-- number it reflects and catches up from there; rows are kept, so any number of indexes (one per
-- server process) catch up independently. Not ledgered: derived data.
CREATE TABLE search_outbox_heads (
    complex_id TEXT NOT NULL PRIMARY KEY,
    last_seq BIGINT NOT NULL
);

CREATE TABLE search_outbox (
    complex_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    document_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (complex_id, seq)
);

-- Documents that existed before this migration enter the outbox once each, numbered per complex
-- in the order they were created, so an index that starts from nothing replays every document.
INSERT INTO search_outbox (complex_id, seq, document_id, created_at)
SELECT complex_id,
       ROW_NUMBER() OVER (PARTITION BY complex_id ORDER BY created_at, id),
       id, created_at
FROM documents;

INSERT INTO search_outbox_heads (complex_id, last_seq)
SELECT complex_id, MAX(seq) FROM search_outbox GROUP BY complex_id;
