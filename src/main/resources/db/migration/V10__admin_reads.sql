-- The operator's read side (/admin): every user's generations and payments newest first, and the
-- cost report by day.

-- Pages over all users, newest first (the per-user indexes lead with user_id, so they cannot serve these).
create index generation_jobs_page on generation_jobs (created_at desc, id desc);
create index payment_transactions_page on payment_transactions (created_at desc, id desc);

-- The cost report groups finished jobs by the day they finished (when their credits were posted).
create index generation_jobs_finished on generation_jobs (finished_at) where finished_at is not null;

-- When the money arrived: revenue is counted on that day. updated_at cannot tell it, since a refund or
-- a dispute changes it later. Set once, where a purchase or an invoice becomes paid.
-- Rows paid before this column: the time of the credit their payment posted (keyed 'payment:<id>'); an
-- invoice row is inserted when its invoice is paid; updated_at only where neither is known.
alter table payment_transactions add column paid_at timestamptz;
update payment_transactions p
   set paid_at = coalesce((select l.created_at from balance_ledger l where l.idempotency_key = 'payment:' || p.id),
                          case when p.kind = 'invoice' then p.created_at end,
                          p.updated_at)
 where status in ('paid', 'subscribed', 'refunded', 'disputed', 'charged_back');
create index payment_transactions_paid on payment_transactions (paid_at) where paid_at is not null;
