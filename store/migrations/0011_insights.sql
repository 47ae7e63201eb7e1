-- 0013_insights: the facts the delivery figures need beyond the releases,
-- and the service catalog.

-- release_commits are the commits a push made newly reachable in
-- production (git rev-list prev..new), newest first (position 0).
CREATE TABLE release_commits (
	release_id   INTEGER NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
	position     INTEGER NOT NULL CHECK (position >= 0),
	sha          TEXT    NOT NULL CHECK (sha <> ''),
	committed_at TEXT    NOT NULL,
	authored_at  TEXT    NOT NULL,
	parents      INTEGER NOT NULL CHECK (parents >= 0),
	PRIMARY KEY (release_id, position)
) STRICT;

-- release_incidents are signs that a live release failed (a crash loop),
-- kept apart from the events, which are trimmed.
CREATE TABLE release_incidents (
	id         INTEGER PRIMARY KEY,
	release_id INTEGER NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
	kind       TEXT    NOT NULL CHECK (kind <> ''),
	at         TEXT    NOT NULL
) STRICT;

CREATE INDEX release_incidents_release ON release_incidents (release_id);

-- Insights read the releases of a period without a scan.
CREATE INDEX releases_created ON releases (created_at);

-- catalog holds each app's catalog entry: what its catalog-info.yaml said
-- at the last production push (file) and what `quayside catalog set`
-- set (manual), each a JSON object of engine.CatalogFields, plus the names
-- of the manual fields that override the file.
CREATE TABLE catalog (
	app_id     INTEGER PRIMARY KEY REFERENCES apps (id) ON DELETE CASCADE,
	file       TEXT NOT NULL DEFAULT '{}',
	file_error TEXT NOT NULL DEFAULT '',
	manual     TEXT NOT NULL DEFAULT '{}',
	overrides  TEXT NOT NULL DEFAULT '[]',
	updated_at TEXT NOT NULL
) STRICT;
