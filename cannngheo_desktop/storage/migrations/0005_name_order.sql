-- Vietnamese lists are ordered by given name (the last word), then the full name, ignoring
-- tone marks and with Đ beside D: "Nguyễn Văn An" comes before "Bùi Thị Bình". SQLite's
-- byte order put every Đ after Z and sorted by family name. The key is computed in Python
-- (core.text.name_sort_key) when a household's members change.
ALTER TABLE households ADD COLUMN head_sort TEXT;
CREATE INDEX households_head_sort ON households(head_sort, id);
