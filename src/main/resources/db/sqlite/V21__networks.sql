-- The client networks a tenant's requests and a virtual key may come from (a payments key usable from
-- the payments VPC only, a copied key of no use from a laptop), as a JSON array of CIDR blocks in
-- their normal form ("10.20.0.0/16", "fd00:1::/64", a single address without a prefix); NULL = any.
ALTER TABLE tenant ADD COLUMN allowed_networks VARCHAR;
ALTER TABLE virtual_key ADD COLUMN allowed_networks VARCHAR;
