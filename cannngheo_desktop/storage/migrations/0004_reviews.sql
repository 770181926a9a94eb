-- Reviews (issue 8): what the annual and ongoing rounds record beyond schema v1 — the survey
-- date, the complaint's dates and re-checked category, the written reply to a refused request,
-- the certificate issued, and the village meetings' minutes.

ALTER TABLE reviews ADD COLUMN posting_days INTEGER;
ALTER TABLE reviews ADD COLUMN report_date TEXT;

ALTER TABLE review_items ADD COLUMN surveyed_on TEXT;
ALTER TABLE review_items ADD COLUMN added_note TEXT;
ALTER TABLE review_items ADD COLUMN complaint_date TEXT;
ALTER TABLE review_items ADD COLUMN complaint_by TEXT;
ALTER TABLE review_items ADD COLUMN complaint_resolved_on TEXT;
ALTER TABLE review_items ADD COLUMN complaint_category TEXT;
ALTER TABLE review_items ADD COLUMN previous_category TEXT;
ALTER TABLE review_items ADD COLUMN event_kind TEXT;
ALTER TABLE review_items ADD COLUMN refusal_reason TEXT;
ALTER TABLE review_items ADD COLUMN reply_date TEXT;
ALTER TABLE review_items ADD COLUMN certificate_no TEXT;
ALTER TABLE review_items ADD COLUMN certificate_year INTEGER;
ALTER TABLE review_items ADD COLUMN certificate_seq INTEGER;
ALTER TABLE review_items ADD COLUMN certificate_date TEXT;
CREATE INDEX review_items_review ON review_items(review_id);
CREATE INDEX review_items_household ON review_items(household_id);
CREATE INDEX review_items_certificate ON review_items(certificate_year, certificate_seq);

CREATE TABLE review_meetings (
    id TEXT PRIMARY KEY,
    unit_code TEXT NOT NULL,
    review_id TEXT NOT NULL REFERENCES reviews(id),
    village TEXT,
    meeting_date TEXT NOT NULL,
    attendees INTEGER,
    agreed TEXT,
    disagreements TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT,
    deleted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX review_meetings_review ON review_meetings(review_id);
CREATE TRIGGER review_meetings_no_delete BEFORE DELETE ON review_meetings BEGIN SELECT RAISE(ABORT, 'rows are never deleted'); END;
