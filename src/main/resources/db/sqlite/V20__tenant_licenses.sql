-- The licenses of the models a tenant may use (a product sold to customers may not build on a model
-- licensed for research only), as a JSON array of the names deployments declare in `license`; NULL = any.
ALTER TABLE tenant ADD COLUMN allowed_licenses VARCHAR;
