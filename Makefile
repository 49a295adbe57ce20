# ccseg: k-means customer segmentation inside PostgreSQL (PGXS build)

EXTENSION = ccseg
EXTVERSION = 0.2.0

MODULE_big = ccseg
CORE_OBJS = src/core/rng.o src/core/matrix.o src/core/preprocess.o \
	src/core/kmeans.o src/core/model.o src/core/metrics.o src/core/stats.o src/core/linalg.o \
	src/core/hungarian.o src/core/align.o
GLUE_OBJS = src/ccseg.o src/options.o src/reader.o src/prepare.o \
	src/train.o src/elbow.o src/explore.o src/modeltype.o src/catalog.o \
	src/explain.o src/profile.o \
	src/predict.o
OBJS = $(CORE_OBJS) $(GLUE_OBJS)

# the first release's script and one upgrade script per release after it
DATA = sql/$(EXTENSION)--0.1.0.sql sql/$(EXTENSION)--0.1.0--0.2.0.sql

REGRESS = $(patsubst test/sql/%.sql,%,$(sort $(wildcard test/sql/*.sql)))
REGRESS_OPTS = --inputdir=test --load-extension=$(EXTENSION)
# concurrency: pg_isolation_regress runs test/specs/*.spec in installcheck too
ISOLATION = $(patsubst test/specs/%.spec,%,$(sort $(wildcard test/specs/*.spec)))
# results next to the pg_regress ones, so that expected/ serves both
ISOLATION_OPTS = --inputdir=test --outputdir=. --load-extension=$(EXTENSION)

PG_CONFIG ?= pg_config
# -Wextra's unused-parameter check fires inside PostgreSQL 15's own headers
# (ilist.h, bufpage.h), so that one check is left off for the glue; the core
# is also built with everything on by the unittest rule below.
PG_CPPFLAGS += -Isrc/core
PG_CFLAGS += -Wall -Wextra -Werror -Wno-unused-parameter
SHLIB_LINK += -lm

# No LLVM bitcode for JIT inlining: clang would compile the numerics with
# other floating-point contraction rules, and an inlined copy could then
# round differently from the shared library.
override with_llvm = no

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)


# The numeric core's distance loops are written to vectorize; -O3 lets gcc do
# it.  No fast-math and no fused multiply-add: results stay bit-identical to
# the unit-test build and across the SIMD clones (see cc_common.h).
$(CORE_OBJS): CFLAGS += -O3 -ffp-contract=off -fno-math-errno

# PGXS tracks no header dependencies: rebuild when a header changes.
$(CORE_OBJS): $(wildcard src/core/*.h)
$(GLUE_OBJS): src/ccseg.h $(wildcard src/core/*.h)

# Standalone unit tests of the numeric core: no PostgreSQL headers involved.
UNIT_CFLAGS = -std=c99 -O2 -g -ffp-contract=off -Wall -Wextra -Werror -pedantic -Isrc/core
CORE_SRCS = $(CORE_OBJS:.o=.c)

test/unit/test_core: test/unit/test_core.c $(CORE_SRCS) src/core/*.h
	$(CC) $(UNIT_CFLAGS) -o $@ test/unit/test_core.c $(CORE_SRCS) -lm

.PHONY: unittest
unittest: test/unit/test_core
	test/unit/test_core

EXTRA_CLEAN = test/unit/test_core results regression.diffs regression.out output_iso
