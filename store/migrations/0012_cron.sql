-- 0012_cron: scheduled jobs and their runs.

-- cron_jobs: one row per job of an app, added by hand (source manual) or
-- read from app.json at a push (source app.json, replaced at each push).
-- next_run is the next slot the scheduler claims; NULL while paused.
CREATE TABLE cron_jobs (
	id         INTEGER PRIMARY KEY,
	app_id     INTEGER NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
	name       TEXT    NOT NULL CHECK (name <> ''),
	schedule   TEXT    NOT NULL CHECK (schedule <> ''),
	time_zone  TEXT    NOT NULL DEFAULT '',
	command    TEXT    NOT NULL, -- JSON array of strings
	timeout_ms INTEGER NOT NULL CHECK (timeout_ms > 0),
	overlap    TEXT    NOT NULL CHECK (overlap IN ('skip', 'queue')),
	source     TEXT    NOT NULL CHECK (source IN ('manual', 'app.json')),
	paused     INTEGER NOT NULL DEFAULT 0,
	next_run   TEXT,
	created_by TEXT    NOT NULL DEFAULT '',
	created_at TEXT    NOT NULL,
	UNIQUE (app_id, name)
) STRICT;

-- cron_runs: the history of each job. A scheduled run is recorded in the
-- transaction that moves its job's next_run past its slot, so a slot is
-- run at most once; UNIQUE (job_id, slot) guards that too.
CREATE TABLE cron_runs (
	id          INTEGER PRIMARY KEY,
	job_id      INTEGER NOT NULL REFERENCES cron_jobs (id) ON DELETE CASCADE,
	slot        TEXT,
	trigger     TEXT    NOT NULL,
	status      TEXT    NOT NULL,
	exit_code   INTEGER NOT NULL DEFAULT 0,
	message     TEXT    NOT NULL DEFAULT '',
	started_at  TEXT    NOT NULL,
	finished_at TEXT,
	UNIQUE (job_id, slot)
) STRICT;

CREATE INDEX cron_runs_job ON cron_runs (job_id, id);
CREATE INDEX cron_runs_status ON cron_runs (status) WHERE status = 'running';
