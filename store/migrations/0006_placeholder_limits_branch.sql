-- 0006_placeholder_limits_branch: stands in, on the sec-limits branch only,
-- for the 0006 migration of another branch, so that the migration numbers
-- run without a gap. DELETE THIS FILE AT MERGE (the real 0006 replaces it).
SELECT 1;
