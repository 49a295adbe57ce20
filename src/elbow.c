/*
 * elbow.c
 *		Choosing k and judging a model: ccseg_elbow() trains every k of a
 *		range on data read and preprocessed once; ccseg_model_silhouette()
 *		measures a stored model on the rows of its source.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "portability/instr_time.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "ccseg.h"
#include "modeltype.h"
#include "options.h"
#include "pipeline.h"
#include "prepare.h"
#include "reader.h"

#include "kmeans.h"
#include "metrics.h"
#include "model.h"

PG_FUNCTION_INFO_V1(ccseg_elbow);
PG_FUNCTION_INFO_V1(ccseg_model_silhouette);

/* Arguments of ccseg_elbow, in order. */
enum
{
	EA_SOURCE, EA_K_MIN, EA_K_MAX, EA_FEATURES, EA_ID_COLUMN, EA_IMPUTE,
	EA_SCALE, EA_INIT, EA_N_INIT, EA_MAX_ITER, EA_TOL, EA_SEED, EA_ALGORITHM,
	EA_SILHOUETTE_SAMPLE, EA_TRANSFORM, EA_WEIGHTS, EA_CATEGORICAL
};

typedef struct ElbowRow
{
	int			k;
	double		inertia;
	double		silhouette;
	double		calinski_harabasz;
	double		davies_bouldin;
	int			iterations;
	double		seconds;
} ElbowRow;

/*
 * The index of the recommended row: the knee of the inertia curve, refined
 * by the silhouette (cc_recommend_k).
 */
static int
recommend(const ElbowRow *rows, int count)
{
	double	   *ks = palloc(sizeof(double) * count);
	double	   *inertia = palloc(sizeof(double) * count);
	double	   *silhouette = palloc(sizeof(double) * count);
	int			i;

	for (i = 0; i < count; i++)
	{
		ks[i] = rows[i].k;
		inertia[i] = rows[i].inertia;
		silhouette[i] = rows[i].silhouette;
	}
	return cc_recommend_k(ks, inertia, silhouette, count);
}

/* ccseg_elbow(): one row per k with inertia, quality measures and timing. */
Datum
ccseg_elbow(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	CcsegPrepared prep;
	CcsegTrainOptions base = CCSEG_TRAIN_OPTIONS_DEFAULT(1);
	CcAllocator alloc;
	MemoryContext cxt;
	ArrayType  *features;
	char	   *id_column;
	int			k_min,
				k_max,
				count,
				chosen,
				i;
	ElbowRow   *rows;

	ccseg_require_arg(fcinfo, EA_SOURCE, "source");
	ccseg_require_arg(fcinfo, EA_K_MIN, "k_min");
	ccseg_require_arg(fcinfo, EA_K_MAX, "k_max");
	k_min = PG_GETARG_INT32(EA_K_MIN);
	k_max = PG_GETARG_INT32(EA_K_MAX);
	if (k_min < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("k_min must be at least 1")));
	if (k_max < k_min)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("k_max (%d) must not be less than k_min (%d)", k_max, k_min)));
	if (k_max > CC_MAX_K)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("k_max must be at most %d", CC_MAX_K)));
	features = PG_ARGISNULL(EA_FEATURES) ? NULL : PG_GETARG_ARRAYTYPE_P(EA_FEATURES);
	id_column = PG_ARGISNULL(EA_ID_COLUMN) ? NULL :
		text_to_cstring(PG_GETARG_TEXT_PP(EA_ID_COLUMN));
	base.model = false;
	base.kmeans.init = ccseg_init_arg(fcinfo, EA_INIT);
	ccseg_kmeans_args(fcinfo, EA_N_INIT, &base.kmeans);
	base.kmeans.algorithm = ccseg_algorithm_arg(fcinfo, EA_ALGORITHM);
	base.silhouette_sample = ccseg_silhouette_sample_arg(fcinfo, EA_SILHOUETTE_SAMPLE);

	cxt = AllocSetContextCreate(CurrentMemoryContext, "ccseg elbow",
								ALLOCSET_DEFAULT_SIZES);
	ccseg_allocator_init(&alloc, cxt);
	ccseg_prepare(PG_GETARG_OID(EA_SOURCE), features, id_column,
				  ccseg_impute_arg(fcinfo, EA_IMPUTE),
				  ccseg_scale_arg(fcinfo, EA_SCALE),
				  (PG_NARGS() <= EA_TRANSFORM || PG_ARGISNULL(EA_TRANSFORM)) ? NULL :
				  PG_GETARG_ARRAYTYPE_P(EA_TRANSFORM),
				  (PG_NARGS() <= EA_WEIGHTS || PG_ARGISNULL(EA_WEIGHTS)) ? NULL :
				  PG_GETARG_ARRAYTYPE_P(EA_WEIGHTS),
				  (PG_NARGS() <= EA_CATEGORICAL || PG_ARGISNULL(EA_CATEGORICAL)) ? NULL :
				  PG_GETARG_ARRAYTYPE_P(EA_CATEGORICAL), k_max, base.kmeans.seed,
				  cxt, &prep);
	ccseg_check_k_rows(&prep, "k_max", k_max);
	/* each k's k-means++ starts from the centroids a smaller k chose */
	if (base.kmeans.init == CC_INIT_KMEANSPP)
		base.kmeans.seeds = cc_seed_cache_create(base.kmeans.n_init, k_max, &alloc);

	count = k_max - k_min + 1;
	rows = palloc(sizeof(ElbowRow) * count);
	for (i = 0; i < count; i++)
	{
		MemoryContext per_k = AllocSetContextCreate(cxt, "ccseg elbow k",
													ALLOCSET_DEFAULT_SIZES);
		CcAllocator ka;
		CcsegTrainOptions o = base;
		CcsegTrained t;
		instr_time	start,
					took;

		ccseg_allocator_init(&ka, per_k);
		INSTR_TIME_SET_CURRENT(start);
		o.kmeans.k = k_min + i;
		ccseg_train_prepared(&prep, &o, &t, NULL, &ka);
		INSTR_TIME_SET_CURRENT(took);
		INSTR_TIME_SUBTRACT(took, start);
		rows[i].k = o.kmeans.k;
		rows[i].inertia = t.kmeans.inertia;
		rows[i].silhouette = t.quality.silhouette;
		rows[i].calinski_harabasz = t.quality.calinski_harabasz;
		rows[i].davies_bouldin = t.quality.davies_bouldin;
		rows[i].iterations = t.kmeans.iterations;
		rows[i].seconds = INSTR_TIME_GET_DOUBLE(took);
		MemoryContextDelete(per_k);
	}
	chosen = recommend(rows, count);

	InitMaterializedSRF(fcinfo, 0);
	for (i = 0; i < count; i++)
	{
		Datum		values[8];
		bool		nulls[8] = {false};

		values[0] = Int32GetDatum(rows[i].k);
		values[1] = Float8GetDatum(rows[i].inertia);
		values[2] = Float8GetDatum(rows[i].silhouette);
		nulls[2] = isnan(rows[i].silhouette);
		values[3] = Float8GetDatum(rows[i].calinski_harabasz);
		nulls[3] = isnan(rows[i].calinski_harabasz);
		values[4] = Float8GetDatum(rows[i].davies_bouldin);
		nulls[4] = isnan(rows[i].davies_bouldin);
		values[5] = Int32GetDatum(rows[i].iterations);
		values[6] = Float8GetDatum(rows[i].seconds);
		values[7] = BoolGetDatum(i == chosen);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	MemoryContextDelete(cxt);
	return (Datum) 0;
}

/*
 * ccseg_model_silhouette(source, model, sample_size, seed, order_by):
 * silhouette of the model's segments on the rows of source, overall
 * (segment NULL) and per segment, with the rows each value was computed
 * on.  Rows are read in order_by order when given, so a sample does not
 * depend on the physical order of the table.
 */
Datum
ccseg_model_silhouette(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			relid;
	int64		sample;
	uint64		seed;
	char	   *order_by;
	MemoryContext cxt;
	CcAllocator alloc;
	CcModel		m;
	double	   *x;
	double	   *z;
	int		   *labels;
	int64_t    *counts;
	CcQualityParams qp;
	CcQuality	q;
	size_t		n_read,
				n = 0,
				i;
	int			c,
				present = 0;

	ccseg_require_arg(fcinfo, 0, "source");
	ccseg_require_arg(fcinfo, 1, "model");
	ccseg_require_arg(fcinfo, 3, "seed");
	relid = PG_GETARG_OID(0);
	sample = PG_ARGISNULL(2) ? -1 : PG_GETARG_INT64(2);
	seed = (uint64) PG_GETARG_INT64(3);
	order_by = (PG_NARGS() > 4 && !PG_ARGISNULL(4)) ?
		text_to_cstring(PG_GETARG_TEXT_PP(4)) : NULL;
	if (!PG_ARGISNULL(2) && sample < 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("sample_size must be at least 2")));
	cxt = AllocSetContextCreate(CurrentMemoryContext, "ccseg silhouette",
								ALLOCSET_DEFAULT_SIZES);
	ccseg_allocator_init(&alloc, cxt);
	ccseg_model_parse(PG_GETARG_VARLENA_P(1), &m, cxt);
	if (m.k < 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the silhouette is not defined for a model with one segment"),
				 errdetail("It compares each row's own segment with the nearest other segment.")));
	/* per row: the features and a label; the silhouette's share is checked below */
	x = ccseg_read_model_rows_within(relid, &m, order_by, sizeof(int),
									  "ccseg_silhouette", cxt, &n_read);

	/* impute, scale and label each row as scoring would; drop what it drops */
	z = MemoryContextAlloc(cxt, sizeof(double) * m.d);
	labels = MemoryContextAllocHuge(cxt, sizeof(int) * Max(n_read, 1));
	for (i = 0; i < n_read; i++)
	{
		if (!ccseg_model_transform_row(&m, x + i * m.d, z, "the model"))
			continue;
		memcpy(x + n * m.d, z, sizeof(double) * m.d);
		labels[n++] = cc_model_assign(&m, z, NULL);
		if ((i & 16383) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	counts = MemoryContextAllocZero(cxt, sizeof(int64_t) * m.k);
	for (i = 0; i < n; i++)
		counts[labels[i]]++;
	for (c = 0; c < m.k; c++)
		if (counts[c] > 0)
			present++;
	if (present < 2)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("the rows of relation \"%s\" fall in fewer than two segments of the model",
						get_rel_name(relid)),
				 errdetail("The silhouette needs rows in at least two segments.")));

	/* the silhouette's own memory, on top of the rows */
	ccseg_quality_params(sample, seed, &qp);
	{
		double		need = (8.0 * m.d + sizeof(int)) * (double) n_read +
			cc_quality_bytes(n, m.d, m.k, &qp);

		if (need > ccseg_memory_budget())
			ereport(ERROR,
					(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
					 errmsg("relation \"%s\" has too many rows for ccseg_silhouette within ccseg.max_train_memory",
							get_rel_name(relid)),
					 errdetail("The silhouette of %zu rows in %d segments needs about %s, more than %s.",
							   n, m.k, ccseg_bytes_text(need),
							   ccseg_memory_in_force_text()),
					 ccseg_errhint_memory("pass a smaller sample_size")));
	}
	q.segment_silhouette = MemoryContextAlloc(cxt, sizeof(double) * m.k);
	q.segment_rows = NULL;
	if (!cc_quality(x, n, m.d, labels, m.k, &qp, &q, &alloc))
		ccseg_interrupted("the silhouette computation");

	InitMaterializedSRF(fcinfo, 0);
	{
		Datum		values[4];
		bool		nulls[4] = {true, false, false, false};

		values[1] = Float8GetDatum(q.silhouette);
		values[2] = Int64GetDatum((int64) n);
		values[3] = Int64GetDatum(q.silhouette_rows);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	for (c = 0; c < m.k; c++)
	{
		Datum		values[4];
		bool		nulls[4] = {false, false, false, true};

		values[0] = Int32GetDatum(c + 1);
		values[1] = Float8GetDatum(q.segment_silhouette[c]);
		nulls[1] = isnan(q.segment_silhouette[c]);
		values[2] = Int64GetDatum(counts[c]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	MemoryContextDelete(cxt);
	return (Datum) 0;
}
