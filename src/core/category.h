/*
 * category.h
 *		One-hot encoding of categorical columns: the categories of a column
 *		as seen while reading (a dictionary of their text forms), their
 *		order, and the 0/1 indicator features built from category codes.
 *
 * A categorical column is read as one code per row: the category's index
 * in its dictionary, NaN for SQL NULL, CC_CATEGORY_UNKNOWN for a value that
 * is not one of the categories of a model.  cc_onehot_expand turns those
 * codes into indicator columns.  At scoring, a row whose value is not a
 * category of the model (and NULL when NULL was not one) has every
 * indicator of the column 0, as scikit-learn's OneHotEncoder with
 * handle_unknown='ignore'.
 */
#ifndef CC_CATEGORY_H
#define CC_CATEGORY_H

#include <stdbool.h>
#include <stddef.h>

#include "alloc.h"

#define CC_MAX_CATEGORIES		100 /* per column, the NULL category included */
#define CC_MAX_CATEGORY_BYTES	200 /* of a category's text form */
#define CC_CATEGORY_UNKNOWN		(-1.0)	/* the code of a value not in a model */

/* The distinct text forms of one column's values, in order of arrival. */
typedef struct CcCategoryDict
{
	int			n;				/* categories */
	int			max;			/* at most this many (<= CC_MAX_CATEGORIES) */
	bool		frozen;			/* lookups only: a new value is unknown */
	char	  **text;			/* n strings */
	size_t	   *len;			/* n lengths */
	int			slots[256];		/* open addressing: category + 1, 0 = free */
	const CcAllocator *alloc;
} CcCategoryDict;

extern void cc_category_init(CcCategoryDict *dict, int max, const CcAllocator *alloc);
extern void cc_category_free(CcCategoryDict *dict);

/*
 * The code of the value s (len bytes): its index, adding it unless the
 * dictionary is frozen.  Returns CC_CATEGORY_UNKNOWN for a new value of a
 * frozen dictionary, and -2 when the value would be category max + 1, or
 * is longer than CC_MAX_CATEGORY_BYTES.
 */
extern double cc_category_code(CcCategoryDict *dict, const char *s, size_t len);

/*
 * Compare two text forms as categories are ordered: as decimal numbers when
 * numeric (exactly for plain decimals such as "-12", "3.50"; other forms
 * such as "1e+20" by their double value, then bytewise), else bytewise
 * (strcmp: for UTF-8 the order of Python's sort of str).
 */
extern int	cc_category_compare(const char *a, const char *b, bool numeric);

/*
 * Sort the categories of dict in place (cc_category_compare order) and
 * write remap[old index] = new index (n entries).
 */
extern void cc_category_sort(CcCategoryDict *dict, bool numeric, int *remap);

/*
 * Replace the codes of column col of x (n rows of d) by remap[code]; NaN
 * and negative codes stay.  Returns whether any code is NaN (a NULL).
 */
extern bool cc_category_remap(double *x, size_t n, int d, int col, const int *remap);

/*
 * One-hot encode: in holds n rows of d_in columns, the first n_num numeric
 * and then one code column per categorical column (ncat of them); column c
 * has nvalues[c] value categories and, when has_null[c], a NULL category
 * after them.  out (n rows of n_num + sum of the categories) gets the
 * numeric columns and then the indicators of each column in order.
 * Returns the number of columns of out.
 */
extern int	cc_onehot_width(int n_num, int ncat, const int *nvalues,
							const bool *has_null);
extern void cc_onehot_expand(const double *in, size_t n, int n_num, int ncat,
							 const int *nvalues, const bool *has_null,
							 double *out);

/*
 * The indicators of one categorical column for one value: count indicators
 * of categories cats (text forms; NULL for the NULL category), value the
 * row's text form or NULL for SQL NULL.  Sets out[0..count) to 1 for the
 * matching category and 0 elsewhere (all 0 for an unknown value); returns
 * the index matched, or -1.
 */
extern int	cc_onehot_fill(char *const *cats, int count, const char *value,
						   double *out);

#endif							/* CC_CATEGORY_H */
