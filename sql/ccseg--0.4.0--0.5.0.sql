/* ccseg 0.4.0 -> 0.5.0.  Each change below is made identically in
 * ccseg--0.5.0.sql, the complete script of this version;
 * test/integration/upgrade.sh compares the two paths object by object. */

\echo Use "ALTER EXTENSION ccseg UPDATE TO '0.5.0'" to load this file. \quit

-- _ccseg_train_defaults(): the training defaults of the C code, so that a
-- test can compare them with the parameter defaults of this script
CREATE FUNCTION @extschema@._ccseg_train_defaults(
	OUT impute text,
	OUT scale text,
	OUT init text,
	OUT n_init integer,
	OUT max_iter integer,
	OUT tol float8,
	OUT seed bigint,
	OUT algorithm text,
	OUT silhouette_sample bigint)
RETURNS record
AS 'MODULE_PATHNAME', 'ccseg_train_defaults'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@._ccseg_train_defaults() IS
'internal: the training defaults compiled into the C code, which ccseg_fit trains with; the parameters of ccseg_train, ccseg_build_model and ccseg_elbow default to the same values';
