-- 0008: reserved for branch i15-packs (config keys marked --runtime-only).
-- This placeholder only keeps the numbers without a gap on branch
-- i16-previews; drop it when the branches are merged.
SELECT 1;
