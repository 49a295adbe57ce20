/*
 * train.c
 *		ccseg_build_model(): read a relation, impute and scale it
 *		(prepare.c), cluster and measure it (pipeline.c), and return the
 *		model value.  Storing it is the catalog's business (ccseg_train in
 *		the install script).
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "ccseg.h"
#include "modeltype.h"
#include "options.h"
#include "pipeline.h"
#include "prepare.h"

#include "kmeans.h"
#include "model.h"
#include "preprocess.h"

PG_FUNCTION_INFO_V1(ccseg_build_model);

/* Arguments of ccseg_build_model, in order. */
enum
{
	ARG_SOURCE, ARG_K, ARG_FEATURES, ARG_ID_COLUMN, ARG_IMPUTE, ARG_SCALE,
	ARG_INIT, ARG_INIT_CENTROIDS, ARG_N_INIT, ARG_MAX_ITER, ARG_TOL, ARG_SEED,
	ARG_ALGORITHM, ARG_SILHOUETTE_SAMPLE, ARG_VERBOSE, ARG_PREVIOUS,
	ARG_TRANSFORM, ARG_WEIGHTS, ARG_CATEGORICAL
};

/* Check init_centroids against k and d and return them as a k x d matrix. */
static double *
given_centroids(ArrayType *arr, int k, int d)
{
	int			ndim = ARR_NDIM(arr);
	int		   *dims = ARR_DIMS(arr);
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	double	   *c;
	int			i;

	if (ndim != 2 || dims[0] != k || dims[1] != d)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("init_centroids must be a %d x %d array, one row per segment and one column per feature",
						k, d)));
	deconstruct_array(arr, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL,
					  TYPALIGN_DOUBLE, &elems, &nulls, &n);
	c = palloc(sizeof(double) * n);
	for (i = 0; i < n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("init_centroids must not contain null elements")));
		c[i] = DatumGetFloat8(elems[i]);
		if (!isfinite(c[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("init_centroids must not contain NaN or infinity")));
	}
	return c;
}

/* Train a model from a relation; see the install script for the arguments. */
Datum
ccseg_build_model(PG_FUNCTION_ARGS)
{
	CcsegPrepared prep;
	CcsegTrainOptions o = CCSEG_TRAIN_OPTIONS_DEFAULT(1);
	CcsegTrained t;
	CcModel		m;
	CcModel		prev;
	CcAllocator alloc;
	MemoryContext cxt;
	MemoryContext old;
	ArrayType  *features;
	ArrayType  *transforms;
	ArrayType  *weights;
	ArrayType  *categorical;
	ArrayType  *init_arr;
	char	   *id_column;
	CcImpute	impute;
	CcScale		scale;
	Datum		result;
	int			k,
				d;

	ccseg_require_arg(fcinfo, ARG_SOURCE, "source");
	ccseg_require_arg(fcinfo, ARG_K, "k");
	ccseg_require_arg(fcinfo, ARG_VERBOSE, "verbose");
	o.verbose = PG_GETARG_BOOL(ARG_VERBOSE);
	k = PG_GETARG_INT32(ARG_K);
	if (k < 1 || k > CC_MAX_K)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("k must be between 1 and %d", CC_MAX_K)));
	features = PG_ARGISNULL(ARG_FEATURES) ? NULL : PG_GETARG_ARRAYTYPE_P(ARG_FEATURES);
	transforms = (PG_NARGS() <= ARG_TRANSFORM || PG_ARGISNULL(ARG_TRANSFORM)) ? NULL :
		PG_GETARG_ARRAYTYPE_P(ARG_TRANSFORM);
	weights = (PG_NARGS() <= ARG_WEIGHTS || PG_ARGISNULL(ARG_WEIGHTS)) ? NULL :
		PG_GETARG_ARRAYTYPE_P(ARG_WEIGHTS);
	categorical = (PG_NARGS() <= ARG_CATEGORICAL || PG_ARGISNULL(ARG_CATEGORICAL)) ? NULL :
		PG_GETARG_ARRAYTYPE_P(ARG_CATEGORICAL);
	id_column = PG_ARGISNULL(ARG_ID_COLUMN) ? NULL :
		text_to_cstring(PG_GETARG_TEXT_PP(ARG_ID_COLUMN));
	impute = ccseg_impute_arg(fcinfo, ARG_IMPUTE);
	scale = ccseg_scale_arg(fcinfo, ARG_SCALE);
	o.kmeans.k = k;
	o.kmeans.init = ccseg_init_arg(fcinfo, ARG_INIT);
	init_arr = PG_ARGISNULL(ARG_INIT_CENTROIDS) ? NULL :
		PG_GETARG_ARRAYTYPE_P(ARG_INIT_CENTROIDS);
	if (init_arr != NULL)
		o.kmeans.init = CC_INIT_GIVEN;
	ccseg_kmeans_args(fcinfo, ARG_N_INIT, &o.kmeans);
	o.kmeans.algorithm = ccseg_algorithm_arg(fcinfo, ARG_ALGORITHM);
	o.silhouette_sample = ccseg_silhouette_sample_arg(fcinfo, ARG_SILHOUETTE_SAMPLE);
	o.warn_unconverged = true;

	/* the resource settings in force, after their limits */
	if (o.verbose)
		ereport(LOG,
				(errmsg_plural("training with %d thread and %s of memory for the rows (the values of ccseg.threads and ccseg.max_train_memory in force)",
							   "training with %d threads and %s of memory for the rows (the values of ccseg.threads and ccseg.max_train_memory in force)",
							   ccseg_threads_in_force(),
							   ccseg_threads_in_force(),
							   ccseg_memory_text(ccseg_max_train_memory_in_force()))));

	/* all training memory lives here and goes at once, even on cancel */
	cxt = AllocSetContextCreate(CurrentMemoryContext, "ccseg training",
								ALLOCSET_DEFAULT_SIZES);
	ccseg_allocator_init(&alloc, cxt);
	ccseg_prepare(PG_GETARG_OID(ARG_SOURCE), features, id_column, impute,
				  scale, transforms, weights, categorical, k, o.kmeans.seed, cxt,
				  &prep);
	d = prep.f.d;
	/* phase timings: LOG, so the server log keeps them and tests stay stable */
	if (o.verbose)
		ereport(LOG,
				(errmsg("read %zu rows of relation \"%s\" in %.3f s, imputed and scaled them in %.3f s",
						prep.n_read, prep.relname, prep.read_seconds,
						prep.preprocess_seconds)));
	ccseg_check_k_rows(&prep, "k", k);
	if (init_arr != NULL)
	{
		double	   *init = given_centroids(init_arr, k, d);

		/* given in original units: transformed and scaled as the rows */
		if (prep.transform != NULL)
			ccseg_transform_rows(&prep, init, k);
		cc_scale_apply(init, k, d, prep.center, prep.scale_values);
		ccseg_weight_rows(&prep, init, k);
		o.kmeans.init_centroids = init;
	}
	/* the version this one replaces: take its segment numbers (0.2.0 and later) */
	if (PG_NARGS() > ARG_PREVIOUS && !PG_ARGISNULL(ARG_PREVIOUS))
	{
		ccseg_model_parse(PG_GETARG_VARLENA_P(ARG_PREVIOUS), &prev, cxt);
		o.previous = &prev;
	}

	old = MemoryContextSwitchTo(cxt);
	ccseg_train_prepared(&prep, &o, &t, &m, &alloc);
	MemoryContextSwitchTo(old);
	result = ccseg_model_datum(&m);
	MemoryContextDelete(cxt);
	PG_RETURN_DATUM(result);
}
