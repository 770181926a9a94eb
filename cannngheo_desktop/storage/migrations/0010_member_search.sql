-- Search per person (issue 17.1): every word typed must match ONE member's name, and a part of a
-- household code or a CCCD of at least 4 characters finds it. household_fts holds a whole
-- household's text, so "nguyen van" matched a Nguyễn Thị and a Trần Văn of one household.
-- member_fts: each member's folded name (members.search_key), word by word.
CREATE VIRTUAL TABLE member_fts USING fts5(
    search_key,
    content = 'members',
    content_rowid = 'rowid',
    tokenize = 'unicode61'
);
INSERT INTO member_fts(member_fts) VALUES ('rebuild');
CREATE TRIGGER members_fts_insert AFTER INSERT ON members BEGIN
    INSERT INTO member_fts(rowid, search_key) VALUES (new.rowid, new.search_key);
END;
CREATE TRIGGER members_fts_update AFTER UPDATE OF search_key ON members BEGIN
    INSERT INTO member_fts(member_fts, rowid, search_key) VALUES ('delete', old.rowid, old.search_key);
    INSERT INTO member_fts(rowid, search_key) VALUES (new.rowid, new.search_key);
END;
CREATE TRIGGER members_fts_delete AFTER DELETE ON members BEGIN
    INSERT INTO member_fts(member_fts, rowid, search_key) VALUES ('delete', old.rowid, old.search_key);
END;
-- member_cccd_fts / household_code_fts: trigrams, so any part of 3+ characters is an index lookup
-- (the app asks for 4+: shorter parts of a 12-digit number match too much to be useful).
CREATE VIRTUAL TABLE member_cccd_fts USING fts5(
    cccd,
    content = 'members',
    content_rowid = 'rowid',
    tokenize = 'trigram'
);
INSERT INTO member_cccd_fts(member_cccd_fts) VALUES ('rebuild');
CREATE TRIGGER members_cccd_fts_insert AFTER INSERT ON members BEGIN
    INSERT INTO member_cccd_fts(rowid, cccd) VALUES (new.rowid, new.cccd);
END;
CREATE TRIGGER members_cccd_fts_update AFTER UPDATE OF cccd ON members BEGIN
    INSERT INTO member_cccd_fts(member_cccd_fts, rowid, cccd) VALUES ('delete', old.rowid, old.cccd);
    INSERT INTO member_cccd_fts(rowid, cccd) VALUES (new.rowid, new.cccd);
END;
CREATE TRIGGER members_cccd_fts_delete AFTER DELETE ON members BEGIN
    INSERT INTO member_cccd_fts(member_cccd_fts, rowid, cccd) VALUES ('delete', old.rowid, old.cccd);
END;
CREATE VIRTUAL TABLE household_code_fts USING fts5(
    household_code,
    content = 'households',
    content_rowid = 'rowid',
    tokenize = 'trigram'
);
INSERT INTO household_code_fts(household_code_fts) VALUES ('rebuild');
CREATE TRIGGER households_code_fts_insert AFTER INSERT ON households BEGIN
    INSERT INTO household_code_fts(rowid, household_code) VALUES (new.rowid, new.household_code);
END;
CREATE TRIGGER households_code_fts_update AFTER UPDATE OF household_code ON households BEGIN
    INSERT INTO household_code_fts(household_code_fts, rowid, household_code)
        VALUES ('delete', old.rowid, old.household_code);
    INSERT INTO household_code_fts(rowid, household_code) VALUES (new.rowid, new.household_code);
END;
CREATE TRIGGER households_code_fts_delete AFTER DELETE ON households BEGIN
    INSERT INTO household_code_fts(household_code_fts, rowid, household_code)
        VALUES ('delete', old.rowid, old.household_code);
END;
