-- Bundle bookkeeping (issue 7): what an exported bundle carried, the file of a bundle waiting
-- for a gap to be filled, and the audit entries received from communes (kept apart from the
-- local, append-only audit_log; deduplicated by the sender's own entry id).

ALTER TABLE bundles ADD COLUMN last_audit_id INTEGER;
ALTER TABLE bundles ADD COLUMN content BLOB;
ALTER TABLE bundles ADD COLUMN message TEXT;
CREATE INDEX bundles_chain ON bundles(direction, peer_unit, kind, sequence);

CREATE TABLE replica_audit (
    unit_code TEXT NOT NULL,
    source_id INTEGER NOT NULL,
    at TEXT NOT NULL,
    user TEXT,
    table_name TEXT NOT NULL,
    row_id TEXT NOT NULL,
    action TEXT NOT NULL,
    field TEXT,
    before TEXT,
    after TEXT,
    bundle_id TEXT,
    PRIMARY KEY (unit_code, source_id)
);
CREATE INDEX replica_audit_row ON replica_audit(table_name, row_id);
CREATE TRIGGER replica_audit_no_delete BEFORE DELETE ON replica_audit BEGIN SELECT RAISE(ABORT, 'rows are never deleted'); END;
CREATE TRIGGER replica_audit_no_update BEFORE UPDATE ON replica_audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
