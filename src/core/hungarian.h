/*
 * hungarian.h
 *		Minimum-cost assignment between the rows and columns of a cost
 *		matrix, used to keep segment numbers stable across retrainings.
 */
#ifndef CC_HUNGARIAN_H
#define CC_HUNGARIAN_H

#include <stdbool.h>

#include "alloc.h"
#include "cc_common.h"

/*
 * Assign each of the rows to a distinct column (or each column to a
 * distinct row when there are fewer columns) so that the total cost is
 * smallest: the Hungarian method (H. W. Kuhn, "The Hungarian method for the
 * assignment problem", 1955) with potentials, O(n^2 m).  cost is rows x cols,
 * finite.  row_to_col[i] gets the column of row i, or -1 when rows > cols
 * and row i is left out.  check, when not NULL, is called with arg once
 * per step of the search for an augmenting path, each O(max(rows, cols))
 * work (the caller's query cancel); it may not return, and then what was
 * allocated is the allocator's to release.
 */
extern void cc_hungarian(const double *cost, int rows, int cols, int *row_to_col,
						 const CcAllocator *alloc, CcCheckFn check, void *arg);

#endif							/* CC_HUNGARIAN_H */
