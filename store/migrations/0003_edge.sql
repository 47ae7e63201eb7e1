-- 0003_edge: custom domains and how the proxy treats each app.

CREATE TABLE domains (
	id         INTEGER PRIMARY KEY,
	app_id     INTEGER NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
	host       TEXT    NOT NULL UNIQUE CHECK (host <> ''),
	created_at TEXT    NOT NULL
) STRICT;

CREATE INDEX domains_app ON domains (app_id);

-- Apps created before this migration keep redirecting to HTTPS by default.
ALTER TABLE apps ADD COLUMN https_redirect INTEGER NOT NULL DEFAULT 1 CHECK (https_redirect IN (0, 1));
ALTER TABLE apps ADD COLUMN hsts INTEGER NOT NULL DEFAULT 0 CHECK (hsts IN (0, 1));
ALTER TABLE apps ADD COLUMN basic_auth_user TEXT NOT NULL DEFAULT '';
ALTER TABLE apps ADD COLUMN basic_auth_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE apps ADD COLUMN maintenance INTEGER NOT NULL DEFAULT 0 CHECK (maintenance IN (0, 1));
ALTER TABLE apps ADD COLUMN maintenance_page TEXT NOT NULL DEFAULT '';
