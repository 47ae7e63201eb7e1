-- 0009: reserved for branch i16-previews (0009_previews.sql, already on
-- main). This placeholder only keeps the numbers without a gap on branch
-- i16-promote; drop it when the branches are merged.
SELECT 1;
