-- 0006_key_owner: every SSH key says whom it acts as.
-- 'user': the user in ssh_keys.user, with that user's current role.
-- 'server': the server's owner (an admin), added on the control socket.
-- 'legacy': stored without an owner by an older version, which gave such
-- keys to the server's owner (and to admins adding keys through the API);
-- they act as the server's owner until removed, and are listed as such so
-- that an admin can check them.
ALTER TABLE ssh_keys ADD COLUMN owner TEXT NOT NULL DEFAULT 'user'
	CHECK (owner IN ('user', 'server', 'legacy'));

UPDATE ssh_keys SET owner = 'legacy' WHERE user IS NULL;
