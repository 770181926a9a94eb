-- Registry list (issue 4): indexes so the household list sorts and pages in SQL at 100,000
-- households (ORDER BY … LIMIT walks an index instead of sorting the table), and so duplicate
-- checks on name + birth date and "not a duplicate" decisions are index look-ups.

CREATE INDEX households_head_name ON households(head_name, id);
CREATE INDEX households_village ON households(village, id);
CREATE INDEX households_member_count ON households(member_count, id);
CREATE INDEX households_deprivation_count ON households(deprivation_count, id);
CREATE INDEX households_able_to_exit ON households(able_to_exit);
CREATE INDEX members_name_birth ON members(search_key, birth_date);
CREATE INDEX duplicate_decisions_pair ON duplicate_decisions(household_a, household_b);
CREATE INDEX assessments_household_latest ON assessments(household_id, assessed_on, updated_at);
