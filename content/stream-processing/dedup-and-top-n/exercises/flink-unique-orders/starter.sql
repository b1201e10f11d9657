-- Orders as the checkout sends them. When Kafka is slow to answer, the checkout sends an order again:
-- each copy has the same order_id and the time that copy was sent.
CREATE TABLE orders (
  order_id STRING,
  customer STRING,
  amount DECIMAL(10, 2),
  sent_at TIMESTAMP(3),
  -- A copy may reach Kafka a few seconds after a later one: wait 5 s of event time for it.
  WATERMARK FOR sent_at AS sent_at - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'dedup-orders',
  'format' = 'json',
  'scan.startup.mode' = 'earliest-offset'
);

-- Done for you, in the order the copies reach Kafka. o2 is sent again 4 s after its first copy. o4's first
-- copy (10:00:20) was held up on the network: its copy sent again at 10:00:24 arrives first. o1 is sent again
-- much later, at 10:00:40.
INSERT INTO orders VALUES
  ('o1', 'ann', 30.00, TIMESTAMP '2026-01-01 10:00:00'), ('o2', 'bob', 20.00, TIMESTAMP '2026-01-01 10:00:05'),
  ('o2', 'bob', 20.00, TIMESTAMP '2026-01-01 10:00:09'), ('o3', 'ann', 45.00, TIMESTAMP '2026-01-01 10:00:12'),
  ('o4', 'cat', 60.00, TIMESTAMP '2026-01-01 10:00:24'), ('o4', 'cat', 60.00, TIMESTAMP '2026-01-01 10:00:20'),
  ('o5', 'ann', 30.00, TIMESTAMP '2026-01-01 10:00:30'), ('o1', 'ann', 30.00, TIMESTAMP '2026-01-01 10:00:40');

-- Each order once, as its first copy: an upsert table keyed by order_id.
CREATE TABLE unique_orders (
  order_id STRING,
  customer STRING,
  amount DECIMAL(10, 2),
  sent_at TIMESTAMP(3),
  PRIMARY KEY (order_id) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = 'dedup-unique-orders',
  'key.format' = 'raw',
  'value.format' = 'json'
);

-- TODO: keep each order's first copy. For now every copy is written, and the upsert table keeps
-- the last one of each order_id: number each order's copies with
-- ROW_NUMBER() OVER (PARTITION BY order_id ORDER BY sent_at ASC), and keep number 1.
INSERT INTO unique_orders
SELECT order_id, customer, amount, sent_at
FROM orders;

-- Done for you: the changes to `dedup-unique-orders`, shown below as they are written.
SELECT * FROM unique_orders;
