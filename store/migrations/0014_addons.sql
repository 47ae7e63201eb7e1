-- 0013_addons: database services (Postgres, Redis) owned by apps.

-- addons: one row per add-on. password is sealed like config (AES-GCM,
-- bound to the owner app and the add-on's name). old_volumes is a JSON
-- array of the volumes of versions before a major upgrade.
CREATE TABLE addons (
	id           INTEGER PRIMARY KEY,
	app_id       INTEGER NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
	name         TEXT    NOT NULL CHECK (name <> ''),
	kind         TEXT    NOT NULL CHECK (kind IN ('postgres', 'redis')),
	version      TEXT    NOT NULL,
	image        TEXT    NOT NULL,
	memory_bytes INTEGER NOT NULL DEFAULT 0,
	db_user      TEXT    NOT NULL DEFAULT '',
	db_name      TEXT    NOT NULL DEFAULT '',
	password     BLOB    NOT NULL,
	volume       TEXT    NOT NULL,
	old_volumes  TEXT    NOT NULL DEFAULT '[]',
	expose_addr  TEXT    NOT NULL DEFAULT '',
	keep         INTEGER NOT NULL DEFAULT 7 CHECK (keep >= 0),
	last_backup  TEXT,
	created_by   TEXT    NOT NULL DEFAULT '',
	created_at   TEXT    NOT NULL,
	UNIQUE (app_id, name)
) STRICT;

-- addon_attachments: the apps that get an add-on's URL, and in which
-- config variable (the owner is one of them).
CREATE TABLE addon_attachments (
	addon_id INTEGER NOT NULL REFERENCES addons (id) ON DELETE CASCADE,
	app_id   INTEGER NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
	var      TEXT    NOT NULL CHECK (var <> ''),
	PRIMARY KEY (addon_id, app_id),
	UNIQUE (app_id, var)
) STRICT;

CREATE INDEX addon_attachments_app ON addon_attachments (app_id);
