-- Resource limits: ccseg.threads_limit and ccseg.max_train_memory_limit,
-- which only superusers set, bound ccseg.threads and ccseg.max_train_memory.
-- The value in force is the lower of a setting and its limit.  A value above
-- the limit is refused when set with SET, SET LOCAL, set_config() or a
-- function's SET clause, and lowered to the limit when it comes from
-- elsewhere (ALTER DATABASE or ROLE ... SET, the configuration file, the
-- connection's options).

-- run a statement, report its SQLSTATE, message, detail and hint instead of
-- failing
\i test/include/try.sql

LOAD 'ccseg';
SELECT name, context, unit, min_val, max_val,
	   CASE WHEN name LIKE '%limit' THEN boot_val END AS boot_val
FROM pg_settings WHERE name LIKE 'ccseg.%' ORDER BY name;

-- 3000 rows of 2 features.  For k = 2 a training holds 8 x 2 bytes per row
-- for the matrix and 64 bytes per row in each thread: 64kB holds 819 rows
-- with 1 thread and 240 with 4; 128kB holds 1638 rows with 1 thread; 1MB
-- holds every row.  silhouette_rows is the rows k-means ran on.
CREATE TABLE limit_rows AS
SELECT g AS id, (g % 7)::float8 AS a, (g % 11)::float8 AS b
FROM generate_series(1, 3000) g;
CREATE FUNCTION pg_temp.trained_on(OUT rows bigint, OUT silhouette_rows bigint)
LANGUAGE sql AS $$
	SELECT rows, silhouette_rows
	FROM ccseg_model_summary(ccseg_build_model('limit_rows', 2, id_column => 'id', seed => 1))
$$;

CREATE ROLE regress_ccseg_limited;
GRANT SELECT ON limit_rows TO regress_ccseg_limited;
CREATE FUNCTION limit_threads_8() RETURNS text LANGUAGE sql
SET ccseg.threads = 8 AS $$ SELECT current_setting('ccseg.threads') $$;
CREATE FUNCTION limit_threads_1() RETURNS text LANGUAGE sql
SET ccseg.threads = 1 AS $$ SELECT current_setting('ccseg.threads') $$;

-- without limits, the settings are in force
SET ccseg.threads = 4;
SET ccseg.max_train_memory = '64kB';
SELECT * FROM pg_temp.trained_on();

-- a lower limit wins over a setting made before it
SET ccseg.threads_limit = 1;
SHOW ccseg.threads;
SELECT * FROM pg_temp.trained_on();
SET ccseg.max_train_memory = '1MB';
SELECT * FROM pg_temp.trained_on();
SET ccseg.max_train_memory_limit = '128kB';
SHOW ccseg.max_train_memory;
SELECT * FROM pg_temp.trained_on();

-- a function's SET clause applies on each call (and when CREATE FUNCTION
-- checks the body): made before the limit, limit_threads_8 is refused below
SELECT pg_temp.try($$CREATE FUNCTION limit_threads_9() RETURNS text LANGUAGE sql
	SET ccseg.threads = 9 AS 'SELECT 1'$$) AS result;

-- ALTER ROLE ... SET only records a value for later sessions: accepted, and
-- lowered to the limit when it applies
ALTER ROLE regress_ccseg_limited SET ccseg.threads = 8;
SELECT unnest(setconfig) AS role_setting
FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole
WHERE r.rolname = 'regress_ccseg_limited';

SET ROLE regress_ccseg_limited;

-- the session's settings and limits hold for the role too, and it can read
-- the limits
SELECT current_setting('ccseg.threads') AS threads,
	   current_setting('ccseg.threads_limit') AS threads_limit,
	   current_setting('ccseg.max_train_memory') AS max_train_memory,
	   current_setting('ccseg.max_train_memory_limit') AS max_train_memory_limit;
SELECT * FROM pg_temp.trained_on();

-- above a limit: refused, however the value is set; the limits are for
-- superusers only
SELECT label, pg_temp.try(stmt) AS result
FROM (VALUES
	(1, 'SET threads', $$SET ccseg.threads = 2$$),
	(2, 'SET max_train_memory', $$SET ccseg.max_train_memory = '256kB'$$),
	(3, 'SET LOCAL threads', $$SET LOCAL ccseg.threads = 64$$),
	(4, 'set_config threads', $$SELECT set_config('ccseg.threads', '2', false)$$),
	(5, 'set_config max_train_memory', $$SELECT set_config('ccseg.max_train_memory', '1GB', true)$$),
	(6, 'function SET clause', $$SELECT limit_threads_8()$$),
	(7, 'SET threads_limit', $$SET ccseg.threads_limit = 64$$),
	(8, 'SET max_train_memory_limit', $$SET ccseg.max_train_memory_limit = '1GB'$$),
	(9, 'RESET threads_limit', $$RESET ccseg.threads_limit$$),
	(10, 'set_config max_train_memory_limit', $$SELECT set_config('ccseg.max_train_memory_limit', '1GB', false)$$)
) t(n, label, stmt)
ORDER BY n;
SELECT current_setting('ccseg.threads') AS threads,
	   current_setting('ccseg.threads_limit') AS threads_limit,
	   current_setting('ccseg.max_train_memory') AS max_train_memory,
	   current_setting('ccseg.max_train_memory_limit') AS max_train_memory_limit;

-- at or below a limit: accepted
SELECT label, pg_temp.try(stmt) AS result
FROM (VALUES
	(1, 'SET threads', $$SET ccseg.threads = 1$$),
	(2, 'SET max_train_memory', $$SET ccseg.max_train_memory = '128kB'$$),
	(3, 'function SET clause', $$SELECT limit_threads_1()$$)
) t(n, label, stmt)
ORDER BY n;
SHOW ccseg.threads;
SHOW ccseg.max_train_memory;
SET ccseg.max_train_memory = '64kB';
SELECT * FROM pg_temp.trained_on();
RESET ROLE;

-- a superuser is held to the limits in force too, until it raises them
SELECT pg_temp.try($$SET ccseg.threads = 2$$) AS result;
SET ccseg.threads_limit = 2;
SET ccseg.threads = 2;
SHOW ccseg.threads;
RESET ccseg.threads_limit;
RESET ccseg.max_train_memory_limit;
RESET ccseg.threads;
RESET ccseg.max_train_memory;

-- values from a lower-priority source are accepted above the limit and
-- lowered to it: here per-database settings, applied at the next connection
DO $$
BEGIN
	EXECUTE format('ALTER DATABASE %I SET ccseg.threads = 4', current_database());
	EXECUTE format('ALTER DATABASE %I SET ccseg.threads_limit = 1', current_database());
	EXECUTE format('ALTER DATABASE %I SET ccseg.max_train_memory = %L', current_database(), '1MB');
	EXECUTE format('ALTER DATABASE %I SET ccseg.max_train_memory_limit = %L', current_database(), '128kB');
END
$$;
\c -
LOAD 'ccseg';
SELECT name, setting, unit, source FROM pg_settings WHERE name LIKE 'ccseg.%' ORDER BY name;
CREATE FUNCTION pg_temp.trained_on(OUT rows bigint, OUT silhouette_rows bigint)
LANGUAGE sql AS $$
	SELECT rows, silhouette_rows
	FROM ccseg_model_summary(ccseg_build_model('limit_rows', 2, id_column => 'id', seed => 1))
$$;
SELECT * FROM pg_temp.trained_on();
-- in this session, SET is held to the limits as usual
SET ccseg.threads = 4;
DO $$
BEGIN
	EXECUTE format('ALTER DATABASE %I RESET ccseg.threads', current_database());
	EXECUTE format('ALTER DATABASE %I RESET ccseg.threads_limit', current_database());
	EXECUTE format('ALTER DATABASE %I RESET ccseg.max_train_memory', current_database());
	EXECUTE format('ALTER DATABASE %I RESET ccseg.max_train_memory_limit', current_database());
END
$$;
\c -

-- the defaults again: no memory ceiling, every thread in force
LOAD 'ccseg';
SELECT name, source FROM pg_settings WHERE name LIKE 'ccseg.%' ORDER BY name;
SET ccseg.threads = 4;
SET ccseg.max_train_memory = '64kB';
SELECT rows, silhouette_rows
FROM ccseg_model_summary(ccseg_build_model('limit_rows', 2, id_column => 'id', seed => 1));
RESET ccseg.threads;
RESET ccseg.max_train_memory;

DROP FUNCTION limit_threads_8();
DROP FUNCTION limit_threads_1();
DROP TABLE limit_rows;
DROP ROLE regress_ccseg_limited;
