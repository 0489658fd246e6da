-- A virtual key may be bound to the client certificate it must arrive with (mutual TLS): a URI or DNS
-- subject alternative name, or a subject distinguished name, as given. NULL = any client.
ALTER TABLE virtual_key ADD COLUMN client_identity VARCHAR(512);
