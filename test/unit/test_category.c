/*
 * test_category.c
 *		Unit tests of category.c: the dictionary of a column's categories,
 *		their order (numeric and bytewise), the remapping of codes and the
 *		one-hot indicators.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "category.h"
#include "harness.h"

/* Codes by first arrival, lookups, limits and the frozen dictionary. */
static void
test_category_dict(void)
{
	CcCategoryDict dict;
	char		buf[CC_MAX_CATEGORY_BYTES + 2];
	int			i;

	set_ctx("category dictionary");
	cc_category_init(&dict, 4, A);
	CHECK(cc_category_code(&dict, "b", 1) == 0.0);
	CHECK(cc_category_code(&dict, "a", 1) == 1.0);
	CHECK(cc_category_code(&dict, "b", 1) == 0.0);
	/* the bytes count, not a terminator: "ab" and "a" differ */
	CHECK(cc_category_code(&dict, "ab", 2) == 2.0);
	CHECK(cc_category_code(&dict, "ab", 1) == 1.0);
	CHECK(cc_category_code(&dict, "", 0) == 3.0);
	CHECK(dict.n == 4);
	/* a fifth category is over the limit of 4 */
	CHECK(cc_category_code(&dict, "c", 1) == -2.0);
	CHECK(cc_category_code(&dict, "a", 1) == 1.0);
	dict.frozen = true;
	CHECK(cc_category_code(&dict, "zz", 2) == CC_CATEGORY_UNKNOWN);
	cc_category_free(&dict);

	/* the full limit, and a text longer than the longest category */
	cc_category_init(&dict, CC_MAX_CATEGORIES, A);
	for (i = 0; i < CC_MAX_CATEGORIES; i++)
	{
		char		s[16];

		snprintf(s, sizeof(s), "v%d", i);
		CHECK(cc_category_code(&dict, s, strlen(s)) == (double) i);
	}
	CHECK(cc_category_code(&dict, "v99", 3) == 99.0);
	CHECK(cc_category_code(&dict, "v100", 4) == -2.0);
	cc_category_free(&dict);
	cc_category_init(&dict, 10, A);
	memset(buf, 'x', sizeof(buf));
	CHECK(cc_category_code(&dict, buf, CC_MAX_CATEGORY_BYTES) == 0.0);
	CHECK(cc_category_code(&dict, buf, CC_MAX_CATEGORY_BYTES + 1) == -2.0);
	cc_category_free(&dict);
}

/* Numeric order of text forms (as scikit-learn sorts numbers), and bytewise. */
static void
test_category_order(void)
{
	CcCategoryDict dict;
	const char *in[] = {"10", "-3", "2", "0", "-12", "2.5", "1e+20", "NaN", "-0.5", "Infinity", "100"};
	const char *want[] = {"-12", "-3", "-0.5", "0", "2", "2.5", "10", "100", "1e+20", "Infinity", "NaN"};
	const char *words[] = {"b", "B", "a", "\xc3\xa9", "aa", "z"};
	const char *wwant[] = {"B", "a", "aa", "b", "z", "\xc3\xa9"};
	int			remap[16];
	double		x[6 * 2];
	int			i;
	bool		ok = true;

	set_ctx("category order");
	/* exact beyond double precision: 2^53 + 1 > 2^53 */
	CHECK(cc_category_compare("9007199254740993", "9007199254740992", true) > 0);
	CHECK(cc_category_compare("-9007199254740993", "-9007199254740992", true) < 0);
	CHECK(cc_category_compare("1.50", "1.5", true) != 0);	/* distinct texts */
	CHECK(cc_category_compare("1.5", "1.50", true) < 0);
	CHECK(cc_category_compare("-0", "0", true) < 0);	/* equal numbers: by bytes */
	CHECK(cc_category_compare("10", "9", false) < 0);
	CHECK(cc_category_compare("10", "9", true) > 0);

	cc_category_init(&dict, 16, A);
	for (i = 0; i < (int) lengthof(in); i++)
		cc_category_code(&dict, in[i], strlen(in[i]));
	cc_category_sort(&dict, true, remap);
	for (i = 0; i < (int) lengthof(want); i++)
		ok &= strcmp(dict.text[i], want[i]) == 0;
	CHECK(ok);
	/* remap takes arrival order to sorted order, and lookups follow it */
	CHECK(remap[0] == 6 && remap[1] == 1 && remap[7] == 10);
	CHECK(cc_category_code(&dict, "10", 2) == 6.0);
	CHECK(cc_category_code(&dict, "-12", 3) == 0.0);
	cc_category_free(&dict);

	cc_category_init(&dict, 16, A);
	for (i = 0; i < (int) lengthof(words); i++)
	{
		x[i * 2] = 1.0;
		x[i * 2 + 1] = cc_category_code(&dict, words[i], strlen(words[i]));
	}
	x[5 * 2 + 1] = NAN;
	cc_category_sort(&dict, false, remap);
	ok = true;
	for (i = 0; i < (int) lengthof(wwant) - 1; i++)
		ok &= strcmp(dict.text[i], wwant[i]) == 0;
	CHECK(ok);
	CHECK(cc_category_remap(x, 6, 2, 1, remap));
	CHECK(x[1] == 3.0 && x[3] == 0.0 && x[5] == 1.0 && x[7] == 5.0 && x[9] == 2.0);
	CHECK(isnan(x[11]));
	cc_category_free(&dict);
}

/* Indicators from codes: NULL category last, unknown codes all 0. */
static void
test_onehot(void)
{
	/* 2 numeric columns, then 2 categorical: 3 values + NULL, 2 values */
	const double in[] = {
		1.5, 2.0, 0.0, 1.0,
		-1.0, 7.0, NAN, 0.0,
		3.0, NAN, 2.0, NAN,
		4.0, 5.0, CC_CATEGORY_UNKNOWN, 1.0
	};
	const int	nvalues[] = {3, 2};
	const bool	has_null[] = {true, false};
	const double want[] = {
		1.5, 2.0, 1, 0, 0, 0, 0, 1,
		-1.0, 7.0, 0, 0, 0, 1, 1, 0,
		3.0, NAN, 0, 0, 1, 0, 0, 0,
		4.0, 5.0, 0, 0, 0, 0, 0, 1
	};
	double		out[4 * 8];
	char	   *cats[] = {"a", "b", NULL};
	double		ind[3];
	int			i;
	bool		ok = true;

	set_ctx("one-hot");
	CHECK(cc_onehot_width(2, 2, nvalues, has_null) == 8);
	cc_onehot_expand(in, 4, 2, 2, nvalues, has_null, out);
	for (i = 0; i < 32; i++)
		ok &= isnan(want[i]) ? isnan(out[i]) : out[i] == want[i];
	CHECK(ok);

	CHECK(cc_onehot_fill(cats, 3, "b", ind) == 1);
	CHECK(ind[0] == 0.0 && ind[1] == 1.0 && ind[2] == 0.0);
	CHECK(cc_onehot_fill(cats, 3, NULL, ind) == 2);
	CHECK(ind[0] == 0.0 && ind[1] == 0.0 && ind[2] == 1.0);
	CHECK(cc_onehot_fill(cats, 3, "c", ind) == -1);
	CHECK(ind[0] == 0.0 && ind[1] == 0.0 && ind[2] == 0.0);
	/* without a NULL category, NULL is unknown */
	CHECK(cc_onehot_fill(cats, 2, NULL, ind) == -1);
	CHECK(ind[0] == 0.0 && ind[1] == 0.0);
}

/* The tests of this file; the order numbers place them in a full run. */
static const UnitTest tests[] = {
	UNIT_TEST(category_dict, 261),
	UNIT_TEST(category_order, 262),
	UNIT_TEST(onehot, 263),
};

const UnitModule category_module = {"category", tests, lengthof(tests)};
