/*
 * options.h
 *		The arguments of the training-like functions (ccseg_build_model,
 *		ccseg_elbow) and the required arguments of every function, checked
 *		the same way everywhere (options.c).
 */
#ifndef CCSEG_OPTIONS_H
#define CCSEG_OPTIONS_H

#include "fmgr.h"

#include "kmeans.h"
#include "preprocess.h"

extern void ccseg_require_arg(FunctionCallInfo fcinfo, int argno, const char *name);
extern CcImpute ccseg_impute_arg(FunctionCallInfo fcinfo, int argno);
extern CcScale ccseg_scale_arg(FunctionCallInfo fcinfo, int argno);
extern CcInit ccseg_init_arg(FunctionCallInfo fcinfo, int argno);
extern CcAlgorithm ccseg_algorithm_arg(FunctionCallInfo fcinfo, int argno);
extern void ccseg_kmeans_args(FunctionCallInfo fcinfo, int argno,
							  CcKmeansParams *kp);
extern int64 ccseg_silhouette_sample_arg(FunctionCallInfo fcinfo, int argno);

#endif							/* CCSEG_OPTIONS_H */
