/*
 * options.c
 *		Words and required arguments of the training-like functions
 *		(ccseg_build_model, ccseg_elbow), checked the same way everywhere,
 *		and _ccseg_train_defaults(), the defaults compiled in.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "funcapi.h"
#include "utils/builtins.h"

#include "ccseg.h"
#include "options.h"

#include "defaults.h"
#include "kmeans.h"
#include "preprocess.h"

PG_FUNCTION_INFO_V1(ccseg_train_defaults);

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

/* The words of the initialization methods a user may name, by CcInit. */
static const char *const init_words[] = {
	[CC_INIT_KMEANSPP] = "k-means++",
	[CC_INIT_RANDOM] = "random",
};

/* The words of the k-means algorithms, by CcAlgorithm. */
static const char *const algorithm_words[] = {
	[CC_ALGO_AUTO] = "auto",
	[CC_ALGO_LLOYD] = "lloyd",
	[CC_ALGO_HAMERLY] = "hamerly",
	[CC_ALGO_ELKAN] = "elkan",
};

/* Index of word in words (count entries, NULL ones skipped), or -1. */
static int
word_index(const char *const *words, int count, const char *word)
{
	int			i;

	for (i = 0; i < count; i++)
		if (words[i] != NULL && strcmp(words[i], word) == 0)
			return i;
	return -1;
}

/* Initialization method named by argument argno. */
CcInit
ccseg_init_arg(FunctionCallInfo fcinfo, int argno)
{
	char	   *word = ccseg_text_arg(fcinfo, argno, "init");
	int			i = word_index(init_words, lengthof(init_words), word);

	if (i < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown initialization method \"%s\"",
						ccseg_name_for_message(word)),
				 errhint("Use k-means++ or random, or pass init_centroids.")));
	return (CcInit) i;
}

/* k-means algorithm named by argument argno. */
CcAlgorithm
ccseg_algorithm_arg(FunctionCallInfo fcinfo, int argno)
{
	char	   *word = ccseg_text_arg(fcinfo, argno, "algorithm");
	int			i = word_index(algorithm_words, lengthof(algorithm_words), word);

	if (i < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown k-means algorithm \"%s\"",
						ccseg_name_for_message(word)),
				 errhint("Use one of auto, lloyd, hamerly or elkan; all give the same result.")));
	return (CcAlgorithm) i;
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

/*
 * silhouette_sample argument: NULL is CC_SILHOUETTE_AUTO, 0 none, 1 or
 * negative an error.
 */
int64
ccseg_silhouette_sample_arg(FunctionCallInfo fcinfo, int argno)
{
	int64		v;

	if (PG_ARGISNULL(argno))
		return CC_SILHOUETTE_AUTO;
	v = PG_GETARG_INT64(argno);
	if (v < 0 || v == 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("silhouette_sample must be 0 (no silhouette) or at least 2")));
	return v;
}

/*
 * _ccseg_train_defaults(): the defaults of core/defaults.h, which ccseg_fit
 * trains with, as the parameters of ccseg_train spell them, so that a test
 * can compare them with the install script's parameter defaults.
 * silhouette_sample is NULL for CC_SILHOUETTE_AUTO, as there.
 */
Datum
ccseg_train_defaults(PG_FUNCTION_ARGS)
{
	TupleDesc	desc;
	Datum		values[9];
	bool		nulls[9] = {false};
	int			i = 0;

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	values[i++] = CStringGetTextDatum(cc_impute_name(CC_DEFAULT_IMPUTE));
	values[i++] = CStringGetTextDatum(cc_scale_name(CC_DEFAULT_SCALE));
	values[i++] = CStringGetTextDatum(init_words[CC_DEFAULT_INIT]);
	values[i++] = Int32GetDatum(CC_DEFAULT_N_INIT);
	values[i++] = Int32GetDatum(CC_DEFAULT_MAX_ITER);
	values[i++] = Float8GetDatum(CC_DEFAULT_TOL);
	values[i++] = Int64GetDatum(CC_DEFAULT_SEED);
	values[i++] = CStringGetTextDatum(algorithm_words[CC_DEFAULT_ALGORITHM]);
	nulls[i] = (CC_DEFAULT_SILHOUETTE_SAMPLE == CC_SILHOUETTE_AUTO);
	values[i++] = Int64GetDatum(CC_DEFAULT_SILHOUETTE_SAMPLE);
	Assert(i == lengthof(values) && i == desc->natts);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc),
													  values, nulls)));
}
