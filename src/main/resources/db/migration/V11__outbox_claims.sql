-- The relay claims rows for a while instead of locking them in a transaction held open across Kafka's
-- acknowledgement: claim (one statement), send, mark published (another). A relay that dies between
-- the two leaves its claim to expire; the rows are then sent again (at least once, as before).
alter table outbox add column claimed_until timestamptz;
