-- 0005_accounts: users, API tokens, sessions, setup links, who may see
-- which app, and the append-only audit log.
-- Users are referred to by e-mail, stored lowercased. Secrets (tokens,
-- session IDs, setup links) are stored only as SHA-256 hashes, hex.

CREATE TABLE users (
	id            INTEGER PRIMARY KEY,
	email         TEXT    NOT NULL UNIQUE CHECK (email <> '' AND email = lower(email)),
	role          TEXT    NOT NULL CHECK (role IN ('admin', 'developer', 'viewer')),
	password_hash TEXT    NOT NULL DEFAULT '',
	disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
	created_at    TEXT    NOT NULL,
	last_sign_in  TEXT
) STRICT;

CREATE TABLE tokens (
	id             INTEGER PRIMARY KEY,
	user           TEXT    NOT NULL REFERENCES users (email) ON DELETE CASCADE,
	name           TEXT    NOT NULL,
	hash           TEXT    NOT NULL UNIQUE CHECK (hash <> ''),
	prefix         TEXT    NOT NULL,
	created_at     TEXT    NOT NULL,
	expires_at     TEXT,
	last_used_at   TEXT,
	last_used_from TEXT    NOT NULL DEFAULT '',
	revoked        INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1))
) STRICT;

CREATE INDEX tokens_user ON tokens (user);

CREATE TABLE sessions (
	id_hash    TEXT PRIMARY KEY CHECK (id_hash <> ''),
	user       TEXT NOT NULL REFERENCES users (email) ON DELETE CASCADE,
	csrf_token TEXT NOT NULL,
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL,
	last_seen  TEXT NOT NULL,
	from_addr  TEXT NOT NULL
) STRICT;

CREATE INDEX sessions_user ON sessions (user);

CREATE TABLE setup_links (
	hash       TEXT PRIMARY KEY CHECK (hash <> ''),
	user       TEXT NOT NULL REFERENCES users (email) ON DELETE CASCADE,
	expires_at TEXT NOT NULL,
	used_at    TEXT
) STRICT;

CREATE INDEX setup_links_user ON setup_links (user);

-- app_access says which users (other than admins) may see an app.
CREATE TABLE app_access (
	app_id INTEGER NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
	user   TEXT    NOT NULL REFERENCES users (email) ON DELETE CASCADE,
	PRIMARY KEY (app_id, user)
) STRICT;

CREATE INDEX app_access_user ON app_access (user);

-- A key belongs to a user, whose role applies to its pushes; NULL for keys
-- added by the server's owner (and for every key added before accounts).
ALTER TABLE ssh_keys ADD COLUMN user TEXT REFERENCES users (email) ON DELETE CASCADE;

CREATE INDEX ssh_keys_user ON ssh_keys (user);

-- audit has no foreign keys: entries outlive the apps and users they name.
-- Triggers make it append-only: no UPDATE, no DELETE, and no INSERT OR
-- REPLACE over an existing entry (REPLACE deletes without DELETE triggers).
CREATE TABLE audit (
	id        INTEGER PRIMARY KEY,
	at        TEXT    NOT NULL,
	actor     TEXT    NOT NULL,
	action    TEXT    NOT NULL CHECK (action <> ''),
	app       TEXT    NOT NULL,
	target    TEXT    NOT NULL,
	detail    TEXT    NOT NULL,
	from_addr TEXT    NOT NULL,
	success   INTEGER NOT NULL CHECK (success IN (0, 1))
) STRICT;

CREATE INDEX audit_app ON audit (app, id);
CREATE INDEX audit_actor ON audit (actor, id);
CREATE INDEX audit_at ON audit (at);

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
	SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
	SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_no_replace BEFORE INSERT ON audit
WHEN EXISTS (SELECT 1 FROM audit WHERE id = NEW.id)
BEGIN
	SELECT RAISE(ABORT, 'the audit log is append-only');
END;
