-- Issue 17: old paper lists often give only a member's birth year. Such a member keeps
-- birth_date = 1 January of that year (ages, sorting and duplicate checks keep working on an
-- ISO date) and birth_year_only = 1, so screens, Excel and PDF show the year alone.
ALTER TABLE members ADD COLUMN birth_year_only INTEGER NOT NULL DEFAULT 0 CHECK (birth_year_only IN (0, 1));
