-- 0002_processes: process types, scale, per-app builder, release timeout.
-- scale is a JSON object {"web": 2, "worker": 1}; processes a JSON array of
-- {"type", "entrypoint", "cmd"}.

ALTER TABLE apps ADD COLUMN release_timeout_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE apps ADD COLUMN scale TEXT NOT NULL DEFAULT '{}';
ALTER TABLE apps ADD COLUMN builder TEXT NOT NULL DEFAULT '';
ALTER TABLE releases ADD COLUMN processes TEXT NOT NULL DEFAULT '[]';
