/*
 * scorer.h
 *		Scoring rows with a model (predict.c): the state kept per call site
 *		in fn_extra, loading the model, reading a row's feature values, and
 *		imputing and scaling them.  ccseg_predict and ccseg_distances
 *		(predict.c) and the row insight functions (row_insight.c) share it.
 */
#ifndef CCSEG_SCORER_H
#define CCSEG_SCORER_H

#include "access/htup.h"
#include "access/tupdesc.h"
#include "fmgr.h"
#include "utils/array.h"

#include "model.h"
#include "reader.h"

typedef struct CcsegScorer
{
	MemoryContext model_cxt;	/* the loaded model; reset on reload */
	bool		loaded;
	char	   *name;			/* model name, when loaded by name */
	Size		name_len;		/* strlen(name) */
	bool		name_stable;	/* the name argument is a constant or a
								 * parameter: the same on every row */
	struct varlena *value;		/* model value, when given as ccseg_model */
	CcModel		model;
	double	   *raw;			/* d: feature values of the current row */
	double	   *z;				/* d: the same, imputed and scaled */
	double	   *dist;			/* k */
	double	   *ct;				/* d x k: the centroids transposed */
	/* row input: mapping of features to columns, per row type */
	Oid			rowtype;
	int32		rowtypmod;
	TupleDesc	desc;
	int		   *column;			/* d: 0-based column of each feature */
	CcsegConv  *conv;			/* d */
	Datum	   *values;			/* natts */
	bool	   *nulls;			/* natts */
	/* column-list input (_ccseg_predict_columns): argument of each feature */
	int		   *argpos;			/* d, or NULL until mapped */
	CcsegConv  *argconv;		/* d */
	/* the features by argument type, for read_args: float8, integer, other */
	int		   *by_type;		/* the numeric features, in those three groups */
	int			n_float8;
	int			n_int4;
	int			n_by_type;
	/* the model's categorical columns, each one group of indicators */
	int			ngroups;
	struct CcsegCatGroup *groups;	/* ngroups, or NULL until mapped */
} CcsegScorer;

/*
 * A categorical column of the model: its indicators are features first ..
 * first + count - 1; its value is read from a column (row input) or an
 * argument (column-list input) and matched by its text form.
 */
typedef struct CcsegCatGroup
{
	int			first;
	int			count;
	int			pos;			/* column (0-based) or argument number */
	Oid			type;			/* of the column or argument */
	FmgrInfo	out;			/* its output function */
} CcsegCatGroup;

extern CcsegScorer *ccseg_scorer(FunctionCallInfo fcinfo);
extern void ccseg_scorer_load_name(CcsegScorer *st, text *name);
extern void ccseg_scorer_load_value(CcsegScorer *st, struct varlena *value);
extern const char *ccseg_scorer_label(CcsegScorer *st);
extern void ccseg_scorer_read_row(CcsegScorer *st, HeapTupleHeader rec);
extern void ccseg_scorer_read_array(CcsegScorer *st, ArrayType *arr);
extern void ccseg_scorer_read_args(CcsegScorer *st, FunctionCallInfo fcinfo);
extern bool ccseg_scorer_transform(CcsegScorer *st);

#endif							/* CCSEG_SCORER_H */
