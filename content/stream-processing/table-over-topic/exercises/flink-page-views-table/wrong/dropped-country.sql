-- Wrong: the table has no country column, so the records written through it carry no country.
-- The checkpoint says: lacks country
CREATE TABLE page_views (
  `user` STRING,
  page STRING
) WITH (
  'connector' = 'kafka',
  'topic' = 'table-page-views',
  'format' = 'json',
  'scan.startup.mode' = 'earliest-offset'
);

INSERT INTO page_views VALUES
  ('user-1', '/'), ('user-2', '/pricing'), ('user-3', '/docs'), ('user-1', '/blog'),
  ('user-4', '/'), ('user-2', '/docs'), ('user-5', '/pricing'), ('user-3', '/');

SELECT `user`, page FROM page_views;
