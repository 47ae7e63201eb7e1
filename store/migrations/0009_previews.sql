-- 0009_previews: preview environments. A preview is an app of its own (its
-- host, containers, releases and config follow the app rules) recorded here
-- as the preview of a branch of its parent app.

-- preview_settings holds the parent apps that have previews enabled.
CREATE TABLE preview_settings (
	app_id        INTEGER PRIMARY KEY REFERENCES apps (id) ON DELETE CASCADE,
	ttl_ms        INTEGER NOT NULL CHECK (ttl_ms > 0),
	max_previews  INTEGER NOT NULL CHECK (max_previews > 0),
	auth_user     TEXT    NOT NULL DEFAULT '',
	auth_hash     TEXT    NOT NULL DEFAULT '',
	updated_at    TEXT    NOT NULL
) STRICT;

-- previews: one row per preview app. The parent cannot be deleted while a
-- preview of it exists (no cascade): the engine destroys previews first.
CREATE TABLE previews (
	app_id     INTEGER PRIMARY KEY REFERENCES apps (id) ON DELETE CASCADE,
	parent_id  INTEGER NOT NULL REFERENCES apps (id),
	branch     TEXT    NOT NULL CHECK (branch <> ''),
	commit_sha TEXT    NOT NULL DEFAULT '',
	created_at TEXT    NOT NULL,
	pushed_at  TEXT    NOT NULL,
	UNIQUE (parent_id, branch)
) STRICT;

CREATE INDEX previews_pushed ON previews (pushed_at);

-- config_production_only names the config keys of an app that previews
-- never receive.
CREATE TABLE config_production_only (
	app_id INTEGER NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
	key    TEXT    NOT NULL CHECK (key <> ''),
	PRIMARY KEY (app_id, key)
) STRICT;

-- preview_vars is the config every new preview of an app starts with on
-- top of the app's own: one AES-256-GCM blob bound to the app.
CREATE TABLE preview_vars (
	app_id INTEGER PRIMARY KEY REFERENCES apps (id) ON DELETE CASCADE,
	vars   BLOB    NOT NULL
) STRICT;
