-- 0014_cluster: where each app's replicas may run in a cluster.

-- app_placement: the Swarm placement constraints of an app, one row per
-- constraint, in the order given. No row: anywhere.
CREATE TABLE app_placement (
	app_id     INTEGER NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
	position   INTEGER NOT NULL CHECK (position >= 0),
	constraint_text TEXT NOT NULL CHECK (constraint_text <> ''),
	PRIMARY KEY (app_id, position)
);
