-- Orders, each with the time it was placed. Their topic is this exercise's own.
CREATE TABLE orders (
  order_id STRING,
  customer STRING,
  amount DECIMAL(10, 2),
  ordered_at TIMESTAMP(3)
) WITH (
  'connector' = 'kafka',
  'topic' = 'topn-orders',
  'format' = 'json',
  'scan.startup.mode' = 'earliest-offset'
);

-- Done for you, in the order the orders reach Kafka. Some amounts are equal: ann's a3 and a4 (a4, placed
-- earlier, arrives later), bob's three orders, dan's d1 and d3 (d3, placed earlier, arrives later).
INSERT INTO orders VALUES
  ('a1', 'ann', 40.00, TIMESTAMP '2026-01-01 10:00:00'), ('b1', 'bob', 50.00, TIMESTAMP '2026-01-01 10:01:00'),
  ('a2', 'ann', 70.00, TIMESTAMP '2026-01-01 10:01:30'), ('d1', 'dan', 60.00, TIMESTAMP '2026-01-01 10:03:00'),
  ('b2', 'bob', 50.00, TIMESTAMP '2026-01-01 10:03:30'), ('a3', 'ann', 90.00, TIMESTAMP '2026-01-01 10:04:00'),
  ('d2', 'dan', 80.00, TIMESTAMP '2026-01-01 10:04:30'), ('a4', 'ann', 90.00, TIMESTAMP '2026-01-01 10:02:00'),
  ('d3', 'dan', 60.00, TIMESTAMP '2026-01-01 10:01:00'), ('b3', 'bob', 50.00, TIMESTAMP '2026-01-01 10:05:00'),
  ('c1', 'cat', 30.00, TIMESTAMP '2026-01-01 10:05:30'), ('a5', 'ann', 20.00, TIMESTAMP '2026-01-01 10:06:00');

-- Each customer's two largest orders, place 1 and place 2: an upsert table keyed by customer and place.
CREATE TABLE largest_orders (
  customer STRING,
  place BIGINT,
  order_id STRING,
  amount DECIMAL(10, 2),
  ordered_at TIMESTAMP(3),
  PRIMARY KEY (customer, place) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = 'topn-largest-orders',
  'key.format' = 'json',
  'value.format' = 'json'
);

-- TODO: keep each customer's two largest orders, the earlier first when two amounts are equal:
-- number each customer's orders with ROW_NUMBER() OVER (PARTITION BY customer ORDER BY ...) AS place,
-- and keep places 1 and 2. For now every order is written as its customer's place 1, so place 1
-- ends up holding the customer's latest order.
INSERT INTO largest_orders
SELECT customer, CAST(1 AS BIGINT) AS place, order_id, amount, ordered_at
FROM orders;

-- Done for you: the changes to `topn-largest-orders`, shown below as they are written.
SELECT * FROM largest_orders;
