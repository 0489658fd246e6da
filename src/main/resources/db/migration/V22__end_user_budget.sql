-- What each end user a tenant's requests name may spend a month (a product service's customers, each
-- held to their own share of the tenant's budget), in US dollars; NULL = no budget per end user.
ALTER TABLE tenant ADD COLUMN end_user_budget_usd_month NUMERIC(20,6);
