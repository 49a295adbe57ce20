/*
 * align.c
 *		Matching a retrained model's segments to the previous version's.
 */
#include <math.h>
#include <string.h>

#include "align.h"
#include "hungarian.h"
#include "matrix.h"

/* What the parts of the count of changed rows share (align_part). */
typedef struct AlignParts
{
	const CcModel *prev;
	const double *x;
	size_t		n;
	int			d;
	const CcFeatureMap *fm;
	const int  *labels;
	const double *ct;			/* prev's centroids transposed */
	int			parts;
	double	   *scratch;		/* per part: raw, z (d each), distances (prev->k) */
	size_t	   *changed;		/* per part */
} AlignParts;

/* doubles of a part's scratch */
static size_t
part_scratch(int d, int k_prev)
{
	return 2 * (size_t) d + (size_t) k_prev;
}

/*
 * Rows [lo, hi) scored by the previous model, from their imputed original
 * values, as ccseg_predict scores them (cc_model_assign_t): how many it
 * puts in another segment than labels says, or cannot score.  scratch: a
 * part's (part_scratch).
 */
static size_t
count_changed(const AlignParts *ap, size_t lo, size_t hi, double *scratch)
{
	double	   *raw = scratch;
	double	   *z = scratch + ap->d;
	double	   *dist = scratch + 2 * ap->d;
	size_t		changed = 0;
	size_t		i;

	for (i = lo; i < hi; i++)
	{
		cc_map_inverse(ap->fm, ap->x + i * ap->d, raw);
		if (!cc_model_transform(ap->prev, raw, z) ||
			cc_model_assign_t(ap->prev, ap->ct, z, dist) != ap->labels[i])
			changed++;
	}
	return changed;
}

static void
align_part(void *arg, int part)
{
	const AlignParts *ap = arg;
	size_t		lo = ap->n * part / ap->parts;
	size_t		hi = ap->n * (part + 1) / ap->parts;
	double	   *scratch = ap->scratch + (size_t) part * part_scratch(ap->d, ap->prev->k);

	ap->changed[part] = count_changed(ap, lo, hi, scratch);
}

/* Renumber res after prev's segments; see align.h. */
bool
cc_align_to_previous(const CcModel *prev, const double *x, size_t n, int d,
					 const CcFeatureMap *fm,
					 CcKmeansResult *res, int k, double *drift,
					 double *changed_share, int threads,
					 const CcAllocator *alloc, CcCheckFn check, CcPollFn poll,
					 void *arg)
{
	int			kp = prev->k;
	double	   *old = cc_alloc_array(alloc, (size_t) kp * d, sizeof(double));
	double	   *cost = cc_alloc_array(alloc, (size_t) k * kp, sizeof(double));
	int		   *match = cc_alloc_array(alloc, k, sizeof(int));
	int		   *renumber = cc_alloc_array(alloc, k, sizeof(int));
	double	   *ct = cc_alloc_array(alloc, (size_t) kp * d, sizeof(double));
	AlignParts	ap;
	int			next = 0;
	bool		done = true;
	size_t		i,
				changed = 0;
	int			c,
				c2,
				j;

	/*
	 * previous centroids, in original units, mapped the new way (a value
	 * outside the domain of a new transform maps to NaN, far from all)
	 */
	for (c = 0; c < kp; c++)
	{
		cc_model_centroid_original(prev, c, old + (size_t) c * d);
		(void) cc_map_forward(fm, old + (size_t) c * d, old + (size_t) c * d);
		for (j = 0; j < d; j++)
			if (isnan(old[(size_t) c * d + j]))
				old[(size_t) c * d + j] = 1e150;
	}
	for (c = 0; c < k; c++)
	{
		if (check)
			check(arg);
		for (c2 = 0; c2 < kp; c2++)
			cost[(size_t) c * kp + c2] = cc_sqdist(res->centroids + (size_t) c * d,
												   old + (size_t) c2 * d, d);
	}
	cc_hungarian(cost, k, kp, match, alloc, check, arg);

	if (k <= kp)
	{
		/*
		 * Every new cluster has a partner.  Partners numbered below k keep
		 * their number; the others take the free numbers, in the order of
		 * their partners' numbers.
		 */
		bool	   *taken = cc_alloc_array(alloc, k, sizeof(bool));

		for (c = 0; c < k; c++)
			taken[c] = false;
		for (c = 0; c < k; c++)
		{
			renumber[c] = match[c] < k ? match[c] : -1;
			if (renumber[c] >= 0)
				taken[renumber[c]] = true;
		}
		for (c2 = 0; c2 < kp; c2++)
		{
			if (check)
				check(arg);
			for (c = 0; c < k; c++)
				if (match[c] == c2 && renumber[c] < 0)
				{
					while (taken[next])
						next++;
					renumber[c] = next;
					taken[next] = true;
				}
		}
		cc_release(alloc, taken);
	}
	else
	{
		/* partners keep their numbers; the rest follow, largest first */
		for (c = 0; c < k; c++)
			renumber[c] = match[c];
		next = kp;
		for (c = 0; c < k; c++)		/* clusters are in decreasing size */
			if (match[c] < 0)
				renumber[c] = next++;
	}
	for (c = 0; c < k; c++)
		drift[renumber[c]] = match[c] >= 0 ?
			sqrt(cost[(size_t) c * kp + match[c]]) : NAN;
	cc_kmeans_renumber(res, n, k, d, renumber, alloc);

	/*
	 * rows scored by the previous model, from their imputed original values:
	 * in parts shared by threads on many rows (a count: the same whatever
	 * the split), else here, 256 rows between two checks
	 */
	ap.prev = prev;
	ap.x = x;
	ap.n = n;
	ap.d = d;
	ap.fm = fm;
	ap.labels = res->labels;
	ap.parts = threads > 1 && n >= CC_ALIGN_THREADED_ROWS ? threads : 1;
	ap.scratch = cc_alloc_array(alloc, (size_t) ap.parts * part_scratch(d, kp),
								sizeof(double));
	ap.changed = cc_alloc_array(alloc, ap.parts, sizeof(size_t));
	ap.ct = ct;
	cc_model_transpose(prev, ct);
	if (ap.parts > 1)
	{
		int			p;

		done = cc_run_parts(align_part, &ap, ap.parts, threads, poll, arg);
		for (p = 0; p < ap.parts; p++)
			changed += ap.changed[p];
	}
	else
		for (i = 0; i < n; i += 256)
		{
			/* each row is O(prev->k x d) work */
			if (check)
				check(arg);
			changed += count_changed(&ap, i, n - i < 256 ? n : i + 256,
									 ap.scratch);
		}
	*changed_share = n > 0 ? (double) changed / (double) n : 0.0;

	cc_release(alloc, old);
	cc_release(alloc, cost);
	cc_release(alloc, match);
	cc_release(alloc, renumber);
	cc_release(alloc, ap.scratch);
	cc_release(alloc, ap.changed);
	cc_release(alloc, ct);
	return done;
}

/* Bytes cc_align_to_previous holds at once; see align.h. */
double
cc_align_bytes(int k, int k_prev, int d, int threads)
{
	double		small = k < k_prev ? k : k_prev;
	double		large = k < k_prev ? k_prev : k;

	return 8.0 * k * k_prev		/* cost */
		+ 8.0 * k_prev * d		/* previous centroids, scaled the new way */
		+ 9.0 * k				/* match, renumber, taken */
		+ 8.0 * k_prev * d		/* previous centroids transposed */
		+ (16.0 * d + 8.0 * k_prev + 8.0) * (threads > 1 ? threads : 1)	/* per part */
		+ 12.0 * (small + 1) + 25.0 * (large + 1)	/* the matching */
		+ 8.0 * k * d + 16.0 * k;	/* renumbering the result */
}
