-- Row images beside the ledger. From payload version 2 on, a leaf is the SHA-256 of a compact
-- event record that names every row the event wrote with the SHA-256 of the row's canonical image
-- (DESIGN: "the content hashes involved"); the images themselves are kept here, one JSON array
-- per entry in the record's row order (`null` for a deletion). They are bound to the leaf by those
-- hashes: whoever reads one checks it against the record, and `malgeun verify --images` checks
-- them all. Entries of version 1 carry their images inside the payload and have no row here.
CREATE TABLE ledger_images (
    complex_id TEXT NOT NULL,
    idx BIGINT NOT NULL,
    images TEXT NOT NULL,
    PRIMARY KEY (complex_id, idx)
);
