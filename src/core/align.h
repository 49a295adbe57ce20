/*
 * align.h
 *		Keep segment numbers stable across retrainings: match a new model's
 *		centroids to the previous version's and renumber to agree.
 */
#ifndef CC_ALIGN_H
#define CC_ALIGN_H

#include <stdbool.h>
#include <stddef.h>

#include "kmeans.h"
#include "model.h"
#include "parallel.h"

/*
 * Renumber the clusters of res (k clusters, rows x imputed and mapped by
 * fm) after the segments of prev, which must have the same features in
 * the same order.  New and previous centroids are compared in the new
 * scaled space; the pairing of smallest total squared distance (Hungarian
 * method) gives each new cluster the number of its partner.  With fewer
 * previous segments, the unmatched new clusters take the numbers after
 * them, largest first; with more, partners numbered below k keep their
 * numbers and the other clusters take the free ones.  drift[s] gets the distance between segment s's new
 * and previous centroid (NaN when unmatched); *changed_share the share of
 * rows whose segment number differs between prev and the renumbered
 * result, prev scoring the rows as they were imputed for training; on
 * many rows the scoring is shared by up to threads threads (the same
 * share).  check, when not NULL, is called with arg from every loop run by
 * the calling thread (building the k x prev->k cost matrix, the matching,
 * the rows when not in threads); it may not return.  poll (may be NULL) is
 * asked with arg while threads run; returns false when it asked to stop
 * (*changed_share is then void).
 */
#define CC_ALIGN_THREADED_ROWS 131072	/* from these many rows, in threads */

extern bool cc_align_to_previous(const CcModel *prev, const double *x, size_t n,
								 int d, const CcFeatureMap *fm,
								 CcKmeansResult *res, int k, double *drift,
								 double *changed_share, int threads,
								 const CcAllocator *alloc, CcCheckFn check,
								 CcPollFn poll, void *arg);

/*
 * The most bytes cc_align_to_previous holds at once for k new and k_prev
 * previous segments of d features with up to threads threads, beyond its
 * arguments: the k x k_prev cost matrix and its smaller companions.
 */
extern double cc_align_bytes(int k, int k_prev, int d, int threads);

#endif							/* CC_ALIGN_H */
