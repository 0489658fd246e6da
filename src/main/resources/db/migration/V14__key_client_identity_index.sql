-- Workload identity tokens (auth.workloads) find their key by client_identity on every cache miss:
-- an index, so that lookup does not read every key.
CREATE INDEX virtual_key_client_identity ON virtual_key (client_identity);
