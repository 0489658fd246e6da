-- The zones a tenant's data is pinned to (its jurisdiction: a subsidiary whose data must stay in the
-- EU), as a JSON array of zone names; NULL = wherever its requests' levels may go. Residency allows a
-- zone only where the level and the pin agree.
ALTER TABLE tenant ADD COLUMN allowed_zones VARCHAR;
