-- Wrong: the table reads and writes the topic `page_views`, not the lesson's `table-page-views`.
-- The checkpoint says: `table-page-views` is empty
CREATE TABLE page_views (
  `user` STRING,
  page STRING,
  country STRING
) WITH (
  'connector' = 'kafka',
  'topic' = 'page_views',
  'format' = 'json',
  'scan.startup.mode' = 'earliest-offset'
);

INSERT INTO page_views VALUES
  ('user-1', '/', 'DE'), ('user-2', '/pricing', 'FR'), ('user-3', '/docs', 'JP'), ('user-1', '/blog', 'BR'),
  ('user-4', '/', 'DE'), ('user-2', '/docs', 'FR'), ('user-5', '/pricing', 'JP'), ('user-3', '/', 'BR');

SELECT `user`, page, country FROM page_views;
