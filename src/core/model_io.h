/*
 * model_io.h
 *		The portable forms of a model: its JSON text form, and the
 *		network-order binary form of ccseg_model's send and receive, both
 *		driven by the description of the fields (cc_model_fields).
 *
 * These read untrusted bytes (anyone can cast a string to ccseg_model or
 * send a binary value), so they never read outside the buffer, bound every
 * count before allocating, and end with cc_model_validate.  They are in the
 * core, without PostgreSQL, so that they can be fuzzed on their own.
 */
#ifndef CC_MODEL_IO_H
#define CC_MODEL_IO_H

#include <stddef.h>

#include "model.h"

/*
 * Parse the JSON text form (len bytes, not necessarily NUL-terminated;
 * format 2 or 1, which have the same keys) into m.  Returns NULL on
 * success, or a message saying what is wrong (possibly written into
 * errbuf, of errlen bytes); on failure m may hold allocations (free with
 * cc_model_free).
 */
extern const char *cc_model_from_json(const char *text, size_t len, CcModel *m,
									  const CcAllocator *alloc, char *errbuf,
									  size_t errlen);

/*
 * Where cc_model_to_json writes: raw text (punctuation, keys, whole
 * numbers), a double that is not NaN (in a form that reads back to the same
 * double), and a string as a quoted, escaped JSON string.
 */
typedef struct CcJsonOut
{
	void		(*text) (void *arg, const char *s);
	void		(*number) (void *arg, double v);
	void		(*string) (void *arg, const char *s);
	void	   *arg;
} CcJsonOut;

/*
 * Write the JSON text form of m: {"format": ..., "k": ..., then each field
 * of cc_model_fields by name}, NaN as null, ", " between items.
 */
extern void cc_model_to_json(const CcModel *m, const CcJsonOut *out);

/* Size of the binary form of m, and writing it into buf (that big). */
extern size_t cc_model_wire_size(const CcModel *m);
extern void cc_model_to_wire(const CcModel *m, unsigned char *buf);

/*
 * Read the binary form (len bytes, format 2 or 1) into m; NULL on success,
 * else a message.  The whole buffer must be consumed.
 */
extern const char *cc_model_from_wire(const unsigned char *buf, size_t len,
									  CcModel *m, const CcAllocator *alloc);

#endif							/* CC_MODEL_IO_H */
