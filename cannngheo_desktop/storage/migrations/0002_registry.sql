-- Registry list (issue 4): indexes so the household list sorts and pages in SQL at 100,000
-- households (ORDER BY … LIMIT walks an index instead of sorting the table), and so duplicate
-- checks on name + birth date and "not a duplicate" decisions are index look-ups.

CREATE INDEX households_head_name ON households(head_name, id);
CREATE INDEX households_village ON households(village, id);
CREATE INDEX households_member_count ON households(member_count, id);
CREATE INDEX households_deprivation_count ON households(deprivation_count, id);
CREATE INDEX households_live ON households(deleted, status);  -- counts read only this index
CREATE INDEX households_able_to_exit ON households(able_to_exit, id);
CREATE INDEX households_is_merit ON households(is_merit, id);
CREATE INDEX households_category_id ON households(category, id);
CREATE INDEX households_code_id ON households(household_code, id);
CREATE INDEX households_updated_id ON households(updated_at, id);
CREATE INDEX members_name_birth ON members(search_key, birth_date);
CREATE INDEX duplicate_decisions_pair ON duplicate_decisions(household_a, household_b);
CREATE INDEX assessments_household_latest ON assessments(household_id, assessed_on, updated_at);

-- Search for the list: an FTS5 index over households.search_key (kept by storage/households.py)
-- whose rowids ARE the households' rowids, so a match joins to the list by integer rowid.
-- Joining household_search by its text household_id cost ~0.2 s per query for a common name
-- at 100,000 households; this costs ~0.03 s. Triggers keep it in step with every write path.
-- VACUUM may renumber rowids of households (no INTEGER PRIMARY KEY): run
-- registry_queries.rebuild_search_index() after a VACUUM.
CREATE VIRTUAL TABLE household_fts USING fts5(
    search_key,
    content = 'households',
    content_rowid = 'rowid',
    tokenize = 'unicode61'
);
INSERT INTO household_fts(household_fts) VALUES ('rebuild');
CREATE TRIGGER households_fts_insert AFTER INSERT ON households BEGIN
    INSERT INTO household_fts(rowid, search_key) VALUES (new.rowid, new.search_key);
END;
CREATE TRIGGER households_fts_update AFTER UPDATE OF search_key ON households BEGIN
    INSERT INTO household_fts(household_fts, rowid, search_key) VALUES ('delete', old.rowid, old.search_key);
    INSERT INTO household_fts(rowid, search_key) VALUES (new.rowid, new.search_key);
END;
