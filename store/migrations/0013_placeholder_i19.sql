-- 0013: a placeholder on branch i19-swarm only, so that this branch migrates
-- without a gap. DELETE AT MERGE: 0013 belongs to another branch; 0014_cluster
-- follows it.
SELECT 1;
