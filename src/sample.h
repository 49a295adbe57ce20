/*
 * sample.h
 *		Which rows training reads: all, or a sample chosen by a seeded hash
 *		of each row's values and drawn where the rows are (sample.c).
 */
#ifndef CCSEG_SAMPLE_H
#define CCSEG_SAMPLE_H

#include "reader.h"

/* A Citus distributed table with more rows than this is trained on a sample. */
#define CCSEG_DISTRIBUTED_SAMPLE_ROWS 100000

extern bool ccseg_citus_distributed(Oid relid);

/*
 * The features of relid as a row-major matrix in cxt (NULL as NaN): every
 * row, in order_by order when given, when there are at most max_rows (at
 * most CCSEG_DISTRIBUTED_SAMPLE_ROWS for a Citus distributed table), else
 * the sample of that many rows with the smallest keys for seed, in key
 * order.  *n_out rows are returned of *total in the relation; *distributed
 * says whether the relation is a Citus distributed table.
 */
extern double *ccseg_read_training_rows(Oid relid, const CcsegFeatures *f,
										const char *order_by, size_t max_rows,
										uint64 seed, MemoryContext cxt,
										size_t *n_out, size_t *total,
										bool *distributed);

#endif							/* CCSEG_SAMPLE_H */
