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

extern bool ccseg_parallel_read(Oid relid, const CcsegFeatures *f,
								CcsegRowFn row_fn, CcsegBadFn bad_fn, void *arg);

/*
 * A Lloyd pass of model (a ccseg_model value with f's features) over every
 * row of relid, shared between parallel workers and the backend, into *out:
 * the bits of the pass aggregate.  false, having read nothing, when the
 * table is not one to read so or no worker starts.
 */
extern bool ccseg_parallel_pass(Oid relid, const CcsegFeatures *f,
								struct varlena *model, CcPass *out);

#endif							/* CCSEG_PARALLEL_READ_H */
