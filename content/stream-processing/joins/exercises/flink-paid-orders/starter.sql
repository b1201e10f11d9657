-- Orders, each with the time it was placed (event time). Their topic is this exercise's own.
CREATE TABLE orders (
  order_id STRING,
  customer STRING,
  amount DECIMAL(10, 2),
  ordered_at TIMESTAMP(3),
  -- The script writes the orders in time order, so the watermark can follow the latest one exactly.
  WATERMARK FOR ordered_at AS ordered_at
) WITH (
  'connector' = 'kafka',
  'topic' = 'interval-orders',
  'format' = 'json',
  'scan.startup.mode' = 'earliest-offset'
);

-- Payments, each naming the order it pays, with the time it was made.
CREATE TABLE payments (
  payment_id STRING,
  order_id STRING,
  paid_at TIMESTAMP(3),
  WATERMARK FOR paid_at AS paid_at
) WITH (
  'connector' = 'kafka',
  'topic' = 'interval-payments',
  'format' = 'json',
  'scan.startup.mode' = 'earliest-offset'
);

-- Done for you: five orders. The checkout holds an order for 15 minutes, waiting for its payment.
INSERT INTO orders VALUES
  ('o1', 'ann', 30.00, TIMESTAMP '2026-01-01 10:00:00'), ('o2', 'bob', 45.00, TIMESTAMP '2026-01-01 10:02:00'),
  ('o3', 'cat', 12.00, TIMESTAMP '2026-01-01 10:04:00'), ('o4', 'dan', 80.00, TIMESTAMP '2026-01-01 10:10:00'),
  ('o5', 'eve', 25.00, TIMESTAMP '2026-01-01 10:40:00');

-- Done for you: the payments, in the order they were made. p2 pays o2 29 minutes after it was placed,
-- too late: the shop refunds it. p9 names an order that was never placed, and o3 is never paid.
INSERT INTO payments VALUES
  ('p1', 'o1', TIMESTAMP '2026-01-01 10:05:00'), ('p9', 'o9', TIMESTAMP '2026-01-01 10:12:00'),
  ('p4', 'o4', TIMESTAMP '2026-01-01 10:24:00'), ('p2', 'o2', TIMESTAMP '2026-01-01 10:31:00'),
  ('p5', 'o5', TIMESTAMP '2026-01-01 10:45:00');

-- Paid orders: each order with the payment that paid it in time.
CREATE TABLE paid_orders (
  order_id STRING,
  customer STRING,
  amount DECIMAL(10, 2),
  payment_id STRING,
  paid_at TIMESTAMP(3)
) WITH (
  'connector' = 'kafka',
  'topic' = 'interval-paid-orders',
  'format' = 'json',
  -- For the SELECT below, which reads the topic from its first record.
  'scan.startup.mode' = 'earliest-offset'
);

-- TODO: a payment pays its order only when it was made within 15 minutes of it: bound the join in time,
-- from the order's time (o.ordered_at) to 15 minutes after it. For now any payment of the order joins it,
-- however late, and Flink keeps every order and payment for ever, waiting for a match.
INSERT INTO paid_orders
SELECT o.order_id, o.customer, o.amount, p.payment_id, p.paid_at
FROM orders AS o
JOIN payments AS p
  ON o.order_id = p.order_id;

-- Done for you: the rows of `interval-paid-orders`, shown below as orders and payments meet.
SELECT * FROM paid_orders;
