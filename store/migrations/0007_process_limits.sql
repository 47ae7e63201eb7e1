-- 0007_process_limits: the memory, CPU and process count limits an app sets
-- per process type. A zero column takes the server's default; a type with
-- no row takes the defaults for everything.

CREATE TABLE process_limits (
	app_id       INTEGER NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
	process_type TEXT    NOT NULL CHECK (process_type <> ''),
	memory_bytes INTEGER NOT NULL DEFAULT 0 CHECK (memory_bytes >= 0),
	nano_cpus    INTEGER NOT NULL DEFAULT 0 CHECK (nano_cpus >= 0),
	pids         INTEGER NOT NULL DEFAULT 0 CHECK (pids >= 0),
	PRIMARY KEY (app_id, process_type)
) STRICT;
