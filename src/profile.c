/*
 * profile.c
 *		ccseg_profile(): each segment described feature by feature on the
 *		rows of a relation (the model's source, or any relation with the
 *		model's features), each row placed in its segment as scoring would.
 *
 * Means and medians are over the values present, in original units, like
 * avg() and percentile_cont(0.5) in a GROUP BY over the predicted segment;
 * missing values are imputed only to place the row in a segment.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "modeltype.h"
#include "options.h"
#include "reader.h"

#include "matrix.h"
#include "model.h"

PG_FUNCTION_INFO_V1(ccseg_model_profile);

/*
 * ccseg_model_profile(source, model, order_by): per segment and feature: rows, mean,
 * median, the overall mean, lift (mean over overall mean) and z (difference
 * over the overall population standard deviation).
 */
Datum
ccseg_model_profile(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			relid;
	char	   *order_by;
	MemoryContext cxt;
	CcModel		m;
	double	   *x;
	double	   *z;
	int		   *labels;
	int64	   *seg_rows;
	double	   *buf;
	size_t		n_read,
				i;
	int			c,
				j;

	ccseg_require_arg(fcinfo, 0, "source");
	ccseg_require_arg(fcinfo, 1, "model");
	relid = PG_GETARG_OID(0);
	order_by = (PG_NARGS() > 2 && !PG_ARGISNULL(2)) ?
		text_to_cstring(PG_GETARG_TEXT_PP(2)) : NULL;
	cxt = AllocSetContextCreate(CurrentMemoryContext, "ccseg profile",
								ALLOCSET_DEFAULT_SIZES);
	ccseg_model_parse(PG_GETARG_VARLENA_P(1), &m, cxt);
	/* per row: the features, a label and a place in the column buffer */
	x = ccseg_read_model_rows_within(relid, &m, order_by, sizeof(int) + sizeof(double),
									  "ccseg_profile", cxt, &n_read);

	z = MemoryContextAlloc(cxt, sizeof(double) * m.d);
	labels = MemoryContextAllocHuge(cxt, sizeof(int) * Max(n_read, 1));
	seg_rows = MemoryContextAllocZero(cxt, sizeof(int64) * m.k);
	buf = MemoryContextAllocHuge(cxt, sizeof(double) * Max(n_read, 1));
	for (i = 0; i < n_read; i++)
	{
		labels[i] = ccseg_model_transform_row(&m, x + i * m.d, z, "the model") ?
			cc_model_assign(&m, z, NULL) : -1;
		if (labels[i] >= 0)
			seg_rows[labels[i]]++;
		if ((i & 16383) == 0)
			CHECK_FOR_INTERRUPTS();
	}

	InitMaterializedSRF(fcinfo, 0);
	for (j = 0; j < m.d; j++)
	{
		double		all_mean,
					all_var;
		size_t		all_n = 0;

		CHECK_FOR_INTERRUPTS();
		/* overall, over the rows placed in a segment */
		for (i = 0; i < n_read; i++)
			if (labels[i] >= 0 && !isnan(x[i * m.d + j]))
				buf[all_n++] = x[i * m.d + j];
		if (all_n > 0)
			cc_column_mean_var(buf, all_n, 1, 0, &all_mean, &all_var);
		else
			all_mean = all_var = NAN;

		for (c = 0; c < m.k; c++)
		{
			Datum		values[9];
			bool		nulls[9] = {false};
			size_t		cn = 0;
			double		mean = NAN,
						var,
						median = NAN;

			for (i = 0; i < n_read; i++)
				if (labels[i] == c && !isnan(x[i * m.d + j]))
					buf[cn++] = x[i * m.d + j];
			if (cn > 0)
			{
				cc_column_mean_var(buf, cn, 1, 0, &mean, &var);
				median = cc_quantile(buf, cn, 0.5);
			}
			values[0] = Int32GetDatum(c + 1);
			values[1] = CStringGetTextDatum(m.features[j]);
			values[2] = Int64GetDatum(seg_rows[c]);
			values[3] = Float8GetDatum(mean);
			nulls[3] = isnan(mean);
			values[4] = Float8GetDatum(median);
			nulls[4] = isnan(median);
			values[5] = Float8GetDatum(all_mean);
			nulls[5] = isnan(all_mean);
			values[6] = Float8GetDatum(mean / all_mean);
			nulls[6] = isnan(mean) || isnan(all_mean) || all_mean == 0.0;
			values[7] = Float8GetDatum((mean - all_mean) / sqrt(all_var));
			nulls[7] = isnan(mean) || isnan(all_mean) || !(all_var > 0.0);
			values[8] = Int32GetDatum(j + 1);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
	}
	MemoryContextDelete(cxt);
	return (Datum) 0;
}
