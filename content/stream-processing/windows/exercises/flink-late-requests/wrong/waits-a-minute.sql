-- Wrong: a delay of a minute waits for request 8, but no window ever closes: the latest request is only 40 s in.
-- The checkpoint says: No window has closed
-- Trip requests, each with the time it was made (event time). Their topic is this exercise's own.
CREATE TABLE trip_requests (
  id INT,
  area STRING,
  `at` TIMESTAMP(3),
  -- Waits a minute for late requests, to be safe.
  WATERMARK FOR `at` AS `at` - INTERVAL '1' MINUTE
) WITH (
  'connector' = 'kafka',
  'topic' = 'late-trip-requests',
  'format' = 'json',
  'scan.startup.mode' = 'earliest-offset',
  -- Done for you: a watermark after every request, so what counts as late never depends on how fast Flink reads.
  'scan.watermark.emit.strategy' = 'on-event'
);

-- Done for you, in the order the requests reach Kafka. Request 8 was made at 08:00:07, but the rider's
-- phone was offline: it arrives after request 7, made at 08:00:16. Request 11, at 08:00:40, moves event time on.
INSERT INTO trip_requests VALUES
  (1, 'downtown', TIMESTAMP '2026-01-01 08:00:01'), (2, 'airport', TIMESTAMP '2026-01-01 08:00:02'),
  (3, 'downtown', TIMESTAMP '2026-01-01 08:00:04'), (4, 'downtown', TIMESTAMP '2026-01-01 08:00:05'),
  (5, 'downtown', TIMESTAMP '2026-01-01 08:00:08'), (6, 'airport', TIMESTAMP '2026-01-01 08:00:12'),
  (7, 'downtown', TIMESTAMP '2026-01-01 08:00:16'), (8, 'downtown', TIMESTAMP '2026-01-01 08:00:07'),
  (9, 'airport', TIMESTAMP '2026-01-01 08:00:17'), (10, 'downtown', TIMESTAMP '2026-01-01 08:00:19'),
  (11, 'harbour', TIMESTAMP '2026-01-01 08:00:40');

-- Surge prices: how many requests each area had in each 10-second window.
CREATE TABLE surge_prices (
  area STRING,
  window_start TIMESTAMP(3),
  window_end TIMESTAMP(3),
  requests BIGINT
) WITH (
  'connector' = 'kafka',
  'topic' = 'late-surge-prices',
  'format' = 'json',
  -- For the SELECT below, which reads the topic from its first record.
  'scan.startup.mode' = 'earliest-offset'
);

INSERT INTO surge_prices
SELECT area, window_start, window_end, COUNT(*) AS requests
FROM TABLE(TUMBLE(TABLE trip_requests, DESCRIPTOR(`at`), INTERVAL '10' SECOND))
GROUP BY area, window_start, window_end;

-- Done for you: the rows of `late-surge-prices`, shown below as the windows close.
SELECT * FROM surge_prices;
