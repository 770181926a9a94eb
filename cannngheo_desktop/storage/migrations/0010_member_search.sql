-- Search per person (issue 17.1): every word typed must match ONE member's name, and a part of a
-- household code or a CCCD of at least 4 characters finds it. household_fts holds a whole
-- household's text, so "nguyen van" matched a Nguyễn Thị and a Trần Văn of one household.
--
-- Three contentless FTS5 indexes whose rowid says WHOSE text it is, so a search never reads the
-- members table to know the household (at 100,000 households "nguyen" hits ~150,000 members):
--   rowid = household rowid << 24 | (1 << 23 for a member who is not the head) | member rowid & 0x7FFFFF
-- (rowid >> 24 is the household, bit 23 "not the head"; a household code has member bits 0).
-- Only live members (deleted = 0) are indexed. member rowids are only told apart modulo 2^23 inside
-- ONE household: two members of a household would need rowids 8,388,608 apart to collide.
-- prefix = '1 2': the last word is a prefix, and "nguyen van a" must not walk every word in a*
CREATE VIRTUAL TABLE member_fts USING fts5(search_key, content = '', contentless_delete = 1,
                                           tokenize = 'unicode61', prefix = '1 2');
CREATE VIRTUAL TABLE member_cccd_fts USING fts5(cccd, content = '', contentless_delete = 1,
                                                tokenize = 'trigram');
CREATE VIRTUAL TABLE household_code_fts USING fts5(household_code, content = '', contentless_delete = 1,
                                                   tokenize = 'trigram');
CREATE VIEW member_search_keys AS
    SELECT (h.rowid << 24) | (CASE WHEN m.relation = 'head' THEN 0 ELSE 8388608 END) | (m.rowid & 8388607) AS key,
           m.rowid AS member_rowid, m.search_key, m.cccd
    FROM members m JOIN households h ON h.id = m.household_id WHERE m.deleted = 0;
INSERT INTO member_fts(rowid, search_key) SELECT key, search_key FROM member_search_keys;
INSERT INTO member_cccd_fts(rowid, cccd) SELECT key, cccd FROM member_search_keys WHERE cccd IS NOT NULL;
INSERT INTO household_code_fts(rowid, household_code)
    SELECT rowid << 24, household_code FROM households WHERE household_code IS NOT NULL;
CREATE TRIGGER members_search_insert AFTER INSERT ON members WHEN new.deleted = 0 BEGIN
    INSERT INTO member_fts(rowid, search_key) SELECT key, search_key FROM member_search_keys
        WHERE member_rowid = new.rowid;
    INSERT INTO member_cccd_fts(rowid, cccd) SELECT key, cccd FROM member_search_keys
        WHERE member_rowid = new.rowid AND cccd IS NOT NULL;
END;
CREATE TRIGGER members_search_update AFTER UPDATE OF search_key, cccd, relation, deleted, household_id ON members
BEGIN
    DELETE FROM member_fts WHERE rowid = ((SELECT rowid FROM households WHERE id = old.household_id) << 24)
        | (CASE WHEN old.relation = 'head' THEN 0 ELSE 8388608 END) | (old.rowid & 8388607);
    DELETE FROM member_cccd_fts WHERE rowid = ((SELECT rowid FROM households WHERE id = old.household_id) << 24)
        | (CASE WHEN old.relation = 'head' THEN 0 ELSE 8388608 END) | (old.rowid & 8388607);
    INSERT INTO member_fts(rowid, search_key) SELECT key, search_key FROM member_search_keys
        WHERE member_rowid = new.rowid;
    INSERT INTO member_cccd_fts(rowid, cccd) SELECT key, cccd FROM member_search_keys
        WHERE member_rowid = new.rowid AND cccd IS NOT NULL;
END;
CREATE TRIGGER households_code_search_insert AFTER INSERT ON households WHEN new.household_code IS NOT NULL
BEGIN
    INSERT INTO household_code_fts(rowid, household_code) VALUES (new.rowid << 24, new.household_code);
END;
CREATE TRIGGER households_code_search_update AFTER UPDATE OF household_code ON households BEGIN
    DELETE FROM household_code_fts WHERE rowid = new.rowid << 24;
    INSERT INTO household_code_fts(rowid, household_code)
        SELECT new.rowid << 24, new.household_code WHERE new.household_code IS NOT NULL;
END;
