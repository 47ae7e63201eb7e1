-- 0008: placeholder on branch i17-insights only, so that 0013 loads (numbers may not
-- have gaps). Delete at merge; the lead renumbers 0013.
SELECT 1;
