/*
 * reader.h
 *		Reading relations into matrices of doubles: how a column's values
 *		become doubles, which columns are the features, and scans of them
 *		(reader.c).
 */
#ifndef CCSEG_READER_H
#define CCSEG_READER_H

#include "access/tupdesc.h"
#include "fmgr.h"
#include "utils/float.h"
#include "utils/array.h"
#include "utils/portal.h"

#include "category.h"
#include "model.h"

/* how a column's values become doubles */
typedef enum CcsegConv
{
	CCSEG_CONV_FLOAT8,
	CCSEG_CONV_FLOAT4,
	CCSEG_CONV_INT2,
	CCSEG_CONV_INT4,
	CCSEG_CONV_INT8,
	CCSEG_CONV_NUMERIC,
	CCSEG_CONV_CATEGORY			/* a categorical column: its category's code
								 * (ccseg_category_code), never through
								 * ccseg_datum_to_double */
} CcsegConv;

/*
 * A categorical column as it is read: the text forms of its values (the
 * type's output function) looked up in a dictionary of categories, which
 * grows while training reads and is frozen to a model's categories when
 * rows are read for a model.
 */
typedef struct CcsegCategorical
{
	CcCategoryDict dict;
	CcAllocator alloc;			/* of the dictionary */
	FmgrInfo	out;			/* the column type's output function */
	Oid			type;
	bool		numeric;		/* categories in numeric order */
	bool		has_null;		/* NULL is a category (after the others) */
	MemoryContext tmp;			/* the output function's text, reset now and then */
	uint32		calls;
} CcsegCategorical;

/*
 * The feature columns of a relation: d columns, of which the last ncat are
 * categorical (conv CCSEG_CONV_CATEGORY, described by cat[0..ncat-1]) and
 * read as category codes (category.h).
 */
typedef struct CcsegFeatures
{
	int			d;
	char	  **names;
	CcsegConv  *conv;
	int			ncat;
	CcsegCategorical *cat;
} CcsegFeatures;

extern bool ccseg_conv_for_type(Oid type, CcsegConv *conv);
extern double ccseg_numeric_to_double(Datum value);

/* Convert a non-null datum of a numeric type to double (inline: per value). */
static inline double
ccseg_datum_to_double(Datum value, CcsegConv conv)
{
	switch (conv)
	{
		case CCSEG_CONV_FLOAT8:
			return DatumGetFloat8(value);
		case CCSEG_CONV_FLOAT4:
			return (double) DatumGetFloat4(value);
		case CCSEG_CONV_INT2:
			return (double) DatumGetInt16(value);
		case CCSEG_CONV_INT4:
			return (double) DatumGetInt32(value);
		case CCSEG_CONV_INT8:
			return (double) DatumGetInt64(value);
		case CCSEG_CONV_NUMERIC:
			break;
		case CCSEG_CONV_CATEGORY:
			return get_float8_nan();	/* read by ccseg_category_code instead */
	}
	return ccseg_numeric_to_double(value);
}

extern double ccseg_category_code(const CcsegFeatures *f, int j, Datum value);
extern int	ccseg_find_column(TupleDesc desc, const char *name);
extern char *ccseg_column_hint(TupleDesc desc, const char *name, int skip,
							   const char *relname);
extern void ccseg_resolve_features(Oid relid, ArrayType *features,
								   const char *id_column, ArrayType *categorical,
								   CcsegFeatures *out);
extern ArrayType *ccseg_model_feature_array(const CcModel *m);
extern void ccseg_resolve_model_features(Oid relid, const CcModel *m,
										 const char *order_by, CcsegFeatures *out);
extern void ccseg_categories_finish(Oid relid, const CcsegFeatures *f,
									double *x, size_t n);
extern double *ccseg_expand_categories(const CcsegFeatures *f, const double *x,
									   size_t n, MemoryContext cxt, int *d_out);
extern void ccseg_notice_few_values(Oid relid, const CcsegFeatures *f,
									const double *x, size_t n);

/* a streaming read of a relation's features, batch by batch */
typedef struct CcsegScan
{
	Oid			relid;
	const CcsegFeatures *f;
	Portal		portal;
	struct SPITupleTable *batch;
	uint64		batch_rows;
	uint64		batch_pos;
	int			skip;			/* columns before the features (the id) */
	Datum	   *values;			/* skip + d: the current row, deformed at once */
	bool	   *nulls;			/* skip + d */
} CcsegScan;

extern void ccseg_scan_begin(CcsegScan *scan, Oid relid, const CcsegFeatures *f,
							 const char *order_by);
extern size_t ccseg_scan_next(CcsegScan *scan, double *out, size_t max);
extern void ccseg_scan_end(CcsegScan *scan);
extern double *ccseg_read_matrix_sample(Oid relid, const CcsegFeatures *f,
										const char *order_by, size_t max_rows,
										uint64 seed, MemoryContext cxt,
										size_t *n_out, size_t *total);
extern double *ccseg_read_matrix_within(Oid relid, const CcsegFeatures *f,
										const char *order_by,
										double extra_per_row, const char *what,
										MemoryContext cxt, size_t *n_out);
extern double *ccseg_read_model_rows_within(Oid relid, const CcModel *m,
											const char *order_by,
											double extra_per_row, const char *what,
											MemoryContext cxt, size_t *n_out);

#endif							/* CCSEG_READER_H */
