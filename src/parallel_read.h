/*
 * parallel_read.h
 *		Reading a plain table's features with parallel workers, the rows
 *		handed over in the order of a serial scan, or a Lloyd pass over
 *		them computed by the workers (parallel_read.c).
 */
#ifndef CCSEG_PARALLEL_READ_H
#define CCSEG_PARALLEL_READ_H

#include "pass.h"
#include "reader.h"

/*
 * Called by the leader for each row, in the order of a serial scan from the
 * first block: row holds the d features (NULL as NaN; never NaN or infinity
 * otherwise).  Returns false to stop the read.
 */
typedef bool (*CcsegRowFn) (void *arg, const double *row);

/*
 * Called by the leader, in the same order, for a row with a NaN or an
 * infinite value in feature column (instead of the row function); the read
 * stops after it.
 */
typedef void (*CcsegBadFn) (void *arg, int column);

/* What ccseg_parallel_read did. */
typedef enum CcsegParallelRead
{
	CCSEG_PR_NOT_READ,			/* nothing: not a table to read so, or no
								 * worker started */
	CCSEG_PR_READ,				/* every row, in order */
	CCSEG_PR_NOT_IN_ORDER		/* some rows, then a row out of id order:
								 * what row_fn got is to be thrown away */
} CcsegParallelRead;

/*
 * With id_column (else NULL), the rows must come in the order of that
 * column, as ORDER BY id_column sorts them (its type's default btree
 * comparison and its collation); a table stored in that order is read by
 * the workers, ids compared as they go, and any other stops at the first
 * row out of order.
 */
extern CcsegParallelRead ccseg_parallel_read(Oid relid, const CcsegFeatures *f,
											 const char *id_column,
											 CcsegRowFn row_fn,
											 CcsegBadFn bad_fn, void *arg);

/*
 * A Lloyd pass of model (a ccseg_model value with f's features) over every
 * row of relid, shared between parallel workers and the backend, into *out:
 * the bits of the pass aggregate.  false, having read nothing, when the
 * table is not one to read so or no worker starts.
 */
extern bool ccseg_parallel_pass(Oid relid, const CcsegFeatures *f,
								struct varlena *model, CcPass *out);

#endif							/* CCSEG_PARALLEL_READ_H */
