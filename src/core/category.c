/*
 * category.c
 *		One-hot encoding of categorical columns (see category.h).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "category.h"

#define NSLOTS	256				/* > 2 * CC_MAX_CATEGORIES: probes stay short */

void
cc_category_init(CcCategoryDict *dict, int max, const CcAllocator *alloc)
{
	memset(dict, 0, sizeof(*dict));
	if (max < 1 || max > CC_MAX_CATEGORIES)
		max = CC_MAX_CATEGORIES;
	dict->max = max;
	dict->alloc = alloc;
	dict->text = cc_alloc_array(alloc, (size_t) max, sizeof(char *));
	dict->len = cc_alloc_array(alloc, (size_t) max, sizeof(size_t));
}

void
cc_category_free(CcCategoryDict *dict)
{
	int			i;

	for (i = 0; i < dict->n; i++)
		cc_release(dict->alloc, dict->text[i]);
	cc_release(dict->alloc, dict->text);
	cc_release(dict->alloc, dict->len);
	memset(dict, 0, sizeof(*dict));
}

/* FNV-1a of the bytes. */
static uint32_t
hash_bytes(const char *s, size_t len)
{
	uint32_t	h = 2166136261u;
	size_t		i;

	for (i = 0; i < len; i++)
	{
		h ^= (unsigned char) s[i];
		h *= 16777619u;
	}
	return h;
}

double
cc_category_code(CcCategoryDict *dict, const char *s, size_t len)
{
	uint32_t	h = hash_bytes(s, len) % NSLOTS;
	char	   *copy;

	for (;;)
	{
		int			c = dict->slots[h] - 1;

		if (c < 0)
			break;
		if (dict->len[c] == len && memcmp(dict->text[c], s, len) == 0)
			return (double) c;
		h = (h + 1) % NSLOTS;
	}
	if (dict->frozen)
		return CC_CATEGORY_UNKNOWN;
	if (dict->n >= dict->max || len > CC_MAX_CATEGORY_BYTES)
		return -2.0;
	copy = cc_alloc_array(dict->alloc, len + 1, 1);
	memcpy(copy, s, len);
	copy[len] = '\0';
	dict->text[dict->n] = copy;
	dict->len[dict->n] = len;
	dict->slots[h] = ++dict->n;
	return (double) (dict->n - 1);
}

/*
 * A plain decimal: optional '-', digits, optionally '.' and digits.  Sets
 * the integer digits without leading zeros and the fraction digits without
 * trailing zeros.
 */
static bool
parse_decimal(const char *s, bool *neg, const char **ip, size_t *il,
			  const char **fp, size_t *fl)
{
	const char *p = s;
	const char *dot;

	*neg = (*p == '-');
	if (*p == '-' || *p == '+')
		p++;
	if (!(*p >= '0' && *p <= '9'))
		return false;
	while (*p == '0' && p[1] >= '0' && p[1] <= '9')
		p++;
	*ip = p;
	while (*p >= '0' && *p <= '9')
		p++;
	*il = (size_t) (p - *ip);
	*fp = p;
	*fl = 0;
	if (*p == '.')
	{
		dot = ++p;
		while (*p >= '0' && *p <= '9')
			p++;
		*fp = dot;
		*fl = (size_t) (p - dot);
		while (*fl > 0 && dot[*fl - 1] == '0')
			(*fl)--;
	}
	if (*p != '\0')
		return false;
	if (*il == 1 && **ip == '0' && *fl == 0)
		*neg = false;			/* -0 is 0 */
	return true;
}

/* Compare the magnitudes of two plain decimals. */
static int
compare_magnitude(const char *ia, size_t la, const char *fa, size_t fla,
				  const char *ib, size_t lb, const char *fb, size_t flb)
{
	int			r;
	size_t		i;

	if (la != lb)
		return la < lb ? -1 : 1;
	r = memcmp(ia, ib, la);
	if (r != 0)
		return r < 0 ? -1 : 1;
	for (i = 0; i < fla || i < flb; i++)
	{
		char		a = i < fla ? fa[i] : '0';
		char		b = i < flb ? fb[i] : '0';

		if (a != b)
			return a < b ? -1 : 1;
	}
	return 0;
}

/* The value of a number's text form: NaN sorts after everything. */
static double
text_value(const char *s)
{
	char	   *end;
	double		v;

	if (strcmp(s, "Infinity") == 0)
		return HUGE_VAL;
	if (strcmp(s, "-Infinity") == 0)
		return -HUGE_VAL;
	v = strtod(s, &end);
	return (*end == '\0' && end != s) ? v : NAN;
}

int
cc_category_compare(const char *a, const char *b, bool numeric)
{
	int			r;

	if (numeric)
	{
		bool		na,
					nb;
		const char *ia,
				   *fa,
				   *ib,
				   *fb;
		size_t		la,
					fla,
					lb,
					flb;

		if (parse_decimal(a, &na, &ia, &la, &fa, &fla) &&
			parse_decimal(b, &nb, &ib, &lb, &fb, &flb))
		{
			if (na != nb)
				return na ? -1 : 1;
			r = compare_magnitude(ia, la, fa, fla, ib, lb, fb, flb);
			if (r != 0)
				return na ? -r : r;
		}
		else
		{
			double		va = text_value(a),
						vb = text_value(b);

			if (isnan(va) != isnan(vb))
				return isnan(va) ? 1 : -1;
			if (va != vb && !isnan(va))
				return va < vb ? -1 : 1;
		}
	}
	r = strcmp(a, b);
	return r < 0 ? -1 : r > 0 ? 1 : 0;
}

void
cc_category_sort(CcCategoryDict *dict, bool numeric, int *remap)
{
	int			n = dict->n,
				i,
				j;
	int		   *order = cc_alloc_array(dict->alloc, (size_t) n > 0 ? (size_t) n : 1, sizeof(int));
	char	  **text = cc_alloc_array(dict->alloc, (size_t) n > 0 ? (size_t) n : 1, sizeof(char *));
	size_t	   *len = cc_alloc_array(dict->alloc, (size_t) n > 0 ? (size_t) n : 1, sizeof(size_t));

	/* insertion sort: at most CC_MAX_CATEGORIES entries */
	for (i = 0; i < n; i++)
	{
		for (j = i; j > 0 &&
			 cc_category_compare(dict->text[order[j - 1]], dict->text[i], numeric) > 0; j--)
			order[j] = order[j - 1];
		order[j] = i;
	}
	for (i = 0; i < n; i++)
	{
		remap[order[i]] = i;
		text[i] = dict->text[order[i]];
		len[i] = dict->len[order[i]];
	}
	memcpy(dict->text, text, sizeof(char *) * n);
	memcpy(dict->len, len, sizeof(size_t) * n);
	for (i = 0; i < NSLOTS; i++)
		if (dict->slots[i] > 0)
			dict->slots[i] = remap[dict->slots[i] - 1] + 1;
	cc_release(dict->alloc, order);
	cc_release(dict->alloc, text);
	cc_release(dict->alloc, len);
}

bool
cc_category_remap(double *x, size_t n, int d, int col, const int *remap)
{
	size_t		i;
	bool		any_null = false;

	for (i = 0; i < n; i++)
	{
		double	   *v = &x[i * d + col];

		if (isnan(*v))
			any_null = true;
		else if (*v >= 0)
			*v = (double) remap[(int) *v];
	}
	return any_null;
}

int
cc_onehot_width(int n_num, int ncat, const int *nvalues, const bool *has_null)
{
	int			w = n_num,
				c;

	for (c = 0; c < ncat; c++)
		w += nvalues[c] + (has_null[c] ? 1 : 0);
	return w;
}

void
cc_onehot_expand(const double *in, size_t n, int n_num, int ncat,
				 const int *nvalues, const bool *has_null, double *out)
{
	int			d_in = n_num + ncat;
	int			d_out = cc_onehot_width(n_num, ncat, nvalues, has_null);
	size_t		i;
	int			c;

	for (i = 0; i < n; i++)
	{
		const double *r = in + i * d_in;
		double	   *o = out + i * d_out;
		int			pos = n_num;

		memcpy(o, r, sizeof(double) * n_num);
		memset(o + n_num, 0, sizeof(double) * (d_out - n_num));
		for (c = 0; c < ncat; c++)
		{
			double		code = r[n_num + c];

			if (isnan(code))
			{
				if (has_null[c])
					o[pos + nvalues[c]] = 1.0;
			}
			else if (code >= 0 && code < nvalues[c])
				o[pos + (int) code] = 1.0;
			pos += nvalues[c] + (has_null[c] ? 1 : 0);
		}
	}
}

int
cc_onehot_fill(char *const *cats, int count, const char *value, double *out)
{
	int			i,
				match = -1;

	for (i = 0; i < count; i++)
	{
		bool		hit = value == NULL ? cats[i] == NULL :
			(cats[i] != NULL && strcmp(cats[i], value) == 0);

		out[i] = hit ? 1.0 : 0.0;
		if (hit && match < 0)
			match = i;
	}
	return match;
}
