-- Wrong: the INSERT runs twice, so every page view is in the topic twice.
-- The checkpoint says: twice
-- A table over your topic `table-page-views`: each JSON record is one row.
CREATE TABLE page_views (
  `user` STRING,
  page STRING,
  country STRING
) WITH (
  'connector' = 'kafka',
  'topic' = 'table-page-views',
  'format' = 'json',
  'scan.startup.mode' = 'earliest-offset'
);

-- Done for you: eight page views, written to the topic through the table.
INSERT INTO page_views VALUES
  ('user-1', '/', 'DE'), ('user-2', '/pricing', 'FR'), ('user-3', '/docs', 'JP'), ('user-1', '/blog', 'BR'),
  ('user-4', '/', 'DE'), ('user-2', '/docs', 'FR'), ('user-5', '/pricing', 'JP'), ('user-3', '/', 'BR');

-- And once more, to be sure the rows are there.
INSERT INTO page_views VALUES
  ('user-1', '/', 'DE'), ('user-2', '/pricing', 'FR'), ('user-3', '/docs', 'JP'), ('user-1', '/blog', 'BR'),
  ('user-4', '/', 'DE'), ('user-2', '/docs', 'FR'), ('user-5', '/pricing', 'JP'), ('user-3', '/', 'BR');

-- A continuous query: its rows appear below as records arrive, and it runs until you press Stop.
SELECT `user`, page, country FROM page_views;
