/*
 * ccseg.h
 *		Module-wide declarations of the PostgreSQL glue of ccseg (ccseg.c):
 *		the settings in force, the memory, interrupt and thread adapters
 *		between PostgreSQL and the core, and small helpers.
 *
 * The numeric work lives in src/core (no PostgreSQL headers); the files of
 * src move data between PostgreSQL and the core, one job each.  Each
 * subsystem has a header, and each file includes the headers it uses:
 *
 *	ccseg.h			module-wide: settings, adapters, helpers (ccseg.c)
 *	options.h		words and numbers of the training arguments (options.c)
 *	reader.h		feature columns of a relation and reading them into a
 *					matrix (reader.c)
 *	prepare.h		reading plus imputation and scaling (prepare.c)
 *	pipeline.h		training a prepared matrix: k-means, quality, the model
 *					(pipeline.c)
 *	refine.h		Lloyd passes over every row of a sampled training
 *					(refine.c, lloyd_pass.c)
 *	modeltype.h		model values: the ccseg_model type (modeltype.c)
 *	catalog.h		stored models: lookup and cache (catalog.c)
 *	scorer.h		scoring rows with a model, per call site (predict.c)
 *
 * The files:
 *
 *	ccseg.c			module magic, settings, memory and interrupt adapters,
 *					small helpers
 *	options.c		checking the words and numbers of training arguments;
 *					_ccseg_train_defaults()
 *	reader.c		feature columns of a relation, read into a matrix
 *	prepare.c		reading plus imputation and scaling, for training, the
 *					elbow and ccseg_fit
 *	pipeline.c		training a prepared matrix, for ccseg_build_model(),
 *					ccseg_elbow() and ccseg_fit(), with the defaults of
 *					core/defaults.h
 *	train.c			ccseg_build_model(): its arguments, prepare, pipeline
 *	refine.c		full-data Lloyd passes for a model trained on a sample
 *	lloyd_pass.c	_ccseg_lloyd_pass(): one such pass as a parallel aggregate
 *	elbow.c			ccseg_elbow() and ccseg_silhouette(): choosing k, judging
 *					a model
 *	explore.c		ccseg_describe(), ccseg_correlation(), ccseg_histogram()
 *	modeltype.c		the ccseg_model type: text (JSON) and binary forms
 *	catalog.c		looking up stored models, with a per-backend cache
 *	catalog_write.c	writing the catalog on behalf of a caller it checks
 *	predict.c		the scorer, ccseg_predict() and ccseg_distances()
 *	support.c		planner support: ccseg_predict() on a table's columns
 *	row_insight.c	ccseg_explain(), ccseg_anomaly_score(), ccseg_project()
 *	profile.c		ccseg_profile(): segments described on the rows of a
 *					relation
 *	aggregate.c		ccseg_fit(): k-means as an aggregate (its rows then
 *					prepare.c and pipeline.c)
 *	generate.c		ccseg_generate_customers(): synthetic card holders
 */
#ifndef CCSEG_H
#define CCSEG_H

#include "fmgr.h"
#include "portability/instr_time.h"
#include "utils/array.h"

#include "alloc.h"
#include "kmeans.h"
#include "model.h"

#define CCSEG_MAX_THREADS	64	/* the largest ccseg.threads */
#define CCSEG_MAX_N_INIT	1000	/* the most k-means restarts (n_init) */

/* the settings in force, after their limits */
extern int	ccseg_threads_in_force(void);
extern int	ccseg_max_train_memory_in_force(void);
extern bool ccseg_max_train_memory_limited(void);
extern double ccseg_memory_budget(void);

/* sizes and the memory in force, for messages */
extern char *ccseg_memory_text(int kb);
extern char *ccseg_bytes_text(double bytes);
extern char *ccseg_memory_in_force_text(void);
extern int	ccseg_errhint_memory(const char *instead);

/* memory, interrupts and threads for the core */
extern void ccseg_allocator_init(CcAllocator *a, MemoryContext cxt);
extern MemoryContext ccseg_agg_context(FunctionCallInfo fcinfo, const char *fn);
extern void ccseg_check_interrupts(void *arg);
extern bool ccseg_stop_requested(void *arg);
extern void ccseg_interrupted(const char *what) pg_attribute_noreturn();
extern void ccseg_kmeans(const double *x, size_t n, int d, CcKmeansParams *kp,
						 CcKmeansResult *kr, const CcAllocator *alloc);

/* small helpers */
extern const char *ccseg_name_for_message(const char *name);
extern char *ccseg_text_arg(FunctionCallInfo fcinfo, int argno, const char *name);
extern Oid	ccseg_extension_schema(void);
extern ArrayType *ccseg_float8_array(const double *values, int n);
extern ArrayType *ccseg_float8_matrix(const double *values, int rows, int cols);

/* Seconds elapsed since start (INSTR_TIME_SET_CURRENT). */
static inline double
ccseg_seconds_since(instr_time start)
{
	instr_time	now;

	INSTR_TIME_SET_CURRENT(now);
	INSTR_TIME_SUBTRACT(now, start);
	return INSTR_TIME_GET_DOUBLE(now);
}

#endif							/* CCSEG_H */
