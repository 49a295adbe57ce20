/*
 * row_insight.c
 *		Per-row insight into an assignment: which features drive it
 *		(ccseg_explain), how typical the row is of its segment
 *		(ccseg_anomaly_score), where it lies on the principal axes
 *		(ccseg_project).  All use the scorer (scorer.h).
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/float.h"

#include "ccseg.h"
#include "scorer.h"

#include "model.h"

PG_FUNCTION_INFO_V1(ccseg_explain_row);
PG_FUNCTION_INFO_V1(ccseg_anomaly_score_row);
PG_FUNCTION_INFO_V1(ccseg_project_row);

typedef struct Contribution
{
	int			feature;
	double		value;
} Contribution;

static int
by_contribution_desc(const void *a, const void *b)
{
	const Contribution *x = a,
			   *y = b;

	if (x->value != y->value)
		return x->value < y->value ? 1 : -1;
	return x->feature - y->feature;
}

/* Load the model named by argument 0 and read the row in argument 1; false when it cannot be scored. */
static bool
load_and_read(FunctionCallInfo fcinfo, CcsegScorer **out)
{
	CcsegScorer *st = ccseg_scorer(fcinfo);

	ccseg_scorer_load_name(st, PG_GETARG_TEXT_PP(0));
	ccseg_scorer_read_row(st, PG_GETARG_HEAPTUPLEHEADER(1));
	*out = st;
	return ccseg_scorer_transform(st);
}

/*
 * ccseg_explain(model, row, top): the features that most make the row
 * belong to its segment rather than to the next nearest one, with their
 * share of the difference in squared distance (the idea of Oracle's
 * CLUSTER_DETAILS).  A one-segment model compares with the training mean.
 */
Datum
ccseg_explain_row(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	CcsegScorer *st;
	CcModel    *m;
	Contribution *parts;
	double	   *contrib;
	double	   *orig;
	double		total = 0.0;
	int			top,
				a,
				b = -1,
				c,
				j;

	top = PG_GETARG_INT32(2);
	if (top < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("top must be at least 1")));
	InitMaterializedSRF(fcinfo, 0);
	if (!load_and_read(fcinfo, &st))
		return (Datum) 0;
	m = &st->model;
	a = cc_model_assign(m, st->z, st->dist);
	for (c = 0; c < m->k; c++)
		if (c != a && (b < 0 || st->dist[c] < st->dist[b]))
			b = c;

	contrib = palloc(sizeof(double) * m->d);
	if (b >= 0)
		cc_model_contributions(m, st->z, a, b, contrib);
	else
	{
		/* one segment: against the mean of the training rows */
		for (j = 0; j < m->d; j++)
		{
			double		t = cc_model_scaled_mean(m, j);
			double		ta = st->z[j] - m->centroids[j];

			contrib[j] = (st->z[j] - t) * (st->z[j] - t) - ta * ta;
		}
	}
	parts = palloc(sizeof(Contribution) * m->d);
	for (j = 0; j < m->d; j++)
	{
		parts[j].feature = j;
		parts[j].value = contrib[j];
		total += contrib[j];
	}
	qsort(parts, m->d, sizeof(Contribution), by_contribution_desc);
	orig = palloc(sizeof(double) * m->d);
	cc_model_centroid_original(m, a, orig);

	for (j = 0; j < Min(top, m->d); j++)
	{
		int			f = parts[j].feature;
		Datum		values[8];
		bool		nulls[8] = {false};
		double		raw = isnan(st->raw[f]) ? m->impute_values[f] : st->raw[f];

		values[0] = Int32GetDatum(j + 1);
		values[1] = CStringGetTextDatum(m->features[f]);
		values[2] = Float8GetDatum(raw);
		values[3] = Float8GetDatum(orig[f]);
		values[4] = Float8GetDatum(parts[j].value);
		values[5] = Float8GetDatum(total > 0.0 ? parts[j].value / total : 0.0);
		values[6] = Int32GetDatum(a + 1);
		values[7] = Int32GetDatum(b + 1);
		nulls[7] = (b < 0);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * ccseg_anomaly_score(model, row): distance to the assigned centroid over
 * that segment's radius (root mean squared distance of its training rows),
 * BigQuery ML's normalized distance.  Around 1 is typical; well above 1,
 * the row fits its segment poorly.
 */
Datum
ccseg_anomaly_score_row(PG_FUNCTION_ARGS)
{
	CcsegScorer *st;
	CcModel    *m;
	double		dist,
				radius;
	int			a;

	if (!load_and_read(fcinfo, &st))
		PG_RETURN_NULL();
	m = &st->model;
	a = cc_model_assign(m, st->z, st->dist);
	dist = sqrt(st->dist[a]);
	if (m->sizes[a] == 0)
		PG_RETURN_NULL();
	radius = sqrt(m->sse[a] / (double) m->sizes[a]);
	if (radius == 0.0)
		PG_RETURN_FLOAT8(dist == 0.0 ? 0.0 : get_float8_infinity());
	PG_RETURN_FLOAT8(dist / radius);
}

/* ccseg_project(model, row): coordinates on the first two principal axes. */
Datum
ccseg_project_row(PG_FUNCTION_ARGS)
{
	CcsegScorer *st;
	double		xy[2];

	if (!load_and_read(fcinfo, &st))
		PG_RETURN_NULL();
	if (st->model.d < 2 || !cc_model_project(&st->model, st->z, 2, xy))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s has no two principal axes", ccseg_scorer_label(st)),
				 errdetail("PCA needs between 2 and %d features.", CC_PCA_MAX_FEATURES)));
	PG_RETURN_ARRAYTYPE_P(ccseg_float8_array(xy, 2));
}
