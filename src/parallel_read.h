/*
 * parallel_read.h
 *		Reading a plain table's features with parallel workers, the rows
 *		handed over in the order of a serial scan (parallel_read.c).
 */
#ifndef CCSEG_PARALLEL_READ_H
#define CCSEG_PARALLEL_READ_H

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

#endif							/* CCSEG_PARALLEL_READ_H */
