-- Wrong: the target table has no country column, so the clean page views carry no country.
-- The checkpoint says: lacks country
-- The source: raw page views, with more fields than the target wants.
CREATE TABLE page_views (
  `user` STRING,
  page STRING,
  country STRING,
  userAgent STRING,
  sessionCookie STRING
) WITH (
  'connector' = 'kafka',
  'topic' = 'etl-page-views',
  'format' = 'json',
  'scan.startup.mode' = 'earliest-offset'
);

-- Done for you: the source writes eight raw page views.
INSERT INTO page_views VALUES
  ('user-1', '/', 'DE', 'Mozilla/5.0', 'c1'), ('user-2', '/pricing', 'FR', 'Mozilla/5.0', 'c2'),
  ('user-3', '/docs', 'JP', 'Mozilla/5.0', 'c3'), ('user-1', '/blog', 'BR', 'Mozilla/5.0', 'c4'),
  ('user-4', '/', 'DE', 'Mozilla/5.0', 'c5'), ('user-2', '/docs', 'FR', 'Mozilla/5.0', 'c6'),
  ('user-5', '/pricing', 'JP', 'Mozilla/5.0', 'c7'), ('user-3', '/', 'BR', 'Mozilla/5.0', 'c8');

-- The target: clean page views, keyed by user.
CREATE TABLE page_views_clean (
  `user` STRING,
  page STRING
) WITH (
  'connector' = 'kafka',
  'topic' = 'etl-page-views-clean',
  'format' = 'json',                -- the value: a JSON object of the columns
  'key.format' = 'raw',             -- the key: one column's text, as it is
  'key.fields' = 'user',            -- that column: user, so one user's views stay in one partition, in order
  'value.fields-include' = 'ALL'    -- the value keeps user too, beside page and country
);

-- The event processor, as one continuous query: extract each raw view, transform it, load it.
INSERT INTO page_views_clean
SELECT `user`, page
FROM page_views;
