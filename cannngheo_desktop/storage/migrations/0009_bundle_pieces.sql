-- A held bundle's file is kept in 1 MiB pieces rather than one blob written through the
-- incremental blob API, which the SQLCipher driver (storage/driver.py, issue 16) does not offer.
-- bundles.content stays the marker: X'' while the file is held, NULL once it is released; the
-- trigger drops the pieces whenever content is cleared, so every existing writer stays correct.
CREATE TABLE bundle_pieces (
    bundle_id TEXT NOT NULL REFERENCES bundles(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (bundle_id, seq)
) WITHOUT ROWID;

INSERT INTO bundle_pieces (bundle_id, seq, data)
    SELECT id, 0, content FROM bundles WHERE content IS NOT NULL AND length(content) > 0;

UPDATE bundles SET content = X'' WHERE content IS NOT NULL;

CREATE TRIGGER bundle_pieces_released AFTER UPDATE OF content ON bundles
    WHEN NEW.content IS NULL
BEGIN
    DELETE FROM bundle_pieces WHERE bundle_id = NEW.id;
END;
