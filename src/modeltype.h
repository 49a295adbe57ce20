/*
 * modeltype.h
 *		Model values: a CcModel to and from a ccseg_model datum (modeltype.c).
 */
#ifndef CCSEG_MODELTYPE_H
#define CCSEG_MODELTYPE_H

#include "model.h"

extern Datum ccseg_model_datum(const CcModel *m);
extern void ccseg_model_parse(struct varlena *value, CcModel *m,
							  MemoryContext cxt);

/*
 * Error out for the value of raw outside the domain of the transform of
 * feature j of m; what names the model in the message.  And
 * cc_model_transform with that error for such a value.
 */
extern void ccseg_domain_error(const CcModel *m, const double *raw, int j,
							   const char *what) pg_attribute_noreturn();
extern bool ccseg_model_transform_row(const CcModel *m, const double *raw,
									  double *z, const char *what);

#endif							/* CCSEG_MODELTYPE_H */
