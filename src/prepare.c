/*
 * prepare.c
 *		From a relation to the matrix k-means works on: resolve the features,
 *		read them, fit and apply the imputation and the scaling.  Shared by
 *		training and the elbow, so both see exactly the same data.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "ccseg.h"
#include "prepare.h"
#include "reader.h"
#include "sample.h"

#include "category.h"

#include "matrix.h"
#include "preprocess.h"

/*
 * The transforms asked for by the transform parameter (text[]), one per
 * feature of p->f, into p->transform, p->tq_lo and p->tq_hi (left NULL when
 * spec is NULL, empty or names no transform but none).  An element is
 * either "feature:transform" (split at the last colon, as a transform has
 * none) or "transform", the transform of every feature not named; the
 * transforms are cc_transform_parse's words.
 */
void
ccseg_resolve_transforms(ArrayType *spec, CcsegPrepared *p, MemoryContext cxt)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n,
				i,
				j,
				d = p->f.d;
	int			all = CC_TRANSFORM_NONE;
	double		all_lo = NAN,
				all_hi = NAN;
	bool		have_all = false;
	bool		any = false;
	bool	   *named;
	MemoryContext old;

	p->transform = NULL;
	p->tq_lo = p->tq_hi = NULL;
	if (spec == NULL)
		return;
	if (ARR_NDIM(spec) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("transform must be a one-dimensional array")));
	deconstruct_array(spec, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	if (n == 0)
		return;
	old = MemoryContextSwitchTo(cxt);
	p->transform = palloc0(sizeof(int) * d);
	p->tq_lo = palloc(sizeof(double) * d);
	p->tq_hi = palloc(sizeof(double) * d);
	MemoryContextSwitchTo(old);
	named = palloc0(sizeof(bool) * d);
	for (j = 0; j < d; j++)
		p->tq_lo[j] = p->tq_hi[j] = NAN;
	for (i = 0; i < n; i++)
	{
		char	   *e;
		char	   *colon;
		char	   *word;
		int			how;
		double		qlo,
					qhi;

		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("transform must not contain null elements")));
		e = TextDatumGetCString(elems[i]);
		colon = strrchr(e, ':');
		word = colon ? colon + 1 : e;
		how = cc_transform_parse(word, &qlo, &qhi);
		if (how == -2)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("clip quantiles in \"%s\" must satisfy 0 <= lower < upper <= 1",
							ccseg_name_for_message(e)),
					 errhint("Write clip(0.01,0.99) to clip at the 1st and 99th percentiles.")));
		if (how < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown transform \"%s\"", ccseg_name_for_message(word)),
					 errhint("Use none, log1p, clip or clip(lower,upper), alone for every feature or as 'feature:transform'.")));
		if (colon == NULL)
		{
			if (have_all)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("transform has more than one element without a feature name"),
						 errhint("One element such as 'log1p' applies to every feature not named; name the others as 'feature:transform'.")));
			have_all = true;
			all = how;
			all_lo = qlo;
			all_hi = qhi;
			continue;
		}
		*colon = '\0';
		for (j = 0; j < d; j++)
			if (strcmp(p->f.names[j], e) == 0)
				break;
		if (j < d && p->f.conv[j] == CCSEG_CONV_CATEGORY)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("transform names categorical column \"%s\"",
							ccseg_name_for_message(e)),
					 errdetail("A categorical column becomes 0/1 indicators, which are not transformed."),
					 errhint("Name only numeric features in transform.")));
		if (j == d)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("transform names \"%s\", which is not one of the features",
							ccseg_name_for_message(e)),
					 errhint("Name a feature as it is spelled in features (or the column of the relation), as 'feature:transform'.")));
		if (named[j])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("transform names feature \"%s\" more than once",
							ccseg_name_for_message(e))));
		named[j] = true;
		p->transform[j] = how;
		p->tq_lo[j] = qlo;
		p->tq_hi[j] = qhi;
	}
	for (j = 0; j < d; j++)
	{
		if (!named[j] && p->f.conv[j] != CCSEG_CONV_CATEGORY)
		{
			p->transform[j] = all;
			p->tq_lo[j] = all_lo;
			p->tq_hi[j] = all_hi;
		}
		any |= p->transform[j] != CC_TRANSFORM_NONE;
	}
	pfree(named);
	if (!any)
		p->transform = NULL;
}

/* The preprocessing of p after imputation (pointing into p). */
void
ccseg_prepared_map(const CcsegPrepared *p, CcFeatureMap *fm)
{
	fm->d = p->f.d;
	fm->transform = p->transform;
	fm->ta = p->transform_a;
	fm->tb = p->transform_b;
	fm->center = p->center;
	fm->scale = p->scale_values;
	fm->weight = p->weights;
}

/*
 * The weights parameter (float8[], one per feature of p->f, each finite and
 * positive) into p->weights; left NULL when weights is NULL or every weight
 * is 1, so that such a training is the one without weights, bit for bit.
 */
void
ccseg_resolve_weights(ArrayType *weights, CcsegPrepared *p, MemoryContext cxt)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n,
				j,
				d = p->f.d;
	bool		any = false;

	p->weights = NULL;
	if (weights == NULL)
		return;
	if (ARR_NDIM(weights) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("weights must be a one-dimensional array")));
	deconstruct_array(weights, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL,
					  TYPALIGN_DOUBLE, &elems, &nulls, &n);
	if (n != d)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("weights has %d elements, but there are %d features", n, d),
				 p->f.ncat > 0 ?
				 errhint("Give one weight per numeric feature, in the order of features (or of the relation's numeric columns when features is omitted), then one per categorical column, in the order of categorical; a categorical column's weight applies to each of its indicators.") :
				 errhint("Give one weight per feature, in the order of features (or of the relation's numeric columns when features is omitted).")));
	p->weights = MemoryContextAlloc(cxt, sizeof(double) * d);
	for (j = 0; j < d; j++)
	{
		double		w;

		if (nulls[j])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("weights must not contain null elements")));
		w = DatumGetFloat8(elems[j]);
		if (!(w > 0.0 && isfinite(w)))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("weight of feature \"%s\" must be a finite number greater than 0, not %g",
							p->f.names[j], w),
					 w == 0.0 ? errhint("Leave a feature out of features rather than give it weight 0.") : 0));
		p->weights[j] = w;
		any |= (w != 1.0);
	}
	if (!any)
		p->weights = NULL;
}

/* Multiply the scaled rows x (n of them) by p's weights, when it has any. */
void
ccseg_weight_rows(const CcsegPrepared *p, double *x, size_t n)
{
	int			d = p->f.d,
				j;
	size_t		i;

	if (p->weights == NULL)
		return;
	for (i = 0; i < n; i++)
		for (j = 0; j < d; j++)
			x[i * d + j] *= p->weights[j];
}

/*
 * Apply the fitted transforms of p to n rows of x in place, with an error
 * naming a value outside a transform's domain.
 */
void
ccseg_transform_rows(const CcsegPrepared *p, double *x, size_t n)
{
	int			d = p->f.d;
	CcFeatureMap fm;
	ptrdiff_t	bad;
	int			f;
	const char *name;

	ccseg_prepared_map(p, &fm);
	bad = cc_transform_apply(x, n, &fm);
	if (bad < 0)
		return;
	f = (int) (bad % d);
	name = cc_transforms[p->transform[f]].name;
	if (p->relname == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_ARGUMENT_FOR_LOG),
				 errmsg("feature \"%s\" has the value %g, outside the domain of transform %s",
						p->f.names[f], x[bad], name)));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_ARGUMENT_FOR_LOG),
			 errmsg("feature \"%s\" of relation \"%s\" has the value %g, outside the domain of transform %s",
					p->f.names[f], p->relname, x[bad], name),
			 errdetail("Transform %s takes values greater than %g.", name,
					   cc_transforms[p->transform[f]].domain_lo),
			 errhint("Leave the feature untransformed with '%s:none' in transform, clip it, or shift the column in a view.",
					 p->f.names[f])));
}

/*
 * Fit and apply the transforms of p to p->x (p->n imputed rows), and keep
 * the means of the transformed columns; an error names a value outside a
 * transform's domain.
 */
static void
transform_matrix(CcsegPrepared *p, MemoryContext cxt, const CcAllocator *alloc)
{
	int			d = p->f.d,
				j;
	double	   *var;
	MemoryContext old;

	old = MemoryContextSwitchTo(cxt);
	p->transform_a = palloc(sizeof(double) * d);
	p->transform_b = palloc(sizeof(double) * d);
	p->transform_mean = palloc(sizeof(double) * d);
	MemoryContextSwitchTo(old);
	for (j = 0; j < d; j++)
		cc_transform_fit(p->x, p->n, d, j, (CcTransform) p->transform[j],
						 p->tq_lo[j], p->tq_hi[j], &p->transform_a[j],
						 &p->transform_b[j], alloc);
	ccseg_transform_rows(p, p->x, p->n);
	var = palloc(sizeof(double) * d);
	cc_columns_mean_var(p->x, p->n, d, 0, d, p->transform_mean, var);
	for (j = 0; j < d; j++)
		if (p->transform[j] == CC_TRANSFORM_NONE)
			p->transform_mean[j] = NAN;
	pfree(var);
}

/*
 * One-hot encode the categorical columns of p->x (the last p->f.ncat, read
 * as codes): the categories in their order, the indicators after the
 * numeric features, named "column=category" ("column IS NULL" for the NULL
 * category); p->f becomes the model's features, and the transforms and
 * weights of the columns become those of the features (no transform for
 * an indicator, the column's weight for each of its indicators).
 */
static void
encode_categories(CcsegPrepared *p, MemoryContext cxt)
{
	CcsegFeatures in = p->f;
	int			n_num = in.d - in.ncat;
	int			d,
				j,
				c,
				i;
	double	   *wide;
	MemoryContext old;

	ccseg_categories_finish(p->relid, &in, p->x, p->n_read);
	wide = ccseg_expand_categories(&in, p->x, p->n_read, cxt, &d);
	pfree(p->x);
	p->x = wide;

	old = MemoryContextSwitchTo(cxt);
	p->f.d = d;
	p->f.ncat = 0;
	p->f.cat = NULL;
	p->f.names = palloc(sizeof(char *) * d);
	p->f.conv = palloc(sizeof(CcsegConv) * d);
	p->category_column = palloc0(sizeof(char *) * d);
	p->category = palloc0(sizeof(char *) * d);
	for (j = 0; j < n_num; j++)
	{
		p->f.names[j] = in.names[j];
		p->f.conv[j] = in.conv[j];
	}
	for (c = 0; c < in.ncat; c++)
	{
		const CcsegCategorical *cat = &in.cat[c];
		const char *col = in.names[n_num + c];

		for (i = 0; i < cat->dict.n + (cat->has_null ? 1 : 0); i++)
		{
			p->category_column[j] = pstrdup(col);
			if (i < cat->dict.n)
			{
				p->category[j] = pstrdup(cat->dict.text[i]);
				p->f.names[j] = psprintf("%s=%s", col, cat->dict.text[i]);
			}
			else
				p->f.names[j] = psprintf("%s IS NULL", col);
			p->f.conv[j] = CCSEG_CONV_FLOAT8;
			j++;
		}
	}
	/* the columns' transforms and weights, spread over the features */
	if (p->transform != NULL)
	{
		int		   *t = palloc(sizeof(int) * d);
		double	   *lo = palloc(sizeof(double) * d);
		double	   *hi = palloc(sizeof(double) * d);

		for (j = 0; j < d; j++)
		{
			t[j] = j < n_num ? p->transform[j] : CC_TRANSFORM_NONE;
			lo[j] = j < n_num ? p->tq_lo[j] : NAN;
			hi[j] = j < n_num ? p->tq_hi[j] : NAN;
		}
		p->transform = t;
		p->tq_lo = lo;
		p->tq_hi = hi;
	}
	if (p->weights != NULL)
	{
		double	   *w = palloc(sizeof(double) * d);

		for (j = 0; j < n_num; j++)
			w[j] = p->weights[j];
		for (c = 0; c < in.ncat; c++)
		{
			int			count = in.cat[c].dict.n + (in.cat[c].has_null ? 1 : 0);

			for (i = 0; i < count; i++)
				w[j++] = p->weights[n_num + c];
		}
		p->weights = w;
	}
	MemoryContextSwitchTo(old);
	for (j = 0; j < d; j++)
		for (i = 0; i < j; i++)
			if (strcmp(p->f.names[i], p->f.names[j]) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_COLUMN),
						 errmsg("indicator feature \"%s\" has the name of another feature",
								p->f.names[j]),
						 errhint("Rename the column of that name in a view.")));
}

/* Read, impute and scale the features of relid; see prepare.h. */
void
ccseg_prepare(Oid relid, ArrayType *features, const char *id_column,
			  CcImpute impute, CcScale scale, ArrayType *transforms,
			  ArrayType *weights, ArrayType *categorical, int k, uint64 seed,
			  MemoryContext cxt, CcsegPrepared *p)
{
	double		per_row;
	size_t		max_rows;
	int			d;
	instr_time	start;
	bool		distributed;

	memset(p, 0, sizeof(*p));
	p->relname = get_rel_name(relid);
	if (p->relname == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	ccseg_resolve_features(relid, features, id_column, categorical, &p->f);
	d = p->f.d;
	ccseg_resolve_transforms(transforms, p, cxt);
	ccseg_resolve_weights(weights, p, cxt);
	p->impute = impute;
	p->scale = scale;
	p->relid = relid;
	p->order_by = id_column;

	/*
	 * Rows that fit the memory in force (ccseg.max_train_memory, at most its
	 * limit): the matrix itself, and the per-row state of k-means in each of
	 * the threads in force (labels, bounds, seeding).
	 */
	per_row = 8.0 * d + (double) ccseg_threads_in_force() * (8.0 * k + 48.0);
	max_rows = (size_t) Max(2.0, (double) ccseg_max_train_memory_in_force() * 1024.0 / per_row);
	INSTR_TIME_SET_CURRENT(start);
	if (p->f.ncat > 0)
	{
		/* every row in memory, read serially (the dictionaries grow as it reads) */
		if (ccseg_citus_distributed(relid))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("categorical columns are not supported on distributed table \"%s\"",
							p->relname),
					 errhint("Train on a local copy, or on a view that encodes the categories as numeric columns.")));
		distributed = false;
		p->x = ccseg_read_matrix_sample(relid, &p->f, id_column, max_rows, seed,
										cxt, &p->n_read, &p->n_source);
		if (p->n_source > p->n_read)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("categorical columns need every row of relation \"%s\" in memory, but only %zu of its %zu rows fit",
							p->relname, p->n_read, p->n_source),
					 errdetail("Training on a sample refines the centroids over every row, which does not read categorical columns."),
					 ccseg_errhint_memory("train on a view with fewer rows")));
	}
	else
		p->x = ccseg_read_training_rows(relid, &p->f, id_column, max_rows, seed, cxt,
										&p->n_read, &p->n_source, &distributed);
	p->read_seconds = ccseg_seconds_since(start);
	INSTR_TIME_SET_CURRENT(start);
	p->sampled = p->n_source > p->n_read;
	if (p->sampled && distributed && p->n_read < max_rows)
		ereport(NOTICE,
				(errmsg("training on a sample of %zu of the %zu rows of distributed table \"%s\"",
						p->n_read, p->n_source, p->relname),
				 errdetail("The sample is drawn on the Citus workers, and the Lloyd passes over every row run there."),
				 errhint("A distributed table of more than %d rows is trained this way, whatever ccseg.max_train_memory allows.",
						 CCSEG_DISTRIBUTED_SAMPLE_ROWS)));
	else if (p->sampled && distributed)
		ereport(NOTICE,
				(errmsg("training on a sample of %zu of the %zu rows of distributed table \"%s\"",
						p->n_read, p->n_source, p->relname),
				 errdetail("All rows would need more than ccseg.max_train_memory; the sample is drawn on the Citus workers, and the Lloyd passes over every row run there.")));
	else if (distributed)
		ereport(NOTICE,
				(errmsg("training on all %zu rows of distributed table \"%s\", read on the coordinator",
						p->n_read, p->relname)));
	else if (p->sampled && ccseg_max_train_memory_limited())
		ereport(NOTICE,
				(errmsg("training on a sample of %zu of the %zu rows of relation \"%s\"",
						p->n_read, p->n_source, p->relname),
				 errdetail("All rows would need more than ccseg.max_train_memory_limit, which is lower than ccseg.max_train_memory."),
				 errhint("A superuser can raise ccseg.max_train_memory_limit to train on all rows at once.")));
	else if (p->sampled)
		ereport(NOTICE,
				(errmsg("training on a sample of %zu of the %zu rows of relation \"%s\"",
						p->n_read, p->n_source, p->relname),
				 errdetail("All rows would need more than ccseg.max_train_memory."),
				 errhint("Raise ccseg.max_train_memory to train on all rows at once.")));
	if (p->n_read == 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("relation \"%s\" has no rows to train on", p->relname)));
	if (features == NULL)
		ccseg_notice_few_values(relid, &p->f, p->x, p->n_read);
	if (p->f.ncat > 0)
		encode_categories(p, cxt);

	ccseg_prepare_matrix(p, cxt);
	p->preprocess_seconds = ccseg_seconds_since(start);
}

/* The error for a scaled value of feature j above 1e150. */
static void
scaled_too_large(const CcsegPrepared *p, int j)
{
	if (p->relname == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("feature \"%s\" has values too large to compute distances with",
						p->f.names[j]),
				 errdetail("A scaled value exceeds 1e150, so squared distances would overflow.")));
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("feature \"%s\" of relation \"%s\" has values too large to compute distances with",
					p->f.names[j], p->relname),
			 errdetail("A scaled value exceeds 1e150, so squared distances would overflow."),
			 errhint("Use scale => 'standard', or divide the column by a power of ten in a view.")));
}

/*
 * Impute and scale p->x (p->n_read rows of p->f.d features, NaN where
 * missing) in place: fit the imputation and the scaling on it, keep the
 * rows the imputation keeps (p->n), and the means and deviations of the
 * imputed features in original units.  p->relname names the relation the
 * rows came from in messages; without it (ccseg_fit's rows) messages name
 * the features only and a constant feature goes unmentioned.
 */
/* Blocks of CC_MOMENT_ROWS rows in n rows: rows of the first moment sums. */
static size_t
moment_blocks(size_t n)
{
	return (n + CC_MOMENT_ROWS - 1) / CC_MOMENT_ROWS;
}

void
ccseg_prepare_matrix(CcsegPrepared *p, MemoryContext cxt)
{
	CcImpute	impute = p->impute;
	CcScale		scale = p->scale;
	CcAllocator alloc;
	MemoryContext old;
	bool	   *constant;
	bool		scaled = false;
	double	   *sums = NULL;	/* the imputation's first moment sums */
	int			bad;
	int			d = p->f.d,
				j;

	ccseg_allocator_init(&alloc, cxt);
	old = MemoryContextSwitchTo(cxt);
	p->impute_values = palloc(sizeof(double) * d);
	p->center = palloc(sizeof(double) * d);
	p->scale_values = palloc(sizeof(double) * d);
	p->feature_mean = palloc(sizeof(double) * d);
	p->feature_std = palloc(sizeof(double) * d);
	constant = palloc(sizeof(bool) * d);
	MemoryContextSwitchTo(old);

	bad = cc_impute_fit_parallel(p->x, p->n_read, d, impute, p->impute_values,
								 ccseg_threads_in_force(), ccseg_stop_requested,
								 NULL, &alloc);
	if (bad == CC_IMPUTE_FIT_STOPPED)
		ccseg_interrupted("imputation");
	if (bad >= 0 && p->relname == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("feature %d is null in every row", bad + 1)));
	if (bad >= 0)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("column \"%s\" of relation \"%s\" is null in every row",
						p->f.names[bad], p->relname),
				 errhint("Leave it out of features.")));
	/* an indicator is never missing: its value is 0 (NaN for impute = drop) */
	for (j = 0; j < d && p->category_column != NULL; j++)
		if (p->category_column[j] != NULL)
			p->impute_values[j] = impute == CC_IMPUTE_DROP ? NAN : 0.0;
	if (impute == CC_IMPUTE_DROP)
		p->n = cc_impute_apply(p->x, p->n_read, d, impute, p->impute_values);
	else
	{
		if (d <= CC_COLUMN_BLOCK)
			sums = palloc(sizeof(double) * moment_blocks(p->n_read) * d);
		if (!cc_impute_apply_parallel(p->x, p->n_read, d, p->impute_values,
									  ccseg_threads_in_force(),
									  ccseg_stop_requested, NULL, sums))
			ccseg_interrupted("imputation");
		p->n = p->n_read;
	}
	if (p->n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 p->relname ? errmsg("every row of relation \"%s\" has a missing feature value",
									 p->relname) :
				 errmsg("every row has a missing feature value"),
				 errhint("Use another imputation method than drop.")));

	/* feature_std holds the variances first */
	if (sums != NULL ?
		!cc_columns_mean_var_given(p->x, p->n, d, sums, p->feature_mean,
								   p->feature_std, ccseg_threads_in_force(),
								   ccseg_stop_requested, NULL, &alloc) :
		!cc_columns_mean_var_parallel(p->x, p->n, d, p->feature_mean,
									  p->feature_std, ccseg_threads_in_force(),
									  ccseg_stop_requested, NULL, &alloc))
		ccseg_interrupted("scaling");
	if (p->transform == NULL && scale == CC_SCALE_STANDARD)
	{
		/* the standard scaler of these very moments: no other walk */
		cc_scale_fit_standard_moments(p->feature_mean, p->feature_std, p->n,
									  d, p->center, p->scale_values, constant);
		scaled = true;
	}
	for (j = 0; j < d; j++)
		p->feature_std[j] = sqrt(p->feature_std[j]);
	if (p->transform != NULL)
		transform_matrix(p, cxt, &alloc);
	if (!scaled)
		cc_scale_fit(p->x, p->n, d, scale, p->center, p->scale_values,
					 constant, &alloc);
	/* indicators are not scaled (as a OneHotEncoder beside the numeric pipeline) */
	for (j = 0; j < d && p->category_column != NULL; j++)
		if (p->category_column[j] != NULL)
		{
			p->center[j] = 0.0;
			p->scale_values[j] = 1.0;
			constant[j] = false;
		}
	for (j = 0; j < d; j++)
		if (!isfinite(p->feature_mean[j]) || !isfinite(p->feature_std[j]) ||
			!isfinite(p->center[j]) || !isfinite(p->scale_values[j]))
		{
			if (p->relname == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("feature %d has values too large to compute with", j + 1)));
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("feature \"%s\" of relation \"%s\" has values too large to compute with",
							p->f.names[j], p->relname),
					 errdetail("Its mean or spread is out of the range of double precision."),
					 errhint("Divide the column by a power of ten in a view and train on the view.")));
		}
	for (j = 0; j < d; j++)
		if (constant[j] && scale != CC_SCALE_NONE && p->relname != NULL)
			ereport(NOTICE,
					(errmsg("feature \"%s\" has %s of 0; its scale is set to 1",
							p->f.names[j],
							scale == CC_SCALE_ROBUST ? "an interquartile range" :
							scale == CC_SCALE_MINMAX ? "a range" :
							"a standard deviation"),
					 scale == CC_SCALE_ROBUST ? 0 :
					 errdetail("A feature with the same value in every row does not influence the segments.")));
	{
		ptrdiff_t	big;

		/* the scaled rows' first moment sums, for the training's tolerance */
		p->scaled_sums = NULL;
		if (d <= CC_COLUMN_BLOCK)
			p->scaled_sums = MemoryContextAlloc(cxt, sizeof(double) * moment_blocks(p->n) * d);
		if (!cc_scale_rows_parallel(p->x, p->n, d, p->center, p->scale_values,
									p->weights, 1e150, ccseg_threads_in_force(),
									ccseg_stop_requested, NULL, &big,
									p->scaled_sums, &alloc))
			ccseg_interrupted("scaling");
		if (big >= 0)
			scaled_too_large(p, (int) (big % d));
	}
}

/*
 * Error out when k (the argument named what) exceeds the rows p kept: rows
 * of the relation, or of the sample that fits the memory in force.
 */
void
ccseg_check_k_rows(const CcsegPrepared *p, const char *what, int k)
{
	if ((size_t) k <= p->n)
		return;
	if (!p->sampled)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s (%d) is greater than the number of usable rows (%zu)",
						what, k, p->n)));
	if ((size_t) k > p->n_source)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s (%d) is greater than the number of rows (%zu)",
						what, k, p->n_source)));
	ereport(ERROR,
			(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
			 errmsg("%s (%d) is greater than the number of usable rows in the sample that fits in ccseg.max_train_memory (%zu)",
					what, k, p->n),
			 errdetail("Relation \"%s\" has %zu rows, but only a sample of %zu fits in %s for %s = %d.",
					   p->relname, p->n_source, p->n_read,
					   ccseg_memory_in_force_text(), what, k),
			 ccseg_errhint_memory(psprintf("lower %s", what))));
}

/* Error out if a scaled value of x (n rows of p's features) is too large. */
void
ccseg_check_scaled(const CcsegPrepared *p, const double *x, size_t n)
{
	size_t		i;

	for (i = 0; i < n * p->f.d; i++)
		if (fabs(x[i]) > 1e150)
			scaled_too_large(p, (int) (i % p->f.d));
}

/* Copy the preprocessing of p into a model allocated for p's features. */
void
ccseg_prepared_to_model(const CcsegPrepared *p, CcModel *m)
{
	int			j;

	for (j = 0; j < p->f.d; j++)
		m->features[j] = p->f.names[j];
	m->impute = p->impute;
	m->scale = p->scale;
	memcpy(m->impute_values, p->impute_values, sizeof(double) * p->f.d);
	memcpy(m->center, p->center, sizeof(double) * p->f.d);
	memcpy(m->scale_values, p->scale_values, sizeof(double) * p->f.d);
	memcpy(m->feature_mean, p->feature_mean, sizeof(double) * p->f.d);
	memcpy(m->feature_std, p->feature_std, sizeof(double) * p->f.d);
	if (p->transform != NULL)
	{
		memcpy(m->transform, p->transform, sizeof(int) * p->f.d);
		memcpy(m->transform_a, p->transform_a, sizeof(double) * p->f.d);
		memcpy(m->transform_b, p->transform_b, sizeof(double) * p->f.d);
		memcpy(m->transform_mean, p->transform_mean, sizeof(double) * p->f.d);
	}
	if (p->weights != NULL)
		memcpy(m->weights, p->weights, sizeof(double) * p->f.d);
	if (p->category_column != NULL)
		for (j = 0; j < p->f.d; j++)
		{
			m->category_column[j] = p->category_column[j];
			m->category[j] = p->category[j];
		}
	m->rows = (int64_t) p->n;
}
