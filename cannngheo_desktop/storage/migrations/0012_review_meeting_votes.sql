-- Issue 19: the village meeting's vote (Decision 24/2021/QĐ-TTg: at least 50% of those present
-- must agree with the survey's result, otherwise the households are surveyed again and the
-- village meets again) and who chaired and took the minutes; a round can be closed.
ALTER TABLE review_meetings ADD COLUMN votes_for INTEGER;
ALTER TABLE review_meetings ADD COLUMN votes_against INTEGER;
ALTER TABLE review_meetings ADD COLUMN chair TEXT;
ALTER TABLE review_meetings ADD COLUMN secretary TEXT;
ALTER TABLE review_meetings ADD COLUMN passed INTEGER;
ALTER TABLE reviews ADD COLUMN closed_date TEXT;
