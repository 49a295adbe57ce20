/*
 * ccseg.h
 *		Declarations shared by the PostgreSQL glue of ccseg.
 *
 * The numeric work lives in src/core (no PostgreSQL headers); these files
 * move data between PostgreSQL and the core, one responsibility each:
 *
 *	ccseg.c		module magic, memory and interrupt adapters, small helpers
 *	options.c	checking the words and numbers of training arguments
 *	reader.c	feature columns of a relation, read into a matrix
 *	prepare.c	reading plus imputation and scaling, for training and elbow
 *	train.c		ccseg_build_model(): k-means and quality on prepared data
 *	elbow.c		ccseg_elbow() and ccseg_silhouette(): choosing k, judging a model
 *	explore.c	ccseg_describe(), ccseg_correlation(), ccseg_histogram()
 *	modeltype.c	the ccseg_model type: text (JSON) and binary forms
 *	catalog.c	looking up stored models, with a per-backend cache
 *	catalog_write.c	writing the catalog on behalf of a caller it checks
 *	predict.c	ccseg_predict() and ccseg_distances(), and the scorer they share
 *	explain.c	ccseg_explain(), ccseg_anomaly_score(), ccseg_project()
 *	profile.c	ccseg_profile(): segments described on the rows of a relation
 */
#ifndef CCSEG_H
#define CCSEG_H

#include "postgres.h"

#include "access/attnum.h"
#include "access/htup.h"
#include "access/tupdesc.h"
#include "fmgr.h"
#include "portability/instr_time.h"
#include "utils/portal.h"
#include "utils/array.h"

#include "kmeans.h"
#include "model.h"

/* ccseg.c */
extern void ccseg_allocator_init(CcAllocator *a, MemoryContext cxt);
extern MemoryContext ccseg_agg_context(FunctionCallInfo fcinfo, const char *fn);
#define CCSEG_MAX_THREADS	64	/* the largest ccseg.threads */
#define CCSEG_MAX_N_INIT	1000	/* the most k-means restarts (n_init) */
extern int	ccseg_threads_in_force(void);
extern int	ccseg_max_train_memory_in_force(void);
extern bool ccseg_max_train_memory_limited(void);
extern char *ccseg_memory_text(int kb);
extern double ccseg_memory_budget(void);
extern char *ccseg_bytes_text(double bytes);
extern char *ccseg_memory_in_force_text(void);
extern int	ccseg_errhint_memory(const char *instead);
extern const char *ccseg_name_for_message(const char *name);
extern void ccseg_check_interrupts(void *arg);
extern bool ccseg_stop_requested(void *arg);
extern void ccseg_interrupted(const char *what) pg_attribute_noreturn();
extern void ccseg_kmeans(const double *x, size_t n, int d, CcKmeansParams *kp,
						 CcKmeansResult *kr, const CcAllocator *alloc);
extern void ccseg_quality(const double *x, size_t n, int d, const int *labels,
						  int k, int64 sample, uint64 seed, CcModel *m,
						  const CcAllocator *alloc);
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
	}
	return ccseg_numeric_to_double(value);
}
extern void ccseg_resolve_features(Oid relid, ArrayType *features,
								   const char *id_column, CcsegFeatures *out);
extern ArrayType *ccseg_model_feature_array(const CcModel *m);

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

/* options.c */
extern void ccseg_require_arg(FunctionCallInfo fcinfo, int argno, const char *name);
extern CcImpute ccseg_impute_arg(FunctionCallInfo fcinfo, int argno);
extern CcScale ccseg_scale_arg(FunctionCallInfo fcinfo, int argno);
extern CcInit ccseg_init_arg(FunctionCallInfo fcinfo, int argno);
extern CcAlgorithm ccseg_algorithm_arg(FunctionCallInfo fcinfo, int argno);
extern void ccseg_kmeans_args(FunctionCallInfo fcinfo, int argno,
							  CcKmeansParams *kp);
extern int64 ccseg_silhouette_sample_arg(FunctionCallInfo fcinfo, int argno);

/* prepare.c: a relation read, imputed and scaled */
typedef struct CcsegPrepared
{
	CcsegFeatures f;
	const char *relname;
	CcImpute	impute;
	CcScale		scale;
	double	   *impute_values;	/* d */
	double	   *center;			/* d */
	double	   *scale_values;	/* d */
	double	   *feature_mean;	/* d: imputed rows, original units */
	double	   *feature_std;	/* d: population */
	double	   *x;				/* n x d, imputed and scaled */
	size_t		n_read;			/* rows read */
	size_t		n;				/* rows kept (impute = drop drops some) */
	size_t		n_source;		/* rows in the relation */
	bool		sampled;		/* x holds a sample of them */
	const char *order_by;		/* id column, or NULL */
	Oid			relid;
	double		read_seconds;	/* reading the rows into x */
	double		preprocess_seconds; /* imputing and scaling them */
} CcsegPrepared;

/* Seconds elapsed since start (INSTR_TIME_SET_CURRENT). */
static inline double
ccseg_seconds_since(instr_time start)
{
	instr_time	now;

	INSTR_TIME_SET_CURRENT(now);
	INSTR_TIME_SUBTRACT(now, start);
	return INSTR_TIME_GET_DOUBLE(now);
}

extern void ccseg_prepare(Oid relid, ArrayType *features, const char *id_column,
						  CcImpute impute, CcScale scale, int k, uint64 seed,
						  MemoryContext cxt, CcsegPrepared *p);
extern void ccseg_check_k_rows(const CcsegPrepared *p, const char *what, int k);
extern void ccseg_check_scaled(const CcsegPrepared *p, const double *x, size_t n);
extern void ccseg_prepared_to_model(const CcsegPrepared *p, CcModel *m);

/*
 * refine.c: when p holds a sample, Lloyd passes over every row of p's
 * relation from kr's centroids, until the squared shift is at most tol or
 * max_iter passes; kr's sizes, sse and inertia then cover every row (*rows
 * of them), and its labels are stale.
 */
extern void ccseg_refine_full(const CcsegPrepared *p, CcKmeansResult *kr, int k,
							  double tol, int max_iter, size_t *rows);

/* pass.c: read the bytes _ccseg_lloyd_pass returns */
struct CcPass;
extern void ccseg_pass_read(bytea *bytes, struct CcPass *p, MemoryContext cxt);

/* modeltype.c */
extern Datum ccseg_model_datum(const CcModel *m);
extern void ccseg_model_parse(struct varlena *value, CcModel *m,
							  MemoryContext cxt);

/* predict.c: per-call-site scoring state, kept in fn_extra */
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
	int		   *by_type;		/* d feature numbers, in those three groups */
	int			n_float8;
	int			n_int4;
} CcsegScorer;

extern CcsegScorer *ccseg_scorer(FunctionCallInfo fcinfo);
extern void ccseg_scorer_load_name(CcsegScorer *st, text *name);
extern void ccseg_scorer_load_value(CcsegScorer *st, struct varlena *value);
extern const char *ccseg_scorer_label(CcsegScorer *st);
extern void ccseg_scorer_read_row(CcsegScorer *st, HeapTupleHeader rec);
extern void ccseg_scorer_read_array(CcsegScorer *st, ArrayType *arr);
extern void ccseg_scorer_read_args(CcsegScorer *st, FunctionCallInfo fcinfo);
extern bool ccseg_scorer_transform(CcsegScorer *st);

/* catalog.c */
extern int	ccseg_lookup_model(const char *name, CcModel *m, MemoryContext cxt);

#endif							/* CCSEG_H */
