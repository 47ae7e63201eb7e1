-- 0004_events: what happened to each app, and each release's output.

CREATE TABLE events (
	id         INTEGER PRIMARY KEY,
	app_id     INTEGER REFERENCES apps (id) ON DELETE CASCADE,
	app_name   TEXT    NOT NULL,
	kind       TEXT    NOT NULL CHECK (kind <> ''),
	release    INTEGER NOT NULL DEFAULT 0,
	process    TEXT    NOT NULL DEFAULT '',
	message    TEXT    NOT NULL,
	actor      TEXT    NOT NULL DEFAULT '',
	created_at TEXT    NOT NULL
) STRICT;

CREATE INDEX events_app ON events (app_id, id);

-- release_outputs keeps the build output and deploy steps of each release.
CREATE TABLE release_outputs (
	release_id INTEGER PRIMARY KEY REFERENCES releases (id) ON DELETE CASCADE,
	output     TEXT NOT NULL
) STRICT;
