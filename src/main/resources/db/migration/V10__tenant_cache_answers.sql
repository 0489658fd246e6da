-- Whether the answer cache may keep and serve this tenant's answers (tenants.<name>.cache_answers,
-- PATCH /admin/tenants/{name}); a tenant whose answers must not be kept anywhere says false.
ALTER TABLE tenant ADD COLUMN cache_answers BOOLEAN NOT NULL DEFAULT TRUE;
