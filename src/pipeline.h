/*
 * pipeline.h
 *		Training a prepared matrix (pipeline.c): the one path from rows
 *		imputed and scaled by prepare.c to k-means, its quality measures
 *		and, for a model, the fields of the model value.  ccseg_build_model
 *		(train.c), ccseg_elbow (elbow.c) and ccseg_fit (aggregate.c) all
 *		train through it; their defaults are those of core/defaults.h.
 */
#ifndef CCSEG_PIPELINE_H
#define CCSEG_PIPELINE_H

#include "prepare.h"

#include "defaults.h"
#include "kmeans.h"
#include "metrics.h"
#include "model.h"

/* What to train and how. */
typedef struct CcsegTrainOptions
{
	CcKmeansParams kmeans;		/* k, n_init, max_iter, tol (relative, as
								 * given), seed (also the silhouette
								 * sample's), init, algorithm, init_centroids
								 * (scaled) and seeds; the rest is set here */
	int64		silhouette_sample;	/* CcQualityParams.sample */
	bool		model;			/* true: a model (refine a sampled training
								 * over every row, number the segments by
								 * decreasing size, align them with previous,
								 * principal components); false: k-means
								 * and its quality measures only (the elbow) */
	bool		warn_unconverged;	/* NOTICE when k-means stops at
									 * max_iter */
	bool		verbose;		/* INFO per restart, LOG per phase */
	const CcModel *previous;	/* a model: number its segments as this one
								 * does, or NULL */
} CcsegTrainOptions;

/* The defaults of core/defaults.h for k clusters: a model, not verbose. */
#define CCSEG_TRAIN_OPTIONS_DEFAULT(k_) \
	{ \
		.kmeans = CC_KMEANS_PARAMS_DEFAULT(k_), \
		.silhouette_sample = CC_DEFAULT_SILHOUETTE_SAMPLE, \
		.model = true \
	}

/* What a training gives. */
typedef struct CcsegTrained
{
	CcKmeansResult kmeans;		/* on the prepared rows; for a model over a
								 * sample, sizes, sse and inertia of every
								 * row */
	size_t		rows;			/* rows the sizes count */
	CcQuality	quality;		/* on the prepared rows */
} CcsegTrained;

extern void ccseg_train_prepared(const CcsegPrepared *p,
								 const CcsegTrainOptions *o, CcsegTrained *t,
								 CcModel *m, const CcAllocator *alloc);
extern void ccseg_quality_params(int64 sample, uint64 seed,
								 CcQualityParams *qp);

#endif							/* CCSEG_PIPELINE_H */
