-- pg_temp.try(stmt): run a statement and return 'ok', or its SQLSTATE, message,
-- detail and hint, so that a test shows many errors in one table
CREATE FUNCTION pg_temp.try(stmt text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	msg text;
	detail text;
	hint text;
BEGIN
	EXECUTE stmt;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL,
		hint = PG_EXCEPTION_HINT;
	RETURN SQLSTATE || ': ' || msg
		|| CASE WHEN detail <> '' THEN ' (detail: ' || detail || ')' ELSE '' END
		|| CASE WHEN hint <> '' THEN ' (hint: ' || hint || ')' ELSE '' END;
END
$$;
