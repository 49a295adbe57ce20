/*
 * hungarian.c
 *		Minimum-cost assignment by the Hungarian method with potentials.
 */
#include <math.h>
#include <string.h>

#include "hungarian.h"

/*
 * Solve for n <= m (n "workers" each to a distinct one of m "jobs"), costs
 * a[i][j] read from cost (row-major n x m, or m x n when transposed).
 * Shortest augmenting paths with dual potentials u, v; indices 1-based
 * internally, 0 is the virtual start.  check, when not NULL, is called once
 * per step of a path search: each step is O(m) work.
 */
static void
solve(const double *cost, int n, int m, bool transposed, int *assign,
	  const CcAllocator *alloc, CcCheckFn check, void *arg)
{
	double	   *u = cc_alloc_array(alloc, n + 1, sizeof(double));
	double	   *v = cc_alloc_array(alloc, m + 1, sizeof(double));
	double	   *minv = cc_alloc_array(alloc, m + 1, sizeof(double));
	int		   *p = cc_alloc_array(alloc, m + 1, sizeof(int));
	int		   *way = cc_alloc_array(alloc, m + 1, sizeof(int));
	bool	   *used = cc_alloc_array(alloc, m + 1, sizeof(bool));
	int			i,
				j;

	memset(u, 0, sizeof(double) * (n + 1));
	memset(v, 0, sizeof(double) * (m + 1));
	memset(p, 0, sizeof(int) * (m + 1));
	memset(way, 0, sizeof(int) * (m + 1));

	for (i = 1; i <= n; i++)
	{
		int			j0 = 0;

		p[0] = i;
		for (j = 0; j <= m; j++)
		{
			minv[j] = INFINITY;
			used[j] = false;
		}
		do
		{
			int			i0 = p[j0],
						j1 = 0;
			double		delta = INFINITY;

			if (check)
				check(arg);
			used[j0] = true;
			for (j = 1; j <= m; j++)
			{
				if (!used[j])
				{
					double		c = transposed ? cost[(size_t) (j - 1) * n + (i0 - 1)]
						: cost[(size_t) (i0 - 1) * m + (j - 1)];
					double		cur = c - u[i0] - v[j];

					if (cur < minv[j])
					{
						minv[j] = cur;
						way[j] = j0;
					}
					if (minv[j] < delta)
					{
						delta = minv[j];
						j1 = j;
					}
				}
			}
			for (j = 0; j <= m; j++)
			{
				if (used[j])
				{
					u[p[j]] += delta;
					v[j] -= delta;
				}
				else
					minv[j] -= delta;
			}
			j0 = j1;
		} while (p[j0] != 0);
		do
		{
			int			j1 = way[j0];

			p[j0] = p[j1];
			j0 = j1;
		} while (j0 != 0);
	}
	for (i = 0; i < n; i++)
		assign[i] = -1;
	for (j = 1; j <= m; j++)
		if (p[j] != 0)
			assign[p[j] - 1] = j - 1;

	cc_release(alloc, u);
	cc_release(alloc, v);
	cc_release(alloc, minv);
	cc_release(alloc, p);
	cc_release(alloc, way);
	cc_release(alloc, used);
}

/* Minimum-cost assignment of rows to columns; see hungarian.h. */
void
cc_hungarian(const double *cost, int rows, int cols, int *row_to_col,
			 const CcAllocator *alloc, CcCheckFn check, void *arg)
{
	if (rows <= cols)
		solve(cost, rows, cols, false, row_to_col, alloc, check, arg);
	else
	{
		/* assign every column to a row, then invert */
		int		   *col_to_row = cc_alloc_array(alloc, cols, sizeof(int));
		int			i,
					j;

		solve(cost, cols, rows, true, col_to_row, alloc, check, arg);
		for (i = 0; i < rows; i++)
			row_to_col[i] = -1;
		for (j = 0; j < cols; j++)
			if (col_to_row[j] >= 0)
				row_to_col[col_to_row[j]] = j;
		cc_release(alloc, col_to_row);
	}
}
