-- Exchange rates: euros for one unit of each currency, from the time it was set. An upsert-kafka table is
-- keyed: each record is the latest rate of its currency, and with its time it keeps every version.
CREATE TABLE rates (
  currency STRING,
  rate DECIMAL(6, 4),
  updated_at TIMESTAMP(3),
  WATERMARK FOR updated_at AS updated_at,
  PRIMARY KEY (currency) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = 'temporal-rates',
  'key.format' = 'raw',
  'value.format' = 'json'
);

-- Orders in their own currency, each with the time it was placed.
CREATE TABLE orders (
  order_id STRING,
  currency STRING,
  amount DECIMAL(10, 2),
  ordered_at TIMESTAMP(3),
  WATERMARK FOR ordered_at AS ordered_at
) WITH (
  'connector' = 'kafka',
  'topic' = 'temporal-orders',
  'format' = 'json',
  'scan.startup.mode' = 'earliest-offset'
);

-- Done for you: the rates of the day. USD changes at 10:30; at 12:00 both change again, closing the morning.
INSERT INTO rates VALUES
  ('USD', 0.9000, TIMESTAMP '2026-01-01 09:00:00'), ('GBP', 1.1500, TIMESTAMP '2026-01-01 09:00:00'),
  ('USD', 0.9500, TIMESTAMP '2026-01-01 10:30:00'), ('GBP', 1.1700, TIMESTAMP '2026-01-01 12:00:00'),
  ('USD', 0.9300, TIMESTAMP '2026-01-01 12:00:00');

-- Done for you: the morning's orders. o1 is in yen, for which there is no rate.
INSERT INTO orders VALUES
  ('o1', 'JPY', 5000.00, TIMESTAMP '2026-01-01 09:30:00'), ('o2', 'USD', 100.00, TIMESTAMP '2026-01-01 10:00:00'),
  ('o3', 'GBP', 50.00, TIMESTAMP '2026-01-01 10:15:00'), ('o4', 'USD', 100.00, TIMESTAMP '2026-01-01 11:00:00');

-- Orders priced in euros, one row per order.
CREATE TABLE priced_orders (
  order_id STRING,
  currency STRING,
  amount DECIMAL(10, 2),
  rate DECIMAL(6, 4),
  amount_eur DECIMAL(10, 2),
  PRIMARY KEY (order_id) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = 'temporal-priced-orders',
  'key.format' = 'raw',
  'value.format' = 'json'
);

-- A temporal join: each order takes the rate its currency had at the order's own time.
INSERT INTO priced_orders
SELECT o.order_id, o.currency, o.amount, r.rate, CAST(o.amount * r.rate AS DECIMAL(10, 2)) AS amount_eur
FROM orders AS o
JOIN rates FOR SYSTEM_TIME AS OF o.ordered_at AS r
  ON o.currency = r.currency;

-- Done for you: the changes to `temporal-priced-orders`, shown below as they are written.
SELECT * FROM priced_orders;
