/*
 * main.c
 *		Runner of the standalone unit tests of the ccseg numeric core.
 *
 * No framework and no PostgreSQL: each test file test_<module>.c registers
 * its tests in a UnitModule (see harness.h), and this program runs them all
 * by ascending order number, or with an argument only those whose name
 * contains it ("test_core kmeans").  Expected values are computed in the
 * tests independently of the code under test: sorting, brute force, long
 * double sums, closed forms and published test vectors.  Random test data
 * comes from the harness's own splitmix64 generator, not from the core's.
 *
 * Build and run with "make unittest"; the program is also meant to be run
 * under valgrind and with -fsanitize=address,undefined, so it releases
 * everything it allocates.  The last line of output is
 * "unit: N passed, M failed"; the exit status is 1 when M > 0, 2 when the
 * filter matches no test.
 *
 * Several tests guard against specific core defects, which their comments
 * describe (test_kmeans_relocation_at_convergence, test_ch_db_empty_cluster,
 * test_describe_small_values, test_pearson_closed_form and
 * test_histogram_closed_form).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static const UnitModule *const modules[] = {
	&rng_module, &matrix_module, &preprocess_module, &kmeans_module,
	&metrics_module, &stats_module, &linalg_module, &align_module,
	&model_module, &model_format_module, &decimal_module, &exactsum_module, &pass_module,
	&category_module
};

/* qsort comparison of tests by order number. */
static int
cmp_order(const void *a, const void *b)
{
	const UnitTest *x = *(const UnitTest *const *) a;
	const UnitTest *y = *(const UnitTest *const *) b;

	return (x->order > y->order) - (x->order < y->order);
}

/* Run every registered test, or those whose name contains argv[1]. */
int
main(int argc, char **argv)
{
	const char *filter = argc > 1 ? argv[1] : NULL;
	const UnitTest **all;
	size_t		ntests = 0;
	size_t		nrun = 0;
	size_t		m,
				i;

	if (argc > 2)
	{
		fprintf(stderr, "usage: %s [name-substring]\n", argv[0]);
		return 2;
	}
	for (m = 0; m < lengthof(modules); m++)
		ntests += modules[m]->ntests;
	all = talloc(ntests, sizeof(*all));
	ntests = 0;
	for (m = 0; m < lengthof(modules); m++)
		for (i = 0; i < modules[m]->ntests; i++)
			all[ntests++] = &modules[m]->tests[i];
	qsort(all, ntests, sizeof(*all), cmp_order);
	for (i = 1; i < ntests; i++)
		if (all[i]->order == all[i - 1]->order)
		{
			fprintf(stderr, "test_core: tests %s and %s share order %d\n",
					all[i - 1]->name, all[i]->name, all[i]->order);
			tfree(all);
			return 2;
		}

	for (i = 0; i < ntests; i++)
	{
		if (filter != NULL && strstr(all[i]->name, filter) == NULL)
			continue;
		if (filter != NULL)
			printf("run: %s\n", all[i]->name);
		all[i]->fn();
		nrun++;
	}
	tfree(all);

	if (filter != NULL)
	{
		if (nrun == 0)
		{
			fprintf(stderr, "test_core: no test name contains \"%s\"\n",
					filter);
			return 2;
		}
		printf("ran %zu of %zu tests\n", nrun, ntests);
	}
	printf("unit: %d passed, %d failed\n", n_passed, n_failed);
	return n_failed > 0 ? 1 : 0;
}
