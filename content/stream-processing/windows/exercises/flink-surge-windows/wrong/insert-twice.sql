-- Wrong: the window INSERT is in the script twice: two jobs, so every window is written twice.
-- The checkpoint says: twice
-- Trip requests, each with the time it was made (event time), not the time Flink reads it.
CREATE TABLE trip_requests (
  id INT,
  area STRING,
  `at` TIMESTAMP(3),
  -- Event time, and how long to wait for requests that arrive late: a window closes 2 s after its end.
  WATERMARK FOR `at` AS `at` - INTERVAL '2' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'window-trip-requests',
  'format' = 'json',
  'scan.startup.mode' = 'earliest-offset'
);

-- Done for you: 16 requests over 20 seconds, busiest downtown, then one at 08:00:35 that moves event time on.
INSERT INTO trip_requests VALUES
  (1, 'downtown', TIMESTAMP '2026-01-01 08:00:01'), (2, 'downtown', TIMESTAMP '2026-01-01 08:00:02'),
  (3, 'airport', TIMESTAMP '2026-01-01 08:00:03'), (4, 'downtown', TIMESTAMP '2026-01-01 08:00:04'),
  (5, 'harbour', TIMESTAMP '2026-01-01 08:00:05'), (6, 'downtown', TIMESTAMP '2026-01-01 08:00:06'),
  (7, 'airport', TIMESTAMP '2026-01-01 08:00:07'), (8, 'downtown', TIMESTAMP '2026-01-01 08:00:08'),
  (9, 'downtown', TIMESTAMP '2026-01-01 08:00:11'), (10, 'airport', TIMESTAMP '2026-01-01 08:00:12'),
  (11, 'downtown', TIMESTAMP '2026-01-01 08:00:13'), (12, 'airport', TIMESTAMP '2026-01-01 08:00:14'),
  (13, 'harbour', TIMESTAMP '2026-01-01 08:00:16'), (14, 'airport', TIMESTAMP '2026-01-01 08:00:17'),
  (15, 'downtown', TIMESTAMP '2026-01-01 08:00:18'), (16, 'airport', TIMESTAMP '2026-01-01 08:00:19'),
  (17, 'harbour', TIMESTAMP '2026-01-01 08:00:35');

-- Surge prices: how many requests each area had in each window.
CREATE TABLE surge_prices (
  area STRING,
  window_start TIMESTAMP(3),
  window_end TIMESTAMP(3),
  requests BIGINT
) WITH (
  'connector' = 'kafka',
  'topic' = 'window-surge-prices',
  'format' = 'json',
  -- For the SELECT below, which reads the topic from its first record.
  'scan.startup.mode' = 'earliest-offset'
);

INSERT INTO surge_prices
SELECT area, window_start, window_end, COUNT(*) AS requests
FROM TABLE(TUMBLE(TABLE trip_requests, DESCRIPTOR(`at`), INTERVAL '10' SECOND))
GROUP BY area, window_start, window_end;

-- Run the counts again, to be sure.
INSERT INTO surge_prices
SELECT area, window_start, window_end, COUNT(*) AS requests
FROM TABLE(TUMBLE(TABLE trip_requests, DESCRIPTOR(`at`), INTERVAL '10' SECOND))
GROUP BY area, window_start, window_end;

-- Done for you: the rows of `window-surge-prices`, shown below as the windows close.
SELECT * FROM surge_prices;
