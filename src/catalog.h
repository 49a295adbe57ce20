/*
 * catalog.h
 *		Stored models: the current version of a model by name, through a
 *		per-backend cache (catalog.c).
 */
#ifndef CCSEG_CATALOG_H
#define CCSEG_CATALOG_H

#include "model.h"

extern int	ccseg_lookup_model(const char *name, CcModel *m, MemoryContext cxt);

#endif							/* CCSEG_CATALOG_H */
