-- One search index: household_fts (migration 0002) is kept in step by triggers on every write
-- path, households, imports and bundle replicas alike. The older household_search table was
-- filled by hand in three places, doubled the bulk-load work and could drift; it goes.
DROP TABLE household_search;
