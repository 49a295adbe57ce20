/*
 * explore.c
 *		Exploratory statistics of a relation's numeric columns, before any
 *		model: ccseg_describe(), ccseg_correlation(), ccseg_histogram().
 */
#include "postgres.h"

#include <math.h>

#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "ccseg.h"
#include "options.h"
#include "reader.h"

#include "stats.h"

PG_FUNCTION_INFO_V1(ccseg_describe);
PG_FUNCTION_INFO_V1(ccseg_correlation);
PG_FUNCTION_INFO_V1(ccseg_histogram);

/*
 * Read the requested features (all numeric columns when NULL) of argument
 * 0 for the function what, which needs extra_per_row bytes per row besides
 * them: within the memory in force (ccseg.max_train_memory), else an error.
 */
static double *
read_source(FunctionCallInfo fcinfo, ArrayType *features, const char *what,
			double extra_per_row, CcsegFeatures *f, MemoryContext cxt,
			size_t *n)
{
	Oid			relid;

	ccseg_require_arg(fcinfo, 0, "source");
	relid = PG_GETARG_OID(0);
	ccseg_resolve_features(relid, features, NULL, NULL, f);
	return ccseg_read_matrix_within(relid, f, NULL, extra_per_row, what, cxt, n);
}

static Datum
float_or_null(double v, bool *isnull)
{
	*isnull = isnan(v);
	return Float8GetDatum(v);
}

/* ccseg_describe(source, features): one row of statistics per column. */
Datum
ccseg_describe(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext,
											  "ccseg describe",
											  ALLOCSET_DEFAULT_SIZES);
	CcAllocator alloc;
	CcsegFeatures f;
	double	   *x;
	size_t		n;
	int			j;

	ccseg_allocator_init(&alloc, cxt);
	/* each column is copied out on its own for the quantiles */
	x = read_source(fcinfo, PG_ARGISNULL(1) ? NULL : PG_GETARG_ARRAYTYPE_P(1),
					"ccseg_describe", 8.0, &f, cxt, &n);
	InitMaterializedSRF(fcinfo, 0);
	for (j = 0; j < f.d; j++)
	{
		CcColumnStats s;
		Datum		values[13];
		bool		nulls[13] = {false};

		CHECK_FOR_INTERRUPTS();
		cc_describe_column(x, n, f.d, j, &s, &alloc);
		values[0] = CStringGetTextDatum(f.names[j]);
		values[1] = Int64GetDatum(s.count);
		values[2] = Int64GetDatum(s.missing);
		values[3] = float_or_null(s.mean, &nulls[3]);
		values[4] = float_or_null(s.std, &nulls[4]);
		values[5] = float_or_null(s.min, &nulls[5]);
		values[6] = float_or_null(s.p25, &nulls[6]);
		values[7] = float_or_null(s.median, &nulls[7]);
		values[8] = float_or_null(s.p75, &nulls[8]);
		values[9] = float_or_null(s.max, &nulls[9]);
		values[10] = float_or_null(s.skewness, &nulls[10]);
		values[11] = Int64GetDatum(s.outliers);
		nulls[11] = (s.count == 0);
		values[12] = Int32GetDatum(j + 1);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	MemoryContextDelete(cxt);
	return (Datum) 0;
}

/* ccseg_correlation(source, features): Pearson r of every ordered pair. */
Datum
ccseg_correlation(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext,
											  "ccseg correlation",
											  ALLOCSET_DEFAULT_SIZES);
	CcsegFeatures f;
	double	   *x;
	double	   *r;
	int64_t    *pairs;
	size_t		n;
	int			a,
				b;

	x = read_source(fcinfo, PG_ARGISNULL(1) ? NULL : PG_GETARG_ARRAYTYPE_P(1),
					"ccseg_correlation", 0.0, &f, cxt, &n);
	r = MemoryContextAlloc(cxt, sizeof(double) * f.d * f.d);
	pairs = MemoryContextAlloc(cxt, sizeof(int64_t) * f.d * f.d);
	for (a = 0; a < f.d; a++)
		for (b = a; b < f.d; b++)
		{
			CHECK_FOR_INTERRUPTS();
			r[a * f.d + b] = cc_pearson(x, n, f.d, a, b, &pairs[a * f.d + b]);
			/* a column with itself: 1 unless constant, as pandas */
			r[b * f.d + a] = r[a * f.d + b];
			pairs[b * f.d + a] = pairs[a * f.d + b];
		}
	InitMaterializedSRF(fcinfo, 0);
	for (a = 0; a < f.d; a++)
		for (b = 0; b < f.d; b++)
		{
			Datum		values[4];
			bool		nulls[4] = {false};

			values[0] = CStringGetTextDatum(f.names[a]);
			values[1] = CStringGetTextDatum(f.names[b]);
			values[2] = float_or_null(r[a * f.d + b], &nulls[2]);
			values[3] = Int64GetDatum(pairs[a * f.d + b]);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
	MemoryContextDelete(cxt);
	return (Datum) 0;
}

/*
 * ccseg_histogram(source, feature, bins [, scale]): buckets and counts.
 * With scale 'linear' (the default) the buckets have equal widths from the
 * minimum to the maximum; with 'log1p' they have equal widths in log(1 + x),
 * so that a skewed money column's many small values and few large ones
 * each get buckets.  A value falls in the bucket whose bounds hold it in
 * either case; log1p refuses values at or below -1, where it is undefined.
 */
Datum
ccseg_histogram(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext cxt;
	CcsegFeatures f;
	Datum		one;
	double	   *x;
	double	   *edges;
	int64_t    *counts;
	size_t		n;
	size_t		i;
	int			bins,
				b;
	bool		log1p_scale = false;
	double		lo = INFINITY,
				hi = -INFINITY;

	ccseg_require_arg(fcinfo, 1, "feature");
	ccseg_require_arg(fcinfo, 2, "bins");
	bins = PG_GETARG_INT32(2);
	if (bins < 1 || bins > 10000)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("bins must be between 1 and 10000")));
	if (PG_NARGS() > 3)
	{
		char	   *scale;

		ccseg_require_arg(fcinfo, 3, "scale");
		scale = text_to_cstring(PG_GETARG_TEXT_PP(3));
		if (strcmp(scale, "log1p") == 0)
			log1p_scale = true;
		else if (strcmp(scale, "linear") != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown histogram scale \"%s\"", scale),
					 errhint("Valid scales are \"linear\" and \"log1p\".")));
	}
	cxt = AllocSetContextCreate(CurrentMemoryContext, "ccseg histogram",
								ALLOCSET_DEFAULT_SIZES);
	one = PG_GETARG_DATUM(1);
	x = read_source(fcinfo, construct_array(&one, 1, TEXTOID, -1, false,
											TYPALIGN_INT),
					"ccseg_histogram", 0.0, &f, cxt, &n);
	if (log1p_scale)
	{
		/* bucket log(1 + x); the outer bounds stay the exact extremes */
		for (i = 0; i < n; i++)
		{
			if (isnan(x[i]))
				continue;
			if (!(x[i] > -1.0))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("feature \"%s\" has the value %g, at or below -1, where log1p is undefined",
								f.names[0], x[i]),
						 errhint("Use scale => 'linear' for this column.")));
			lo = Min(lo, x[i]);
			hi = Max(hi, x[i]);
			x[i] = log1p(x[i]);
		}
	}
	edges = MemoryContextAlloc(cxt, sizeof(double) * (bins + 1));
	counts = MemoryContextAlloc(cxt, sizeof(int64_t) * bins);
	InitMaterializedSRF(fcinfo, 0);
	if (cc_histogram(x, n, 1, 0, bins, edges, counts) > 0)
	{
		if (log1p_scale)
		{
			for (b = 1; b < bins; b++)
				edges[b] = expm1(edges[b]);
			edges[0] = lo;
			edges[bins] = hi;
		}
		for (b = 0; b < bins; b++)
		{
			Datum		values[4];
			bool		nulls[4] = {false};
			int			c = 0;

			values[c++] = Int32GetDatum(b + 1);
			values[c++] = Float8GetDatum(edges[b]);
			values[c++] = Float8GetDatum(edges[b + 1]);
			values[c++] = Int64GetDatum(counts[b]);
			Assert(c == lengthof(values));
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
	}
	MemoryContextDelete(cxt);
	return (Datum) 0;
}
