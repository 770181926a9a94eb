-- Issue 17: a support action marked done changes the member or household it helped (health
-- insurance card, job, schooling, house). Each field it changed is kept here with its value
-- before and after, so moving the action away from "done" (or deleting it) puts back exactly
-- what it changed, and only while nobody has changed that field since. Local bookkeeping: the
-- member and household changes themselves travel in the bundles as ordinary audited updates.
CREATE TABLE support_effects (
    id TEXT PRIMARY KEY,
    unit_code TEXT NOT NULL,
    action_id TEXT NOT NULL REFERENCES support_actions(id),
    table_name TEXT NOT NULL CHECK (table_name IN ('members', 'households')),
    row_id TEXT NOT NULL,
    field TEXT NOT NULL,
    before TEXT,                       -- JSON of the stored value before (null: empty)
    after TEXT,                        -- JSON of the stored value the action wrote
    undone INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT,
    deleted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX support_effects_action ON support_effects(action_id);
CREATE TRIGGER support_effects_no_delete BEFORE DELETE ON support_effects BEGIN SELECT RAISE(ABORT, 'rows are never deleted'); END;
