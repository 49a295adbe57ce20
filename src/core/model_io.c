/*
 * model_io.c
 *		JSON text form and network-order binary form of a model.
 *
 * The JSON reader first parses the text into a small tree (any valid JSON
 * up to a nesting depth of 8), then takes the model's fields from it by
 * their descriptions (cc_model_fields): k and the number of features must
 * be known before the arrays can be checked, and keys may come in any
 * order.  The writer emits the fields in the table's order; the number
 * format is the caller's (PostgreSQL's shortest exact form in the glue).
 */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_io.h"

#define JSON_MAX_DEPTH	8

typedef enum JType
{
	J_NULL, J_BOOL, J_NUMBER, J_STRING, J_ARRAY, J_OBJECT
} JType;

typedef struct JNode
{
	JType		type;
	double		number;
	bool		whole;			/* number written without fraction or exponent */
	char	   *string;			/* NUL-terminated, for J_STRING and keys */
	size_t		count;			/* items of an array or object */
	struct JNode *items;
	char	  **keys;			/* object keys */
} JNode;

typedef struct JParser
{
	const char *p;
	const char *end;
	const CcAllocator *alloc;
	const char *error;
} JParser;

static void
skip_space(JParser *js)
{
	while (js->p < js->end &&
		   (*js->p == ' ' || *js->p == '\t' || *js->p == '\n' || *js->p == '\r'))
		js->p++;
}

static bool
fail(JParser *js, const char *msg)
{
	if (js->error == NULL)
		js->error = msg;
	return false;
}

/* Append the UTF-8 form of code point cp to out. */
static size_t
put_utf8(char *out, unsigned long cp)
{
	if (cp < 0x80)
	{
		out[0] = (char) cp;
		return 1;
	}
	if (cp < 0x800)
	{
		out[0] = (char) (0xC0 | (cp >> 6));
		out[1] = (char) (0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000)
	{
		out[0] = (char) (0xE0 | (cp >> 12));
		out[1] = (char) (0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char) (0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char) (0xF0 | (cp >> 18));
	out[1] = (char) (0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char) (0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char) (0x80 | (cp & 0x3F));
	return 4;
}

static bool
hex4(JParser *js, unsigned long *v)
{
	int			i;

	*v = 0;
	if (js->end - js->p < 4)
		return fail(js, "The text ends inside a \\u escape.");
	for (i = 0; i < 4; i++)
	{
		char		c = *js->p++;

		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= (unsigned long) (c - '0');
		else if (c >= 'a' && c <= 'f')
			*v |= (unsigned long) (c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			*v |= (unsigned long) (c - 'A' + 10);
		else
			return fail(js, "A \\u escape has a character that is not hexadecimal.");
	}
	return true;
}

/* A string token (js->p at the opening quote) into a NUL-terminated copy. */
static bool
parse_string(JParser *js, char **out)
{
	const char *start = ++js->p;
	char	   *buf;
	size_t		n = 0;

	/* the decoded form is never longer than the raw one */
	while (js->p < js->end && *js->p != '"')
	{
		if (*js->p == '\\')
			js->p++;
		js->p++;
	}
	if (js->p >= js->end)
		return fail(js, "A string is not closed.");
	buf = cc_alloc_array(js->alloc, (size_t) (js->p - start) + 1, 1);
	*out = buf;
	js->p = start;
	while (*js->p != '"')
	{
		unsigned char c = (unsigned char) *js->p++;

		if (c < 0x20)
			return fail(js, "A string holds a control character.");
		if (c != '\\')
		{
			buf[n++] = (char) c;
			continue;
		}
		c = (unsigned char) *js->p++;
		switch (c)
		{
			case '"':
			case '\\':
			case '/':
				buf[n++] = (char) c;
				break;
			case 'b':
				buf[n++] = '\b';
				break;
			case 'f':
				buf[n++] = '\f';
				break;
			case 'n':
				buf[n++] = '\n';
				break;
			case 'r':
				buf[n++] = '\r';
				break;
			case 't':
				buf[n++] = '\t';
				break;
			case 'u':
				{
					unsigned long cp,
								lo;

					if (!hex4(js, &cp))
						return false;
					if (cp >= 0xDC00 && cp <= 0xDFFF)
						return fail(js, "A string has a lone low surrogate.");
					if (cp >= 0xD800 && cp <= 0xDBFF)
					{
						if (js->end - js->p < 6 || js->p[0] != '\\' || js->p[1] != 'u')
							return fail(js, "A string has a lone high surrogate.");
						js->p += 2;
						if (!hex4(js, &lo))
							return false;
						if (lo < 0xDC00 || lo > 0xDFFF)
							return fail(js, "A string has a lone high surrogate.");
						cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
					}
					if (cp == 0)
						return fail(js, "A string holds \\u0000.");
					n += put_utf8(buf + n, cp);
					break;
				}
			default:
				return fail(js, "A string has an unknown escape.");
		}
	}
	js->p++;
	buf[n] = '\0';
	return true;
}

/* A number token, strict JSON grammar. */
static bool
parse_number(JParser *js, JNode *node)
{
	const char *start = js->p;
	char		small[64];
	char	   *copy;
	size_t		len;

	node->type = J_NUMBER;
	node->whole = true;
	if (*js->p != '-' && (*js->p < '0' || *js->p > '9'))
		return fail(js, "Expected a value (object, array, string, number, true, false or null).");
	if (js->p < js->end && *js->p == '-')
		js->p++;
	if (js->p < js->end && *js->p == '0')
		js->p++;
	else if (js->p < js->end && *js->p >= '1' && *js->p <= '9')
		while (js->p < js->end && *js->p >= '0' && *js->p <= '9')
			js->p++;
	else
		return fail(js, "A number is malformed.");
	if (js->p < js->end && *js->p == '.')
	{
		node->whole = false;
		js->p++;
		if (js->p >= js->end || *js->p < '0' || *js->p > '9')
			return fail(js, "A number is malformed.");
		while (js->p < js->end && *js->p >= '0' && *js->p <= '9')
			js->p++;
	}
	if (js->p < js->end && (*js->p == 'e' || *js->p == 'E'))
	{
		node->whole = false;
		js->p++;
		if (js->p < js->end && (*js->p == '+' || *js->p == '-'))
			js->p++;
		if (js->p >= js->end || *js->p < '0' || *js->p > '9')
			return fail(js, "A number is malformed.");
		while (js->p < js->end && *js->p >= '0' && *js->p <= '9')
			js->p++;
	}
	len = (size_t) (js->p - start);
	copy = len < sizeof(small) ? small : cc_alloc_array(js->alloc, len + 1, 1);
	memcpy(copy, start, len);
	copy[len] = '\0';
	node->number = strtod(copy, NULL);	/* out of range: +-HUGE_VAL, caught later */
	if (copy != small)
		cc_release(js->alloc, copy);
	return true;
}

static bool parse_value(JParser *js, JNode *node, int depth);

/* An array or object (js->p at its bracket), items collected in a growing block. */
static bool
parse_container(JParser *js, JNode *node, int depth, bool object)
{
	size_t		cap = 0;
	char		close = object ? '}' : ']';

	node->type = object ? J_OBJECT : J_ARRAY;
	js->p++;
	skip_space(js);
	if (js->p < js->end && *js->p == close)
	{
		js->p++;
		return true;
	}
	for (;;)
	{
		if (node->count == cap)
		{
			size_t		ncap = cap ? cap * 2 : 8;
			JNode	   *items = cc_alloc_array(js->alloc, ncap, sizeof(JNode));
			char	  **keys = object ? cc_alloc_array(js->alloc, ncap, sizeof(char *)) : NULL;

			if (items == NULL || (object && keys == NULL))
				return fail(js, "The text is too large.");
			memset(items, 0, sizeof(JNode) * ncap);
			if (node->count)
			{
				memcpy(items, node->items, sizeof(JNode) * node->count);
				if (object)
					memcpy(keys, node->keys, sizeof(char *) * node->count);
			}
			cc_release(js->alloc, node->items);
			cc_release(js->alloc, node->keys);
			node->items = items;
			node->keys = keys;
			cap = ncap;
		}
		skip_space(js);
		/* the new item counts from now on, so that a failure frees it */
		if (object)
			node->keys[node->count] = NULL;
		node->count++;
		if (object)
		{
			if (js->p >= js->end || *js->p != '"')
				return fail(js, "An object key is not a string.");
			if (!parse_string(js, &node->keys[node->count - 1]))
				return false;
			skip_space(js);
			if (js->p >= js->end || *js->p != ':')
				return fail(js, "An object key is not followed by a colon.");
			js->p++;
		}
		if (!parse_value(js, &node->items[node->count - 1], depth + 1))
			return false;
		skip_space(js);
		if (js->p < js->end && *js->p == ',')
		{
			js->p++;
			continue;
		}
		if (js->p < js->end && *js->p == close)
		{
			js->p++;
			return true;
		}
		return fail(js, object ? "An object is not closed." : "An array is not closed.");
	}
}

static bool
literal(JParser *js, const char *word)
{
	size_t		len = strlen(word);

	if ((size_t) (js->end - js->p) < len || memcmp(js->p, word, len) != 0)
		return fail(js, "The text is not valid JSON.");
	js->p += len;
	return true;
}

static bool
parse_value(JParser *js, JNode *node, int depth)
{
	if (depth > JSON_MAX_DEPTH)
		return fail(js, "The JSON is nested too deeply.");
	skip_space(js);
	if (js->p >= js->end)
		return fail(js, "The text ends before a value.");
	switch (*js->p)
	{
		case '{':
			return parse_container(js, node, depth, true);
		case '[':
			return parse_container(js, node, depth, false);
		case '"':
			node->type = J_STRING;
			return parse_string(js, &node->string);
		case 't':
			node->type = J_BOOL;
			return literal(js, "true");
		case 'f':
			node->type = J_BOOL;
			return literal(js, "false");
		case 'n':
			node->type = J_NULL;
			return literal(js, "null");
		default:
			return parse_number(js, node);
	}
}

/* Free a tree (its nodes, strings and keys). */
static void
free_node(JNode *node, const CcAllocator *alloc)
{
	size_t		i;

	for (i = 0; i < node->count; i++)
	{
		free_node(&node->items[i], alloc);
		if (node->keys)
			cc_release(alloc, node->keys[i]);
	}
	cc_release(alloc, node->items);
	cc_release(alloc, node->keys);
	cc_release(alloc, node->string);
}

/* ---------- taking the model's fields from the tree ---------- */

static const JNode *
field(const JNode *obj, const char *key)
{
	size_t		i;

	for (i = 0; i < obj->count; i++)
		if (strcmp(obj->keys[i], key) == 0)
			return &obj->items[i];
	return NULL;
}

/* A number (or null, as NaN, when allowed) into *out; false on a wrong type. */
static bool
take_double(const JNode *v, bool allow_null, double *out)
{
	if (v->type == J_NULL && allow_null)
	{
		*out = NAN;
		return true;
	}
	if (v->type != J_NUMBER)
		return false;
	*out = v->number;
	return true;
}

static bool
take_int64(const JNode *v, int64_t *out)
{
	if (v->type != J_NUMBER || !(v->number == floor(v->number)) ||
		fabs(v->number) > 9007199254740992.0)
		return false;
	*out = (int64_t) v->number;
	return true;
}

static bool
take_doubles(const JNode *v, size_t n, bool allow_null, double *out)
{
	size_t		i;

	if (v == NULL || v->type != J_ARRAY || v->count != n)
		return false;
	for (i = 0; i < n; i++)
		if (!take_double(&v->items[i], allow_null, &out[i]))
			return false;
	return true;
}

/* Format a message into the caller's buffer and return it. */
#ifdef __GNUC__
__attribute__((format(printf, 3, 4)))
#endif
static const char *
say(char *buf, size_t size, const char *fmt, ...)
{
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return buf;
}

/* A key for a message: at most 40 bytes of it. */
#define KEY40(key) 40, (key)

/*
 * The pass in which extract takes a field: names and methods, arrays of
 * one dimension, matrices, segment sizes, then the scalars; within a pass,
 * the table's order.
 */
static int
extract_pass(const CcModelField *f)
{
	if (f->kind == CC_FIELD_NAMES || f->kind == CC_FIELD_IMPUTE ||
		f->kind == CC_FIELD_SCALE || f->kind == CC_FIELD_TRANSFORM ||
		f->kind == CC_FIELD_TEXTS)
		return 0;
	if (f->kind == CC_FIELD_DOUBLE)
		return f->shape == CC_SHAPE_SCALAR ? 4 :
			f->shape == CC_SHAPE_K || f->shape == CC_SHAPE_D ? 1 : 2;
	if (f->shape != CC_SHAPE_SCALAR)
		return 3;
	return f->kind == CC_FIELD_INT ? 5 : 6;
}

#define EXTRACT_PASSES 7

/* Take field f (present as v) into m, allocated for k x d; NULL or a message. */
static const char *
take_field(const CcModelField *f, const JNode *v, CcModel *m, const CcAllocator *alloc,
		   char *eb, size_t es)
{
	void	   *values = cc_model_field_values(f, m);
	size_t		n = cc_model_field_count(f, m),
				i;
	int64_t		i64;
	int			how;

	switch (f->kind)
	{
		case CC_FIELD_NAMES:
			for (i = 0; i < n; i++)
			{
				if (v->items[i].type != J_STRING)
					return say(eb, es, "\"%s\" must hold strings.", f->name);
				((char **) values)[i] = cc_alloc_array(alloc, strlen(v->items[i].string) + 1, 1);
				strcpy(((char **) values)[i], v->items[i].string);
			}
			return NULL;
		case CC_FIELD_TEXTS:
			if (v->type != J_ARRAY || v->count != n)
				return say(eb, es, "\"%s\" must have %d entries, one per feature.",
						   f->name, (int) n);
			for (i = 0; i < n; i++)
			{
				if (v->items[i].type == J_NULL)
					continue;
				if (v->items[i].type != J_STRING)
					return say(eb, es, "\"%s\" must hold strings or nulls.", f->name);
				((char **) values)[i] = cc_alloc_array(alloc, strlen(v->items[i].string) + 1, 1);
				strcpy(((char **) values)[i], v->items[i].string);
			}
			return NULL;
		case CC_FIELD_IMPUTE:
		case CC_FIELD_SCALE:
			how = v->type != J_STRING ? -1 : f->kind == CC_FIELD_IMPUTE ?
				cc_impute_parse(v->string) : cc_scale_parse(v->string);
			if (how < 0)
				return say(eb, es, "Unknown %s method \"%.*s\".",
						   f->kind == CC_FIELD_IMPUTE ? "imputation" : "scaling",
						   KEY40(v->type == J_STRING ? v->string : "?"));
			if (f->kind == CC_FIELD_IMPUTE)
				*(CcImpute *) values = (CcImpute) how;
			else
				*(CcScale *) values = (CcScale) how;
			return NULL;
		case CC_FIELD_TRANSFORM:
			if (v->type != J_ARRAY || v->count != n)
				return say(eb, es, "\"%s\" must have %d entries, one per feature.",
						   f->name, (int) n);
			for (i = 0; i < n; i++)
			{
				for (how = 0; how < CC_TRANSFORM_COUNT; how++)
					if (v->items[i].type == J_STRING &&
						strcmp(v->items[i].string, cc_transforms[how].name) == 0)
						break;
				if (how == CC_TRANSFORM_COUNT)
					return say(eb, es, "Unknown transform \"%.*s\".",
							   KEY40(v->items[i].type == J_STRING ? v->items[i].string : "?"));
				((int *) values)[i] = how;
			}
			return NULL;
		case CC_FIELD_INT:
			if (!take_int64(v, &i64) || i64 < 0 || i64 > 2147483647)
				return say(eb, es, "\"%s\" must be a whole number.", f->name);
			*(int *) values = (int) i64;
			return NULL;
		case CC_FIELD_INT64:
			if (f->shape == CC_SHAPE_SCALAR)
			{
				if (!take_int64(v, (int64_t *) values))
					return say(eb, es, "\"%s\" must be a whole number.", f->name);
				return NULL;
			}
			if (v->type != J_ARRAY || v->count != n)
				return say(eb, es, "\"%s\" must have %d entries, one per segment.",
						   f->name, (int) n);
			for (i = 0; i < n; i++)
				if (!take_int64(&v->items[i], &((int64_t *) values)[i]))
					return say(eb, es, "\"%s\" must hold whole numbers.", f->name);
			return NULL;
		case CC_FIELD_DOUBLE:
			break;
	}
	if (f->shape == CC_SHAPE_SCALAR)
		return take_double(v, f->nulls, (double *) values) ? NULL :
			"A measure is not a number.";
	if (f->shape == CC_SHAPE_K || f->shape == CC_SHAPE_D)
		return take_doubles(v, n, f->nulls, (double *) values) ? NULL :
			say(eb, es, "\"%s\" must be an array of %d numbers%s.", f->name,
				(int) n, f->nulls ? " or nulls" : "");
	/* a matrix: k or CC_PCA_COMPONENTS rows of d */
	{
		size_t		rows = n / (size_t) m->d;

		if (v->type != J_ARRAY || v->count != rows)
			return say(eb, es, "\"%s\" must have %d rows%s.", f->name, (int) rows,
					   f->shape == CC_SHAPE_KD ? ", one per segment" : "");
		for (i = 0; i < rows; i++)
			if (!take_doubles(&v->items[i], (size_t) m->d, f->nulls,
							  (double *) values + i * (size_t) m->d))
				return say(eb, es, "\"%s\" rows must hold %d numbers%s.", f->name,
						   m->d, f->nulls ? " or nulls" : "");
	}
	return NULL;
}

/*
 * Take the model from the parsed tree: the keys are "format", "k" and the
 * names of the fields, each once; a key may be missing only for an
 * optional field, which keeps its initial value.
 */
static const char *
extract(const JNode *root, CcModel *m, const CcAllocator *alloc, char *eb,
		size_t es)
{
	const JNode *v;
	int64_t		i64;
	size_t		i,
				j;
	int			k,
				fi,
				pass;
	const char *bad;

	if (root->type != J_OBJECT)
		return "A ccseg_model value must be a JSON object.";
	for (i = 0; i < root->count; i++)
	{
		if (strcmp(root->keys[i], "format") != 0 && strcmp(root->keys[i], "k") != 0 &&
			cc_model_field_find(root->keys[i]) == NULL)
			return say(eb, es, "Unknown key \"%.*s\".", KEY40(root->keys[i]));
		for (j = 0; j < i; j++)
			if (strcmp(root->keys[i], root->keys[j]) == 0)
				return say(eb, es, "Key \"%.*s\" appears twice.", KEY40(root->keys[i]));
	}
	if (field(root, "format") == NULL)
		return "Key \"format\" is missing.";
	if (field(root, "k") == NULL)
		return "Key \"k\" is missing.";
	for (fi = 0; fi < cc_model_nfields; fi++)
		if (!cc_model_fields[fi].optional && field(root, cc_model_fields[fi].name) == NULL)
			return say(eb, es, "Key \"%s\" is missing.", cc_model_fields[fi].name);

	if (!take_int64(field(root, "format"), &i64) ||
		i64 < CC_MODEL_FORMAT_MIN || i64 > CC_MODEL_FORMAT)
		return say(eb, es, "Unsupported format version; this build reads formats %d to %d.",
				   CC_MODEL_FORMAT_MIN, CC_MODEL_FORMAT);
	if (!take_int64(field(root, "k"), &i64) || i64 < 1 || i64 > CC_MAX_K)
		return "\"k\" is out of range.";
	k = (int) i64;
	v = field(root, "features");
	if (v->type != J_ARRAY || v->count < 1 || v->count > CC_MAX_FEATURES)
		return "\"features\" must be an array of 1 to 1600 names.";

	cc_model_alloc(m, k, (int) v->count, alloc);
	for (pass = 0; pass < EXTRACT_PASSES; pass++)
		for (fi = 0; fi < cc_model_nfields; fi++)
		{
			const CcModelField *f = &cc_model_fields[fi];

			if (extract_pass(f) != pass || (v = field(root, f->name)) == NULL)
				continue;
			if ((bad = take_field(f, v, m, alloc, eb, es)) != NULL)
				return bad;
		}
	return cc_model_validate(m);
}

/* Write the JSON text form of m through out; see model_io.h. */
void
cc_model_to_json(const CcModel *m, const CcJsonOut *out)
{
	char		num[32];
	int			fi;

	snprintf(num, sizeof(num), "%d", CC_MODEL_FORMAT);
	out->text(out->arg, "{\"format\": ");
	out->text(out->arg, num);
	snprintf(num, sizeof(num), "%d", m->k);
	out->text(out->arg, ", \"k\": ");
	out->text(out->arg, num);
	for (fi = 0; fi < cc_model_fields_used(m); fi++)
	{
		const CcModelField *f = &cc_model_fields[fi];
		const void *values = cc_model_field_values(f, m);
		bool		matrix = f->shape == CC_SHAPE_KD || f->shape == CC_SHAPE_PD;
		size_t		n = cc_model_field_count(f, m),
					row = matrix ? (size_t) m->d : n,
					i;

		out->text(out->arg, ", \"");
		out->text(out->arg, f->name);
		out->text(out->arg, "\": ");
		if (f->kind == CC_FIELD_IMPUTE || f->kind == CC_FIELD_SCALE)
		{
			out->text(out->arg, "\"");
			out->text(out->arg, f->kind == CC_FIELD_IMPUTE ?
					  cc_impute_name(m->impute) : cc_scale_name(m->scale));
			out->text(out->arg, "\"");
			continue;
		}
		if (f->shape != CC_SHAPE_SCALAR)
			out->text(out->arg, matrix ? "[[" : "[");
		for (i = 0; i < n; i++)
		{
			if (i > 0)
				out->text(out->arg, i % row == 0 ? "], [" : ", ");
			switch (f->kind)
			{
				case CC_FIELD_NAMES:
					out->string(out->arg, ((char *const *) values)[i]);
					break;
				case CC_FIELD_TEXTS:
					if (((char *const *) values)[i] == NULL)
						out->text(out->arg, "null");
					else
						out->string(out->arg, ((char *const *) values)[i]);
					break;
				case CC_FIELD_DOUBLE:
					if (isnan(((const double *) values)[i]))
						out->text(out->arg, "null");
					else
						out->number(out->arg, ((const double *) values)[i]);
					break;
				case CC_FIELD_INT:
					snprintf(num, sizeof(num), "%d", ((const int *) values)[i]);
					out->text(out->arg, num);
					break;
				case CC_FIELD_TRANSFORM:
					out->string(out->arg, cc_transforms[((const int *) values)[i]].name);
					break;
				default:
					snprintf(num, sizeof(num), "%" PRId64, ((const int64_t *) values)[i]);
					out->text(out->arg, num);
					break;
			}
		}
		if (f->shape != CC_SHAPE_SCALAR)
			out->text(out->arg, matrix ? "]]" : "]");
	}
	out->text(out->arg, "}");
}

/* Parse the JSON text form; see model_io.h. */
const char *
cc_model_from_json(const char *text, size_t len, CcModel *m,
				   const CcAllocator *alloc, char *errbuf, size_t errlen)
{
	JParser		js;
	JNode		root;
	const char *err;

	memset(m, 0, sizeof(*m));
	memset(&root, 0, sizeof(root));
	js.p = text;
	js.end = text + len;
	js.alloc = alloc;
	js.error = NULL;
	if (!parse_value(&js, &root, 0))
		err = say(errbuf, errlen, "Not valid JSON at character %ld: %s",
				  (long) (js.p - text) + 1, js.error);
	else
	{
		skip_space(&js);
		err = js.p != js.end ?
			say(errbuf, errlen, "Text follows the JSON value at character %ld.",
				(long) (js.p - text) + 1) :
			extract(&root, m, alloc, errbuf, errlen);
	}
	free_node(&root, alloc);
	return err;
}

/* ---------- binary form ---------- */

/*
 * Format 2: uint32 format, k, d and the number of fields, then the fields
 * as the flat form holds them (cc_model_fields_write), in network byte
 * order.
 */
#define WIRE_HEADER_BYTES	(4 * 4)

static void
w_u32(unsigned char **p, uint32_t v)
{
	int			i;

	for (i = 3; i >= 0; i--)
		*(*p)++ = (unsigned char) (v >> (8 * i));
}

/* Bytes of the binary form. */
size_t
cc_model_wire_size(const CcModel *m)
{
	return WIRE_HEADER_BYTES + cc_model_fields_size(m);
}

/* Write the binary form of m (format 2) into buf. */
void
cc_model_to_wire(const CcModel *m, unsigned char *buf)
{
	unsigned char *p = buf;

	w_u32(&p, CC_MODEL_FORMAT);
	w_u32(&p, (uint32_t) m->k);
	w_u32(&p, (uint32_t) m->d);
	w_u32(&p, (uint32_t) cc_model_fields_used(m));
	cc_model_fields_write(m, p, true);
}

/*
 * Format 1 (releases up to 0.4.0), still read: uint32 format, k, d,
 * impute, scale, iterations; uint64 rows; double inertia; each name as a
 * uint32 length and its bytes; for each feature its imputation value,
 * center, scale, mean, standard deviation and explained variance ratio;
 * the centroids; the principal axes; for each segment its size, squared
 * error, silhouette and drift; then silhouette, silhouette rows,
 * Calinski-Harabasz, Davies-Bouldin and the share of changed rows.
 */
typedef struct Wire
{
	const unsigned char *r;
	const unsigned char *end;
} Wire;

static bool
r_u32(Wire *w, uint32_t *v)
{
	int			i;

	if (w->end - w->r < 4)
		return false;
	*v = 0;
	for (i = 0; i < 4; i++)
		*v = (*v << 8) | *w->r++;
	return true;
}

static bool
r_u64(Wire *w, uint64_t *v)
{
	int			i;

	if (w->end - w->r < 8)
		return false;
	*v = 0;
	for (i = 0; i < 8; i++)
		*v = (*v << 8) | *w->r++;
	return true;
}

static bool
r_f64(Wire *w, double *v)
{
	uint64_t	u;

	if (!r_u64(w, &u))
		return false;
	memcpy(v, &u, 8);
	return true;
}

/* Read the rest of a format-1 binary value (after its format word). */
static const char *
from_wire_v1(Wire *w, CcModel *m, const CcAllocator *alloc)
{
	uint32_t	k,
				d,
				impute,
				scale,
				iterations;
	uint64_t	u;
	size_t		i;
	uint32_t	j;

	if (!r_u32(w, &k) || !r_u32(w, &d) ||
		!r_u32(w, &impute) || !r_u32(w, &scale) || !r_u32(w, &iterations))
		return "The value is truncated.";
	if (k < 1 || k > CC_MAX_K || d < 1 || d > CC_MAX_FEATURES ||
		impute >= CC_IMPUTE_COUNT || scale >= CC_SCALE_COUNT || iterations > 2147483647u)
		return "k, the number of features, a method or the iterations are out of range.";
	/* the fixed-size part must fit before anything is allocated */
	if ((size_t) (w->end - w->r) < 16 + (size_t) d * (4 + 48) + (size_t) k * d * 8 +
		(size_t) CC_PCA_COMPONENTS * d * 8 + (size_t) k * 32 + 40)
		return "The value is truncated.";
	cc_model_alloc(m, (int) k, (int) d, alloc);
	m->impute = (CcImpute) impute;
	m->scale = (CcScale) scale;
	m->iterations = (int) iterations;
	if (!r_u64(w, &u))
		return "The value is truncated.";
	m->rows = (int64_t) u;
	if (!r_f64(w, &m->inertia))
		return "The value is truncated.";
	for (j = 0; j < d; j++)
	{
		uint32_t	nlen;

		if (!r_u32(w, &nlen) || nlen > (uint32_t) (w->end - w->r))
			return "A feature name has an invalid length.";
		if (memchr(w->r, '\0', nlen) != NULL)
			return "A feature name holds a zero byte.";
		m->features[j] = cc_alloc_array(alloc, (size_t) nlen + 1, 1);
		memcpy(m->features[j], w->r, nlen);
		m->features[j][nlen] = '\0';
		w->r += nlen;
	}
	for (j = 0; j < d; j++)
		if (!r_f64(w, &m->impute_values[j]) || !r_f64(w, &m->center[j]) ||
			!r_f64(w, &m->scale_values[j]) || !r_f64(w, &m->feature_mean[j]) ||
			!r_f64(w, &m->feature_std[j]) || !r_f64(w, &m->pca_ratio[j]))
			return "The value is truncated.";
	for (i = 0; i < (size_t) k * d; i++)
		if (!r_f64(w, &m->centroids[i]))
			return "The value is truncated.";
	for (i = 0; i < (size_t) CC_PCA_COMPONENTS * d; i++)
		if (!r_f64(w, &m->pca_components[i]))
			return "The value is truncated.";
	for (j = 0; j < k; j++)
	{
		if (!r_u64(w, &u))
			return "The value is truncated.";
		m->sizes[j] = (int64_t) u;
		if (!r_f64(w, &m->sse[j]) || !r_f64(w, &m->segment_silhouette[j]) ||
			!r_f64(w, &m->segment_drift[j]))
			return "The value is truncated.";
	}
	if (!r_f64(w, &m->silhouette) || !r_u64(w, &u))
		return "The value is truncated.";
	m->silhouette_rows = (int64_t) u;
	if (!r_f64(w, &m->calinski_harabasz) || !r_f64(w, &m->davies_bouldin) ||
		!r_f64(w, &m->changed_share))
		return "The value is truncated.";
	if (w->r != w->end)
		return "The value has trailing bytes.";
	return cc_model_validate(m);
}

/* Read the binary form of format 1 or 2; see model_io.h. */
const char *
cc_model_from_wire(const unsigned char *buf, size_t len, CcModel *m,
				   const CcAllocator *alloc)
{
	Wire		w;
	uint32_t	format,
				k,
				d,
				nfields;
	const char *bad;

	memset(m, 0, sizeof(*m));
	w.r = buf;
	w.end = buf + len;
	if (!r_u32(&w, &format))
		return "The value is truncated.";
	if (format == 1)
		return from_wire_v1(&w, m, alloc);
	if (format != CC_MODEL_FORMAT)
		return "Unsupported format version.";
	if (!r_u32(&w, &k) || !r_u32(&w, &d) || !r_u32(&w, &nfields))
		return "The value is truncated.";
	if (k < 1 || k > CC_MAX_K || d < 1 || d > CC_MAX_FEATURES)
		return "k or the number of features is out of range.";
	if (nfields > (uint32_t) cc_model_nfields)
		return "The value has fields this build does not know.";
	/* the fixed-size part must fit before anything is allocated */
	if ((size_t) (w.end - w.r) < cc_model_fields_min_size((int) k, (int) d, (int) nfields))
		return "The value is truncated.";
	cc_model_alloc(m, (int) k, (int) d, alloc);
	if ((bad = cc_model_fields_read(&w.r, w.end, (int) nfields, true, m, alloc)) != NULL)
		return bad;
	if (w.r != w.end)
		return "The value has trailing bytes.";
	return cc_model_validate(m);
}
