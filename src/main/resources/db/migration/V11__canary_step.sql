-- How far each route's stepped canary has come (routes.<name>.canary.steps), so that every replica and
-- every restart gives it the same share. One row per route: the step its deployment and release
-- reached (0: its first share; one past the last step: held up there, ready to promote). A row for
-- another deployment or release than the route's canary now is history.
CREATE TABLE canary_step (
    route        VARCHAR(128) NOT NULL PRIMARY KEY,
    deployment   VARCHAR(128) NOT NULL,
    release      VARCHAR(256) NOT NULL,
    step         INTEGER      NOT NULL,
    changed_at   TIMESTAMP WITH TIME ZONE NOT NULL
);
