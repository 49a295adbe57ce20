/* ccseg 0.4.0 -> 0.5.0.  Each change below is made identically in
 * ccseg--0.5.0.sql, the complete script of this version;
 * test/integration/upgrade.sh compares the two paths object by object. */

\echo Use "ALTER EXTENSION ccseg UPDATE TO '0.5.0'" to load this file. \quit

-- ---------------------------------------------------------------------------
-- Segment names for any data (issue 16, item 4): rules match feature names
-- in any case and may be limited to one model (existing rules apply to
-- every model); every segment gets a name, its label when no rule matches,
-- and no two segments of a model get the same one; ccseg_segments says which
-- rule named a segment and whether it is small.  Item 5: ccseg_train gives a
-- NOTICE for segments under ccseg.min_segment_rows.  Item 8: training
-- without k on fewer rows than k_max hints at k_max.
-- ---------------------------------------------------------------------------

ALTER TABLE @extschema@.ccseg_rules ADD COLUMN model text;

COMMENT ON TABLE @extschema@.ccseg_rules IS
'business rules that name segments and recommend an action: a segment whose feature matching feature_pattern (ILIKE, so in any case) is high or low by at least min_z standard deviations gets the rule''s name and recommendation; a rule with a model applies to that model only';
COMMENT ON COLUMN @extschema@.ccseg_rules.feature_pattern IS 'ILIKE pattern on feature (column) names: LIKE, but in any case';
COMMENT ON COLUMN @extschema@.ccseg_rules.model IS 'the model the rule applies to, or null for every model; on the same feature a rule for the model wins over one for every model';

-- Feature name as words, for labels, names and descriptions: underscores
-- and camel case become spaces, words are in lower case unless they are
-- acronyms, and a unit in parentheses at the end is left out, so that
-- balance_frequency, Detergents_Paper and "Annual Income (k$)" read
-- balance frequency, detergents paper and annual income.  A name with no
-- word left is kept as it is.
CREATE OR REPLACE FUNCTION @extschema@._ccseg_words(feature text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT coalesce(string_agg(CASE WHEN t.w ~ '^[[:upper:][:digit:]]+$' AND t.w ~ '[[:upper:]].*[[:upper:]]'
									THEN t.w ELSE lower(t.w) END, ' ' ORDER BY t.i),
					feature)
	FROM regexp_split_to_table(
			btrim(regexp_replace(
				regexp_replace(
					regexp_replace(feature, '^(.*[^[:space:]].*?)\s*\([^()]*\)\s*$', '\1'),
					'([[:lower:][:digit:]])([[:upper:]])', '\1 \2', 'g'),
				'[[:space:]_]+', ' ', 'g')),
			' ') WITH ORDINALITY AS t(w, i)
	WHERE t.w <> ''
$$;

COMMENT ON FUNCTION @extschema@._ccseg_words(text) IS 'internal: a feature name written as words (no underscores or camel case, lower case but for acronyms, without a final unit in parentheses)';

DROP FUNCTION @extschema@.ccseg_segments(text);

CREATE FUNCTION @extschema@.ccseg_segments(model text)
RETURNS TABLE (segment integer, size bigint, share float8, radius float8,
			   silhouette float8, label text, name text, description text,
			   recommendation text, rule text, small boolean)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	WITH r AS (SELECT * FROM @extschema@._ccseg_model_row(model) WHERE model_name IS NOT NULL),
	z AS (SELECT * FROM @extschema@._ccseg_centroid_z(model)),
	marked AS (
		-- features that set a segment apart: at least half a standard deviation off
		SELECT z.segment, z.feature, z.z,
			   CASE WHEN z.z > 0 THEN 'high ' ELSE 'low ' END || @extschema@._ccseg_words(z.feature) AS trait,
			   row_number() OVER (PARTITION BY z.segment ORDER BY abs(z.z) DESC, z."position") AS rank
		FROM z WHERE abs(z.z) >= 0.5),
	words AS (
		SELECT m.segment,
			   string_agg(m.trait, ', ' ORDER BY m.rank) FILTER (WHERE m.rank <= 2) AS label,
			   string_agg(m.trait || format(' (%s%s SD)', CASE WHEN m.z > 0 THEN '+' ELSE '-' END,
											to_char(abs(m.z), 'FM990.0')), ', ' ORDER BY m.rank)
				   FILTER (WHERE m.rank <= 4) AS traits
		FROM marked m GROUP BY m.segment),
	matched AS (
		-- the most distinctive feature a rule matches decides; on the same
		-- feature a rule for this model, then priority, then the rule name
		SELECT DISTINCT ON (m.segment) m.segment, m.feature, m.z, u.rule, u.segment_name, u.recommendation
		FROM marked m
		JOIN @extschema@.ccseg_rules u
		  ON m.feature ILIKE u.feature_pattern
		 AND abs(m.z) >= u.min_z
		 AND (u.direction = 'high') = (m.z > 0)
		 AND (u.model IS NULL OR u.model = ccseg_segments.model)
		ORDER BY m.segment, abs(m.z) DESC, u.model IS NULL, u.priority, u.rule),
	base AS (
		-- the rule's name, else the label; strength (the |z| the name rests
		-- on) and other (the next trait the name does not say) tell apart
		-- segments that get the same name
		SELECT s.seg, mt.rule, mt.recommendation,
			   coalesce(mt.segment_name, upper(left(w.label, 1)) || substr(w.label, 2),
						'Average profile') AS name,
			   coalesce(abs(mt.z), (SELECT abs(m.z) FROM marked m WHERE m.segment = s.seg AND m.rank = 1), 0)
				   AS strength,
			   (SELECT m.trait FROM marked m
				WHERE m.segment = s.seg
				  AND CASE WHEN mt.rule IS NOT NULL THEN m.feature <> mt.feature ELSE m.rank > 2 END
				ORDER BY m.rank LIMIT 1) AS other
		FROM r
		CROSS JOIN generate_series(1, r.k) AS s(seg)
		LEFT JOIN words w ON w.segment = s.seg
		LEFT JOIN matched mt ON mt.segment = s.seg),
	ranked AS (
		SELECT b.*, row_number() OVER (PARTITION BY lower(b.name) ORDER BY b.strength DESC, b.seg) AS nth
		FROM base b),
	qualified AS (
		-- the strongest keeps the name, the others add their next trait
		SELECT q.seg, q.rule, q.recommendation, q.nth,
			   CASE WHEN q.nth = 1 OR q.other IS NULL THEN q.name
					ELSE format('%s (%s)', q.name, q.other) END AS name
		FROM ranked q),
	named AS (
		-- any name still taken gets the segment number
		SELECT q.seg, q.rule, q.recommendation,
			   CASE WHEN row_number() OVER (PARTITION BY lower(q.name) ORDER BY q.nth, q.seg) = 1 THEN q.name
					ELSE format('%s (segment %s)', q.name, q.seg) END AS name
		FROM qualified q)
	SELECT s.seg,
		   r.sizes[s.seg],
		   r.sizes[s.seg]::float8 / r.rows,
		   CASE WHEN r.sizes[s.seg] > 0 THEN sqrt(q.sse[s.seg] / r.sizes[s.seg]) END,
		   r.segment_silhouette[s.seg],
		   coalesce(upper(left(w.label, 1)) || substr(w.label, 2), 'Average profile'),
		   n.name,
		   format('%s %s (%s%%): %s.%s', to_char(r.sizes[s.seg], 'FM999,999,999,990'),
				  CASE WHEN r.sizes[s.seg] = 1 THEN 'customer' ELSE 'customers' END,
				  to_char(100.0 * r.sizes[s.seg] / r.rows, 'FM990.0'),
				  coalesce(w.traits || ' compared with all customers',
						   'close to the average on every feature (all within half a standard deviation)'),
				  CASE WHEN r.sizes[s.seg] < @extschema@._ccseg_min_segment_rows()
					   THEN format(' Small segment (fewer than %s customers): its centroid may be close to individual customers'' values.',
								   @extschema@._ccseg_min_segment_rows())
					   ELSE '' END),
		   coalesce(n.recommendation,
					CASE WHEN w.label IS NULL
						 THEN 'No rule matches this segment, which is close to the average on every feature: reach it with the offers made to all customers, or add a rule to ccseg_rules.'
						 ELSE format('No rule matches this segment: build the offer on what sets it apart (%s), and add a rule to ccseg_rules to record the action.',
									 w.label) END),
		   n.rule,
		   r.sizes[s.seg] < @extschema@._ccseg_min_segment_rows()
	FROM r
	CROSS JOIN LATERAL @extschema@.ccseg_model_summary(r.model) q
	CROSS JOIN generate_series(1, r.k) AS s(seg)
	LEFT JOIN words w ON w.segment = s.seg
	JOIN named n ON n.seg = s.seg
	ORDER BY s.seg
$$;

COMMENT ON FUNCTION @extschema@.ccseg_segments(text) IS
'one row per segment: size, share, radius (RMS distance to the centroid), silhouette, a generated label and description (which flags a segment smaller than ccseg.min_segment_rows), a name (that of the best matching rule in ccseg_rules, else the label; never the same for two segments), a recommendation, the rule that matched, and whether the segment is small';

CREATE OR REPLACE FUNCTION @extschema@.ccseg_train(
	model text,
	source regclass,
	k integer DEFAULT NULL,
	features text[] DEFAULT NULL,
	id_column text DEFAULT NULL,
	impute text DEFAULT 'median',
	scale text DEFAULT 'standard',
	init text DEFAULT 'k-means++',
	init_centroids float8[] DEFAULT NULL,
	n_init integer DEFAULT 10,
	max_iter integer DEFAULT 300,
	tol float8 DEFAULT 1e-4,
	seed bigint DEFAULT 0,
	algorithm text DEFAULT 'auto',
	silhouette_sample bigint DEFAULT NULL,
	k_min integer DEFAULT 2,
	k_max integer DEFAULT 10,
	verbose boolean DEFAULT false,
	align boolean DEFAULT true)
RETURNS @extschema@.ccseg_train_result
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	started timestamptz := clock_timestamp();
	built @extschema@.ccseg_model;
	s record;
	use_k integer := ccseg_train.k;
	elbow jsonb;
	next_version integer;
	model_owner name;
	previous_model @extschema@.ccseg_model;
	previous_version integer;
	took float8;
	message text;
	usable text;
	small_list text;
	small_count integer;
BEGIN
	PERFORM @extschema@._ccseg_check_model_name(ccseg_train.model);

	-- one training of a given model at a time; the lock goes with the transaction
	PERFORM pg_advisory_xact_lock(hashtext('ccseg'), hashtext(ccseg_train.model));
	SELECT v.owner, v.model, v.version INTO model_owner, previous_model, previous_version
	FROM @extschema@.ccseg_model_versions v
	WHERE v.model_name = ccseg_train.model AND v.active;
	IF NOT FOUND THEN
		-- also the owner of a model the caller may not read, so that it
		-- learns before training, not after, that the name is taken
		model_owner := coalesce(@extschema@._ccseg_model_owner(ccseg_train.model), current_user);
	END IF;
	IF NOT @extschema@._ccseg_may_manage(model_owner) THEN
		RAISE EXCEPTION 'must be a member of role "%" to retrain model "%"',
			model_owner, ccseg_train.model
			USING ERRCODE = 'insufficient_privilege';
	END IF;

	IF use_k IS NULL THEN
		IF init_centroids IS NOT NULL THEN
			RAISE EXCEPTION 'k must be given with init_centroids'
				USING ERRCODE = 'invalid_parameter_value';
		END IF;
		-- choose k by the elbow rule; keep the curve with the model
		BEGIN
			SELECT jsonb_agg(to_jsonb(e) ORDER BY e.k), max(e.k) FILTER (WHERE e.recommended)
			INTO elbow, use_k
			FROM @extschema@.ccseg_elbow(source, k_min, k_max, features, id_column,
				impute, scale, init, n_init, max_iter, tol, seed, algorithm,
				silhouette_sample) e;
		EXCEPTION WHEN invalid_parameter_value THEN
			-- a table with fewer rows than k_max (10 unless given): say
			-- that training without k tries every k up to k_max
			GET STACKED DIAGNOSTICS message = MESSAGE_TEXT;
			usable := substring(message FROM '^k_max \([0-9]+\) is greater than the number of (?:usable )?rows \(([0-9]+)\)$');
			IF usable IS NULL THEN
				RAISE;
			END IF;
			RAISE EXCEPTION '%', message
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = format('Without k, ccseg_train tries every k from k_min (%s) to k_max (%s) and keeps the one the elbow rule recommends: pass k_max => %s%s, or pass k.',
									k_min, k_max, usable,
									CASE WHEN usable::integer < k_min
										 THEN format(' and k_min => %s', usable) ELSE ' or less' END);
		END;
	END IF;

	IF NOT align THEN
		previous_model := NULL;
	END IF;
	built := @extschema@.ccseg_build_model(source, use_k, features,
		id_column, impute, scale, init, init_centroids, n_init, max_iter, tol,
		seed, algorithm, silhouette_sample, ccseg_train.verbose, previous_model);
	s := @extschema@.ccseg_model_summary(built);

	-- segments too small to stand for a group of customers (the first five)
	SELECT string_agg(format('%s (%s %s)', t.i, t.n, CASE WHEN t.n = 1 THEN 'row' ELSE 'rows' END), ', '
					  ORDER BY t.i) FILTER (WHERE t.nth <= 5),
		   count(*)
	INTO small_list, small_count
	FROM (SELECT u.n, u.i, row_number() OVER (ORDER BY u.i) AS nth
		  FROM unnest(s.sizes) WITH ORDINALITY AS u(n, i)
		  WHERE u.n < @extschema@._ccseg_min_segment_rows()) t;
	IF small_count > 0 THEN
		RAISE NOTICE 'model "%" at k = % has % with fewer than % training rows: %',
			ccseg_train.model, use_k,
			CASE WHEN small_count = 1 THEN '1 segment' ELSE small_count || ' segments' END,
			@extschema@._ccseg_min_segment_rows(),
			CASE WHEN small_count = 1 THEN 'segment ' ELSE 'segments ' END || small_list
			|| CASE WHEN small_count > 5 THEN format(' and %s more', small_count - 5) ELSE '' END
			USING DETAIL = 'A segment this small describes a few customers rather than a group, and its centroid may be close to their values; ccseg_segments and the report mark it.',
				  HINT = CASE WHEN elbow IS NULL
							  THEN 'Train with a smaller k, or set ccseg.min_segment_rows to the size under which a segment is too small.'
							  ELSE format('k = %s was chosen by the elbow rule: pass a smaller k, or set ccseg.min_segment_rows to the size under which a segment is too small.', use_k) END;
	END IF;

	SELECT coalesce(max(v.version), 0) + 1 INTO next_version
	FROM @extschema@.ccseg_model_versions v
	WHERE v.model_name = ccseg_train.model;

	took := extract(epoch FROM clock_timestamp() - started);
	BEGIN
		PERFORM @extschema@._ccseg_store_version(ccseg_train.model, next_version,
			model_owner, source,
			jsonb_build_object(
				'k', use_k, 'features', s.features, 'id_column', id_column,
				'impute', impute, 'scale', scale,
				'init', CASE WHEN init_centroids IS NULL THEN init ELSE 'given' END,
				'init_centroids', init_centroids,
				'n_init', CASE WHEN init_centroids IS NULL THEN n_init ELSE 1 END,
				'max_iter', max_iter, 'tol', tol, 'seed', seed,
				'algorithm', algorithm, 'silhouette_sample', silhouette_sample,
				'align', align)
			|| CASE WHEN elbow IS NULL THEN '{}'::jsonb
			   ELSE jsonb_build_object('k_chosen_by', 'elbow', 'k_min', k_min,
									   'k_max', k_max, 'elbow', elbow) END,
			took, built,
			CASE WHEN previous_model IS NOT NULL AND s.changed_share IS NOT NULL
				 THEN previous_version END);
	EXCEPTION WHEN unique_violation THEN
		-- only under REPEATABLE READ or SERIALIZABLE: our snapshot predates
		-- a training of the same model that committed while we waited
		RAISE EXCEPTION 'model "%" was trained by another transaction at the same time',
			ccseg_train.model
			USING ERRCODE = 'serialization_failure',
				  HINT = 'Retry the transaction.';
	END;

	RETURN ROW(ccseg_train.model, next_version, s.k, s.rows, s.iterations,
			   s.inertia, took)::@extschema@.ccseg_train_result;
END
$$;

COMMENT ON FUNCTION @extschema@.ccseg_train(text, regclass, integer, text[], text, text, text, text, float8[], integer, integer, float8, bigint, text, bigint, integer, integer, boolean, boolean) IS
'train a k-means segmentation model and store it as a new, active version; segment numbers follow the previous active version unless align is false; without k, k is chosen by the elbow rule in k_min..k_max';
