/*
 * decimal.h
 *		Exact conversion of a decimal number held as base-10000 digits (the
 *		layout of PostgreSQL's numeric) to the nearest double.
 */
#ifndef CC_DECIMAL_H
#define CC_DECIMAL_H

#include <stdbool.h>

/*
 * The value  sign * sum(digits[i] * 10000^(weight - i), i = 0 .. ndigits-1),
 * each digit in 0..9999, read from memory that need not be aligned (digits
 * points at ndigits native-endian 16-bit integers).  Returns true and the
 * nearest double (ties to even, as strtod) in *out when that can be had
 * exactly with one correctly rounded operation: at most 15 significant
 * decimal digits' worth of mantissa (below 2^53) and a power of ten small
 * enough to be exact.  Returns false otherwise (the caller falls back to a
 * full decimal-to-binary conversion); also for a digit out of range.
 */
extern bool cc_decimal_to_double(bool negative, int weight, const void *digits,
								 int ndigits, double *out);

#endif							/* CC_DECIMAL_H */
