-- 0001_init: Quayside's first schema.
-- Times are UTC text, "2006-01-02T15:04:05.000000000Z"; NULL means not yet.
-- Durations are integer milliseconds.

-- meta holds the store's own values, such as the encryption key check.
CREATE TABLE meta (
	name  TEXT PRIMARY KEY,
	value BLOB NOT NULL
) STRICT;

-- settings holds small server-wide values for the engine.
CREATE TABLE settings (
	name  TEXT PRIMARY KEY CHECK (name <> ''),
	value TEXT NOT NULL
) STRICT;

CREATE TABLE apps (
	id                INTEGER PRIMARY KEY,
	name              TEXT    NOT NULL UNIQUE CHECK (name <> ''),
	deploy_branch     TEXT    NOT NULL CHECK (deploy_branch <> ''),
	state             TEXT    NOT NULL CHECK (state IN ('active', 'destroying')),
	current_release   INTEGER NOT NULL DEFAULT 0 CHECK (current_release >= 0),
	config_version    INTEGER NOT NULL DEFAULT 0 CHECK (config_version >= 0),
	health_path       TEXT    NOT NULL,
	health_timeout_ms INTEGER NOT NULL,
	drain_timeout_ms  INTEGER NOT NULL,
	created_at        TEXT    NOT NULL,
	created_by        TEXT    NOT NULL
) STRICT;

-- config_versions.vars is one AES-256-GCM blob of all the version's
-- variables, bound to the app's name and the version number.
CREATE TABLE config_versions (
	id         INTEGER PRIMARY KEY,
	app_id     INTEGER NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
	version    INTEGER NOT NULL CHECK (version > 0),
	vars       BLOB    NOT NULL,
	author     TEXT    NOT NULL,
	created_at TEXT    NOT NULL,
	UNIQUE (app_id, version)
) STRICT;

CREATE TABLE releases (
	id             INTEGER PRIMARY KEY,
	app_id         INTEGER NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
	number         INTEGER NOT NULL CHECK (number > 0),
	kind           TEXT    NOT NULL CHECK (kind IN ('deploy', 'config', 'rollback')),
	status         TEXT    NOT NULL CHECK (status IN ('building', 'deploying', 'active', 'retired', 'failed')),
	description    TEXT    NOT NULL,
	image          TEXT    NOT NULL,
	port           INTEGER NOT NULL,
	build_method   TEXT    NOT NULL,
	commit_sha     TEXT    NOT NULL,
	author         TEXT    NOT NULL,
	config_version INTEGER NOT NULL CHECK (config_version >= 0),
	rollback_of    INTEGER NOT NULL CHECK (rollback_of >= 0),
	error          TEXT    NOT NULL,
	created_at     TEXT    NOT NULL,
	finished_at    TEXT,
	UNIQUE (app_id, number)
) STRICT;

-- At most one release of an app serves traffic.
CREATE UNIQUE INDEX releases_one_active ON releases (app_id) WHERE status = 'active';

-- Start-up finds unfinished releases without a scan.
CREATE INDEX releases_unfinished ON releases (status) WHERE status IN ('building', 'deploying');

CREATE TABLE ssh_keys (
	id          INTEGER PRIMARY KEY,
	name        TEXT NOT NULL UNIQUE CHECK (name <> ''),
	fingerprint TEXT NOT NULL UNIQUE CHECK (fingerprint <> ''),
	public_key  TEXT NOT NULL,
	created_at  TEXT NOT NULL
) STRICT;
