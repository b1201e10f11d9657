-- Wrong: the table declares its three columns but no 'scan.startup.mode', so the SELECT asks for a consumer group's offsets and stops at an error.
-- The checkpoint says: stopped at an error in your code
-- A table over your topic `table-page-views`: each JSON record is one row.
CREATE TABLE page_views (
  `user` STRING,
  page STRING,
  country STRING
) WITH (
  'connector' = 'kafka',
  'topic' = 'table-page-views',
  'format' = 'json'
);

-- Done for you: eight page views, written to the topic through the table.
INSERT INTO page_views VALUES
  ('user-1', '/', 'DE'), ('user-2', '/pricing', 'FR'), ('user-3', '/docs', 'JP'), ('user-1', '/blog', 'BR'),
  ('user-4', '/', 'DE'), ('user-2', '/docs', 'FR'), ('user-5', '/pricing', 'JP'), ('user-3', '/', 'BR');

-- A continuous query: its rows appear below as records arrive, and it runs until you press Stop.
SELECT `user`, page, country FROM page_views;
