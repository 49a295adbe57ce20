/*
 * options.c
 *		Words and required arguments of the training-like functions
 *		(ccseg_build_model, ccseg_elbow), checked the same way everywhere.
 */
#include "postgres.h"

#include <math.h>

#include "utils/builtins.h"

#include "ccseg.h"
#include "options.h"

#include "kmeans.h"
#include "preprocess.h"

/* Error out when argument argno is NULL. */
void
ccseg_require_arg(FunctionCallInfo fcinfo, int argno, const char *name)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", name)));
}

/* Imputation method named by argument argno. */
CcImpute
ccseg_impute_arg(FunctionCallInfo fcinfo, int argno)
{
	char	   *word = ccseg_text_arg(fcinfo, argno, "impute");
	int			how = cc_impute_parse(word);

	if (how < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown imputation method \"%s\"",
						ccseg_name_for_message(word)),
				 errhint("Use one of median, mean, zero or drop.")));
	return (CcImpute) how;
}

/* Scaling method named by argument argno. */
CcScale
ccseg_scale_arg(FunctionCallInfo fcinfo, int argno)
{
	char	   *word = ccseg_text_arg(fcinfo, argno, "scale");
	int			how = cc_scale_parse(word);

	if (how < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown scaling method \"%s\"",
						ccseg_name_for_message(word)),
				 errhint("Use one of standard, minmax, robust or none.")));
	return (CcScale) how;
}

/* Initialization method named by argument argno. */
CcInit
ccseg_init_arg(FunctionCallInfo fcinfo, int argno)
{
	char	   *word = ccseg_text_arg(fcinfo, argno, "init");

	if (strcmp(word, "k-means++") == 0)
		return CC_INIT_KMEANSPP;
	if (strcmp(word, "random") == 0)
		return CC_INIT_RANDOM;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown initialization method \"%s\"",
					ccseg_name_for_message(word)),
			 errhint("Use k-means++ or random, or pass init_centroids.")));
	return CC_INIT_KMEANSPP;	/* keep compiler quiet */
}

/* k-means algorithm named by argument argno. */
CcAlgorithm
ccseg_algorithm_arg(FunctionCallInfo fcinfo, int argno)
{
	char	   *word = ccseg_text_arg(fcinfo, argno, "algorithm");

	if (strcmp(word, "auto") == 0)
		return CC_ALGO_AUTO;
	if (strcmp(word, "lloyd") == 0)
		return CC_ALGO_LLOYD;
	if (strcmp(word, "hamerly") == 0)
		return CC_ALGO_HAMERLY;
	if (strcmp(word, "elkan") == 0)
		return CC_ALGO_ELKAN;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown k-means algorithm \"%s\"",
					ccseg_name_for_message(word)),
			 errhint("Use one of auto, lloyd, hamerly or elkan; all give the same result.")));
	return CC_ALGO_AUTO;		/* keep compiler quiet */
}

/*
 * The k-means settings shared by training and the elbow: n_init, max_iter,
 * tol (relative, as given), seed, from arguments argno .. argno + 3.
 */
void
ccseg_kmeans_args(FunctionCallInfo fcinfo, int argno, CcKmeansParams *kp)
{
	ccseg_require_arg(fcinfo, argno, "n_init");
	ccseg_require_arg(fcinfo, argno + 1, "max_iter");
	ccseg_require_arg(fcinfo, argno + 2, "tol");
	ccseg_require_arg(fcinfo, argno + 3, "seed");
	kp->n_init = PG_GETARG_INT32(argno);
	kp->max_iter = PG_GETARG_INT32(argno + 1);
	kp->tol = PG_GETARG_FLOAT8(argno + 2);
	kp->seed = (uint64_t) PG_GETARG_INT64(argno + 3);
	if (kp->n_init < 1 || kp->n_init > CCSEG_MAX_N_INIT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("n_init must be between 1 and %d", CCSEG_MAX_N_INIT),
				 errdetail("n_init is %d.", kp->n_init)));
	if (kp->max_iter < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_iter must be at least 1")));
	if (!(kp->tol >= 0.0) || isinf(kp->tol))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("tol must be a finite number of at least 0")));
}

/* silhouette_sample argument: NULL is -1 (automatic), 0 none, 1 or negative an error. */
int64
ccseg_silhouette_sample_arg(FunctionCallInfo fcinfo, int argno)
{
	int64		v;

	if (PG_ARGISNULL(argno))
		return -1;
	v = PG_GETARG_INT64(argno);
	if (v < 0 || v == 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("silhouette_sample must be 0 (no silhouette) or at least 2")));
	return v;
}
