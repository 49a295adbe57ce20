/*
 * pass.c
 *		Mergeable statistics of one Lloyd pass; see pass.h.
 */
#include "pass.h"

#include <string.h>

#include "matrix.h"

#define PASS_MAGIC	0x63635041	/* "ccPA" */

/* flat form: header, counts, then the limbs of every sum and error */
typedef struct PassHeader
{
	int32_t		magic;
	int32_t		k;
	int32_t		d;
	int32_t		reserved;
	int64_t		rows;
} PassHeader;

void
cc_pass_init(CcPass *p, int k, int d, const CcAllocator *alloc)
{
	size_t		i;

	p->k = k;
	p->d = d;
	p->rows = 0;
	p->counts = cc_alloc_array(alloc, k, sizeof(int64_t));
	p->sums = cc_alloc_array(alloc, (size_t) k * d, sizeof(CcXsum));
	p->sse = cc_alloc_array(alloc, k, sizeof(CcXsum));
	for (i = 0; i < (size_t) k; i++)
	{
		p->counts[i] = 0;
		cc_xsum_init(&p->sse[i]);
	}
	for (i = 0; i < (size_t) k * d; i++)
		cc_xsum_init(&p->sums[i]);
}

void
cc_pass_release(CcPass *p, const CcAllocator *alloc)
{
	cc_release(alloc, p->counts);
	cc_release(alloc, p->sums);
	cc_release(alloc, p->sse);
	p->counts = NULL;
	p->sums = p->sse = NULL;
}

/*
 * Cloned for SIMD as the k-means loop is (cc_common.h): the distances are
 * most of a pass's work, and the same bits in either clone.
 */
CC_SIMD_CLONES int
cc_pass_add(CcPass *p, const double *z, const double *ct, double *dist)
{
	int			c,
				best = 0,
				j;
	CcXsum	   *acc;

	cc_sqdist_many(z, ct, p->k, p->d, dist);
	for (c = 1; c < p->k; c++)
		if (dist[c] < dist[best])
			best = c;
	acc = p->sums + (size_t) best * p->d;
	for (j = 0; j < p->d; j++)
		cc_xsum_add(&acc[j], z[j]);
	cc_xsum_add(&p->sse[best], dist[best]);
	p->counts[best]++;
	p->rows++;
	return best;
}

void
cc_pass_merge(CcPass *into, const CcPass *from)
{
	size_t		i;

	for (i = 0; i < (size_t) into->k; i++)
	{
		into->counts[i] += from->counts[i];
		cc_xsum_merge(&into->sse[i], &from->sse[i]);
	}
	for (i = 0; i < (size_t) into->k * into->d; i++)
		cc_xsum_merge(&into->sums[i], &from->sums[i]);
	into->rows += from->rows;
}

void
cc_pass_result(const CcPass *p, double *sums, int64_t *counts, double *sse)
{
	size_t		i;

	for (i = 0; i < (size_t) p->k; i++)
	{
		counts[i] = p->counts[i];
		sse[i] = cc_xsum_value(&p->sse[i]);
	}
	for (i = 0; i < (size_t) p->k * p->d; i++)
		sums[i] = cc_xsum_value(&p->sums[i]);
}

size_t
cc_pass_flat_size(int k, int d)
{
	return sizeof(PassHeader) + sizeof(int64_t) * (size_t) k +
		sizeof(int64_t) * CC_XSUM_LIMBS * ((size_t) k * d + k);
}

/* Limbs of one sum, carried first so that the flat form is canonical. */
static char *
put_sum(char *out, const CcXsum *s)
{
	CcXsum		t = *s;

	cc_xsum_carry(&t);
	memcpy(out, t.limb, sizeof(t.limb));
	return out + sizeof(t.limb);
}

void
cc_pass_flatten(const CcPass *p, void *out)
{
	PassHeader	h;
	char	   *o = out;
	size_t		i;

	h.magic = PASS_MAGIC;
	h.k = p->k;
	h.d = p->d;
	h.reserved = 0;
	h.rows = p->rows;
	memcpy(o, &h, sizeof(h));
	o += sizeof(h);
	memcpy(o, p->counts, sizeof(int64_t) * p->k);
	o += sizeof(int64_t) * p->k;
	for (i = 0; i < (size_t) p->k * p->d; i++)
		o = put_sum(o, &p->sums[i]);
	for (i = 0; i < (size_t) p->k; i++)
		o = put_sum(o, &p->sse[i]);
}

const char *
cc_pass_unflatten(const void *buf, size_t len, CcPass *p, const CcAllocator *alloc)
{
	PassHeader	h;
	const char *b = buf;
	size_t		i;
	int64_t		total = 0;

	/* cc_pass_release is safe on p whatever this returns */
	p->counts = NULL;
	p->sums = p->sse = NULL;
	if (len < sizeof(h))
		return "too short";
	memcpy(&h, b, sizeof(h));
	if (h.magic != PASS_MAGIC || h.reserved != 0)
		return "not a pass";
	if (h.k < 1 || h.d < 1 || (int64_t) h.k * ((int64_t) h.d + 1) > CC_PASS_MAX_CELLS)
		return "k or d out of range";
	if (len != cc_pass_flat_size(h.k, h.d))
		return "length does not match k and d";
	cc_pass_init(p, h.k, h.d, alloc);
	p->rows = h.rows;
	b += sizeof(h);
	memcpy(p->counts, b, sizeof(int64_t) * h.k);
	b += sizeof(int64_t) * h.k;
	for (i = 0; i < (size_t) h.k; i++)
	{
		if (p->counts[i] < 0 || p->counts[i] > INT64_MAX - total)
			return "negative count";
		total += p->counts[i];
	}
	if (total != h.rows)
		return "counts do not add up to the rows";
	for (i = 0; i < (size_t) h.k * h.d; i++)
	{
		memcpy(p->sums[i].limb, b, sizeof(p->sums[i].limb));
		b += sizeof(p->sums[i].limb);
		if (!cc_xsum_is_canonical(&p->sums[i]))
			return "a sum is not in canonical form";
	}
	for (i = 0; i < (size_t) h.k; i++)
	{
		memcpy(p->sse[i].limb, b, sizeof(p->sse[i].limb));
		b += sizeof(p->sse[i].limb);
		if (!cc_xsum_is_canonical(&p->sse[i]))
			return "an error sum is not in canonical form";
	}
	return NULL;
}
