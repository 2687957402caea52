-- Image and text generations (Vertex AI) share generation_jobs with videos. They record which model and
-- region served them, what the provider charged (for margin reports) and, for text, the answer.
alter table generation_jobs add column served_by text;                 -- "model@location"
alter table generation_jobs add column provider_cost bigint check (provider_cost >= 0);  -- micros of provider_currency
alter table generation_jobs add column provider_currency text;
alter table generation_jobs add column answer jsonb;                   -- {text, finish_reason, usage, cache_hit}
