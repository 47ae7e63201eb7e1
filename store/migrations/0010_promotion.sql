-- 0010_promotion (issue 16, migration number 0010).
-- A promotion releases another app's (or preview's) image into an app:
-- the release records where the image came from. The kind CHECK of
-- releases cannot change without rebuilding the table, so a promotion is
-- stored with kind 'deploy' and a non-empty promoted_from, and reads back
-- as kind 'promote'. The image index lets the image retention and the
-- garbage collector find the releases of every app that still use an image.

ALTER TABLE releases ADD COLUMN promoted_from TEXT NOT NULL DEFAULT '';
ALTER TABLE releases ADD COLUMN promoted_release INTEGER NOT NULL DEFAULT 0 CHECK (promoted_release >= 0);

CREATE INDEX releases_image ON releases (image) WHERE image <> '';
