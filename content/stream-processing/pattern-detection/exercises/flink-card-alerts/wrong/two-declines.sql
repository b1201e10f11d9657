-- Wrong: two declined payments before the large one are enough here, so card-2, declined twice, raises an alert.
-- The checkpoint says: only 2 declined payments in a row
-- Card payments, each approved or declined, with the time it was made.
CREATE TABLE payments (
  card STRING,
  status STRING,
  amount DECIMAL(10, 2),
  paid_at TIMESTAMP(3),
  -- The script writes the payments in time order, so the watermark can follow the latest one exactly.
  WATERMARK FOR paid_at AS paid_at
) WITH (
  'connector' = 'kafka',
  'topic' = 'pattern-payments',
  'format' = 'json',
  'scan.startup.mode' = 'earliest-offset'
);

-- Done for you, in time order. card-1 is tested with three small payments, all declined, then spends 900.00:
-- the pattern of a stolen card. The others come close: card-2 is declined twice, not three times; card-3's
-- payment after three declines is small; an approved payment comes between card-4's declines; card-5's large
-- payment is declined too; card-6 and card-7 are declined in turns, each fewer than three times. card-8 is
-- declined four times, then spends 700.00. The last payment, at 10:10, moves event time on.
INSERT INTO payments VALUES
  ('card-1', 'declined', 12.00, TIMESTAMP '2026-01-01 10:00:00'), ('card-1', 'declined', 12.00, TIMESTAMP '2026-01-01 10:00:20'),
  ('card-1', 'declined', 12.00, TIMESTAMP '2026-01-01 10:00:40'), ('card-1', 'approved', 900.00, TIMESTAMP '2026-01-01 10:01:00'),
  ('card-2', 'declined', 30.00, TIMESTAMP '2026-01-01 10:01:10'), ('card-2', 'declined', 30.00, TIMESTAMP '2026-01-01 10:01:20'),
  ('card-2', 'approved', 800.00, TIMESTAMP '2026-01-01 10:01:30'),
  ('card-3', 'declined', 9.00, TIMESTAMP '2026-01-01 10:01:40'), ('card-3', 'declined', 9.00, TIMESTAMP '2026-01-01 10:01:50'),
  ('card-3', 'declined', 9.00, TIMESTAMP '2026-01-01 10:02:00'), ('card-3', 'approved', 15.00, TIMESTAMP '2026-01-01 10:02:10'),
  ('card-4', 'declined', 40.00, TIMESTAMP '2026-01-01 10:02:20'), ('card-4', 'approved', 20.00, TIMESTAMP '2026-01-01 10:02:30'),
  ('card-4', 'declined', 40.00, TIMESTAMP '2026-01-01 10:02:40'), ('card-4', 'declined', 40.00, TIMESTAMP '2026-01-01 10:02:50'),
  ('card-4', 'approved', 950.00, TIMESTAMP '2026-01-01 10:03:00'),
  ('card-5', 'declined', 50.00, TIMESTAMP '2026-01-01 10:03:10'), ('card-5', 'declined', 50.00, TIMESTAMP '2026-01-01 10:03:20'),
  ('card-5', 'declined', 50.00, TIMESTAMP '2026-01-01 10:03:30'), ('card-5', 'declined', 600.00, TIMESTAMP '2026-01-01 10:03:40'),
  ('card-6', 'declined', 60.00, TIMESTAMP '2026-01-01 10:03:50'), ('card-7', 'declined', 70.00, TIMESTAMP '2026-01-01 10:04:00'),
  ('card-6', 'declined', 60.00, TIMESTAMP '2026-01-01 10:04:10'), ('card-7', 'approved', 750.00, TIMESTAMP '2026-01-01 10:04:20'),
  ('card-8', 'declined', 25.00, TIMESTAMP '2026-01-01 10:04:30'), ('card-8', 'declined', 25.00, TIMESTAMP '2026-01-01 10:04:40'),
  ('card-8', 'declined', 25.00, TIMESTAMP '2026-01-01 10:04:50'), ('card-8', 'declined', 25.00, TIMESTAMP '2026-01-01 10:05:00'),
  ('card-8', 'approved', 700.00, TIMESTAMP '2026-01-01 10:05:10'),
  ('card-9', 'approved', 25.00, TIMESTAMP '2026-01-01 10:10:00');

-- Alerts: the large payment that followed the declines.
CREATE TABLE alerts (
  card STRING,
  amount DECIMAL(10, 2),
  paid_at TIMESTAMP(3)
) WITH (
  'connector' = 'kafka',
  'topic' = 'pattern-alerts',
  'format' = 'json',
  -- For the SELECT below, which reads the topic from its first record.
  'scan.startup.mode' = 'earliest-offset'
);

-- Pattern detection: in each card's payments, in time order, two declined in a row, then a large approved one.
INSERT INTO alerts
SELECT card, amount, paid_at
FROM payments
  MATCH_RECOGNIZE (
    PARTITION BY card
    ORDER BY paid_at
    MEASURES BIG.amount AS amount, BIG.paid_at AS paid_at
    ONE ROW PER MATCH
    AFTER MATCH SKIP PAST LAST ROW
    PATTERN (DECLINED{2} BIG)
    DEFINE
      DECLINED AS DECLINED.status = 'declined',
      BIG AS BIG.status = 'approved' AND BIG.amount > 500
  );

-- Done for you: the rows of `pattern-alerts`, shown below as the matches are found.
SELECT * FROM alerts;
