/*
 * ccseg.h
 *		Declarations shared by the PostgreSQL glue of ccseg.
 *
 * The numeric work lives in src/core (no PostgreSQL headers); these files
 * move data between PostgreSQL and the core, one responsibility each:
 *
 *	ccseg.c		module magic, memory and interrupt adapters, small helpers
 *	reader.c	feature columns of a relation, read into a matrix
 *	train.c		ccseg_build_model(): preprocessing and k-means
 *	modeltype.c	the ccseg_model type: text (JSON) and binary forms
 *	catalog.c	looking up stored models, with a per-backend cache
 *	predict.c	ccseg_predict() and ccseg_distances()
 */
#ifndef CCSEG_H
#define CCSEG_H

#include "postgres.h"

#include "access/attnum.h"
#include "fmgr.h"
#include "utils/array.h"

#include "model.h"

/* ccseg.c */
extern void ccseg_allocator_init(CcAllocator *a, MemoryContext cxt);
extern void ccseg_check_interrupts(void *arg);
extern char *ccseg_text_arg(FunctionCallInfo fcinfo, int argno, const char *name);
extern Oid	ccseg_extension_schema(void);
extern ArrayType *ccseg_float8_array(const double *values, int n);
extern ArrayType *ccseg_float8_matrix(const double *values, int rows, int cols);

/* reader.c: how a column's values become doubles */
typedef enum CcsegConv
{
	CCSEG_CONV_FLOAT8,
	CCSEG_CONV_FLOAT4,
	CCSEG_CONV_INT2,
	CCSEG_CONV_INT4,
	CCSEG_CONV_INT8,
	CCSEG_CONV_NUMERIC
} CcsegConv;

typedef struct CcsegFeatures
{
	int			d;
	char	  **names;
	CcsegConv  *conv;
} CcsegFeatures;

extern bool ccseg_conv_for_type(Oid type, CcsegConv *conv);
extern double ccseg_datum_to_double(Datum value, CcsegConv conv);
extern void ccseg_resolve_features(Oid relid, ArrayType *features,
								   const char *id_column, CcsegFeatures *out);
extern double *ccseg_read_matrix(Oid relid, const CcsegFeatures *f,
								 const char *order_by, MemoryContext cxt,
								 size_t *n_out);

/* modeltype.c */
extern Datum ccseg_model_datum(const CcModel *m);
extern void ccseg_model_parse(struct varlena *value, CcModel *m,
							  MemoryContext cxt);

/* catalog.c */
extern int	ccseg_lookup_model(const char *name, CcModel *m, MemoryContext cxt);

#endif							/* CCSEG_H */
