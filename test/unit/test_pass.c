/*
 * test_pass.c
 *		Unit tests of pass.c: the Lloyd pass statistics CcPass.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "kmeans.h"
#include "matrix.h"
#include "pass.h"

/*
 * CcPass: the labels, counts and (to rounding) sums of cc_kmeans_accumulate;
 * any split merged gives the same bits; the flat form round-trips and is
 * checked when read back.
 */
static void
test_pass(void)
{
	enum
	{
		n = 3000, d = 5, k = 4
	};
	TRand		r;
	double	   *x = dalloc((size_t) n * d);
	double		cent[k * d],
				ct[k * d],
				dist[k];
	double		ref_sums[k * d],
				ref_sse[k],
				sums[k * d],
				sse[k],
				sums2[k * d],
				sse2[k];
	int64_t		ref_counts[k],
				counts[k],
				counts2[k];
	int			ref_labels[n];
	CcPass		all,
				parts[3],
				back;
	size_t		i;
	int			c;
	bool		labels_same = true,
				close = true;
	char	   *flat;
	size_t		flat_len = cc_pass_flat_size(k, d);

	set_ctx("pass");
	tr_seed(&r, 5150);
	for (i = 0; i < (size_t) n * d; i++)
		x[i] = tr_normal(&r) + (double) (i % 3);
	for (i = 0; i < (size_t) k * d; i++)
		cent[i] = tr_normal(&r);
	cc_transpose(cent, k, d, ct);
	memset(ref_sums, 0, sizeof(ref_sums));
	memset(ref_counts, 0, sizeof(ref_counts));
	memset(ref_sse, 0, sizeof(ref_sse));
	cc_kmeans_accumulate(x, n, d, cent, k, ref_sums, ref_counts, ref_sse, ref_labels);

	cc_pass_init(&all, k, d, A);
	for (i = 0; i < 3; i++)
		cc_pass_init(&parts[i], k, d, A);
	for (i = 0; i < n; i++)
	{
		if (cc_pass_add(&all, x + i * d, ct, dist) != ref_labels[i])
			labels_same = false;
		cc_pass_add(&parts[tr_next(&r) % 3], x + i * d, ct, dist);
	}
	CHECK(labels_same);
	CHECK(all.rows == n);
	cc_pass_result(&all, sums, counts, sse);
	for (c = 0; c < k; c++)
	{
		int			j;

		if (counts[c] != ref_counts[c] || fabs(sse[c] - ref_sse[c]) > 1e-10 * ref_sse[c])
			close = false;
		for (j = 0; j < d; j++)
			if (fabs(sums[c * d + j] - ref_sums[c * d + j]) > 1e-10 * (fabs(ref_sums[c * d + j]) + 1.0))
				close = false;
	}
	CHECK(close);

	/* three parts merged: the same bits */
	cc_pass_merge(&parts[1], &parts[2]);
	cc_pass_merge(&parts[0], &parts[1]);
	cc_pass_result(&parts[0], sums2, counts2, sse2);
	CHECK(parts[0].rows == n);
	CHECK(memcmp(sums, sums2, sizeof(sums)) == 0 && memcmp(sse, sse2, sizeof(sse)) == 0 &&
		  memcmp(counts, counts2, sizeof(counts)) == 0);

	/* the flat form */
	set_ctx("pass flat form");
	flat = malloc(flat_len);
	cc_pass_flatten(&parts[0], flat);
	CHECK(cc_pass_unflatten(flat, flat_len, &back, A) == NULL);
	cc_pass_result(&back, sums2, counts2, sse2);
	CHECK(back.rows == n && memcmp(sums, sums2, sizeof(sums)) == 0 &&
		  memcmp(sse, sse2, sizeof(sse)) == 0 && memcmp(counts, counts2, sizeof(counts)) == 0);
	cc_pass_release(&back, A);
	CHECK(cc_pass_unflatten(flat, flat_len - 1, &back, A) != NULL);
	cc_pass_release(&back, A);
	{
		int64_t		v;
		size_t		at;

		/* a count that no longer adds up to the rows */
		at = 24;
		memcpy(&v, flat + at, sizeof(v));
		v++;
		memcpy(flat + at, &v, sizeof(v));
		CHECK(cc_pass_unflatten(flat, flat_len, &back, A) != NULL);
		cc_pass_release(&back, A);
		v--;
		memcpy(flat + at, &v, sizeof(v));
		/* a limb outside its digit range */
		at = 24 + sizeof(int64_t) * k;
		v = -1;
		memcpy(flat + at, &v, sizeof(v));
		CHECK(cc_pass_unflatten(flat, flat_len, &back, A) != NULL);
		cc_pass_release(&back, A);
		/* another magic */
		flat[0] ^= 1;
		CHECK(cc_pass_unflatten(flat, flat_len, &back, A) != NULL);
		cc_pass_release(&back, A);
	}
	free(flat);
	cc_pass_release(&all, A);
	for (i = 0; i < 3; i++)
		cc_pass_release(&parts[i], A);
	free(x);
}

/* The tests of this file; the order numbers place them in a full run. */
static const UnitTest tests[] = {
	UNIT_TEST(pass, 310),
};

const UnitModule pass_module = {"pass", tests, lengthof(tests)};
