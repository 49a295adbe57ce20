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

#endif							/* CCSEG_MODELTYPE_H */
