-- 0008_runtime_only_config: the keys of a config version that builds never
-- see (config set --runtime-only), as a JSON array of key names. Names are
-- not secret (viewers see them); the values stay in the encrypted vars blob.

ALTER TABLE config_versions ADD COLUMN runtime_only TEXT NOT NULL DEFAULT '[]';
