# ccseg: k-means customer segmentation inside PostgreSQL (PGXS build)

EXTENSION = ccseg
EXTVERSION = 0.5.0

MODULE_big = ccseg
CORE_OBJS = src/core/alloc.o src/core/rng.o src/core/matrix.o src/core/preprocess.o \
	src/core/kmeans.o src/core/model.o src/core/metrics.o src/core/stats.o src/core/linalg.o \
	src/core/hungarian.o src/core/align.o src/core/parallel.o \
	src/core/model_io.o src/core/decimal.o src/core/exactsum.o \
	src/core/pass.o src/core/category.o
GLUE_OBJS = src/ccseg.o src/options.o src/reader.o src/prepare.o src/pipeline.o \
	src/train.o src/refine.o src/elbow.o src/explore.o src/modeltype.o src/catalog.o \
	src/row_insight.o src/profile.o src/generate.o src/aggregate.o \
	src/predict.o src/support.o src/lloyd_pass.o src/catalog_write.o \
	src/sample.o src/parallel_read.o
OBJS = $(CORE_OBJS) $(GLUE_OBJS)

# the complete script of the current version (what CREATE EXTENSION runs), the
# first release's script and one update script per release after it
DATA = sql/$(EXTENSION)--0.1.0.sql sql/$(EXTENSION)--0.1.0--0.2.0.sql \
	sql/$(EXTENSION)--0.2.0--0.3.0.sql sql/$(EXTENSION)--0.3.0--0.4.0.sql \
	sql/$(EXTENSION)--0.4.0--0.5.0.sql \
	sql/$(EXTENSION)--$(EXTVERSION).sql

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
PG_CFLAGS += -Wall -Wextra -Wno-unused-parameter
# Warnings are errors with WERROR=1, as the test command builds; a packager's
# build (newer compilers warn about more) only warns.
WERROR ?= 0
ifeq ($(WERROR),1)
PG_CFLAGS += -Werror
WERROR_FLAG = -Werror
endif
SHLIB_LINK += -lm

# No LLVM bitcode for JIT inlining: clang would compile the numerics with
# other floating-point contraction rules, and an inlined copy could then
# round differently from the shared library.
override with_llvm = no

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)


# The numeric core's distance loops are written to vectorize; -O3 lets gcc do
# it.  No fast-math and no fused multiply-add: results stay bit-identical to
# the unit-test build and across the SIMD clones (see cc_common.h).  The core
# includes no PostgreSQL header and puns types only through memcpy, so it
# gets back the strict aliasing that PostgreSQL's flags turn off (the unit
# tests build it that way too): about 8% faster k-means.
$(CORE_OBJS): CFLAGS += -O3 -ffp-contract=off -fno-math-errno -fstrict-aliasing

# PGXS tracks no header dependencies: rebuild when a header changes.
$(CORE_OBJS): $(wildcard src/core/*.h)
$(GLUE_OBJS): $(wildcard src/*.h) $(wildcard src/core/*.h)

# Standalone unit tests of the numeric core: no PostgreSQL headers involved.
UNIT_CFLAGS = -std=c99 -O2 -g -ffp-contract=off -Wall -Wextra $(WERROR_FLAG) -pedantic -Isrc/core
CORE_SRCS = $(CORE_OBJS:.o=.c)
# main.c, the shared harness and one test file per core module
UNIT_SRCS = $(sort $(wildcard test/unit/*.c))

test/unit/test_core: $(UNIT_SRCS) test/unit/*.h $(CORE_SRCS) src/core/*.h
	$(CC) $(UNIT_CFLAGS) -o $@ $(UNIT_SRCS) $(CORE_SRCS) -lm

.PHONY: unittest
unittest: test/unit/test_core
	test/unit/test_core

# The unit tests under AddressSanitizer + UndefinedBehaviorSanitizer, and
# under valgrind memcheck: both must be clean.
test/unit/test_core_asan: $(UNIT_SRCS) test/unit/*.h $(CORE_SRCS) src/core/*.h
	$(CC) $(UNIT_CFLAGS) -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
		-fno-omit-frame-pointer -o $@ $(UNIT_SRCS) $(CORE_SRCS) -lm

# The same tests with the baseline code only (no AVX2 clones): both must
# pass and print the same digest of k-means and silhouette results.
test/unit/test_core_baseline: $(UNIT_SRCS) test/unit/*.h $(CORE_SRCS) src/core/*.h
	$(CC) $(UNIT_CFLAGS) -DCC_NO_SIMD_CLONES -o $@ $(UNIT_SRCS) $(CORE_SRCS) -lm

.PHONY: unittest-clones
unittest-clones: test/unit/test_core test/unit/test_core_baseline
	test/unit/test_core > test/unit/clones.out
	test/unit/test_core_baseline > test/unit/baseline.out
	grep '^digest:' test/unit/clones.out
	grep '^digest:' test/unit/baseline.out
	test "$$(grep '^digest:' test/unit/clones.out)" = "$$(grep '^digest:' test/unit/baseline.out)"

.PHONY: unittest-asan unittest-valgrind
unittest-asan: test/unit/test_core_asan
	ASAN_OPTIONS=detect_leaks=1 test/unit/test_core_asan

unittest-valgrind: test/unit/test_core
	valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite,indirect \
		--error-exitcode=99 test/unit/test_core

# libFuzzer targets on the core (clang from Debian): make fuzz FUZZ_SECONDS=60
FUZZ_SECONDS ?= 60
FUZZ_TARGETS = fuzz_model_flat fuzz_model_json fuzz_model_wire fuzz_kmeans fuzz_exact
FUZZ_CFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-ffp-contract=off -Isrc/core
CLANG ?= clang-14

test/fuzz/%: test/fuzz/%.c $(CORE_SRCS) src/core/*.h
	$(CLANG) $(FUZZ_CFLAGS) -o $@ $< $(CORE_SRCS) -lm

test/fuzz/seed_model: test/fuzz/seed_model.c $(CORE_SRCS) src/core/*.h
	$(CC) $(UNIT_CFLAGS) -o $@ $< $(CORE_SRCS) -lm

.PHONY: fuzz
fuzz: $(addprefix test/fuzz/,$(FUZZ_TARGETS)) test/fuzz/seed_model
	for t in $(FUZZ_TARGETS); do mkdir -p test/fuzz/corpus/$$t; done
	test/fuzz/seed_model test/fuzz/corpus/fuzz_model_flat/seed \
		test/fuzz/corpus/fuzz_model_json/seed test/fuzz/corpus/fuzz_model_wire/seed \
		test/fuzz/corpus/fuzz_exact/seed_pass
	for t in $(FUZZ_TARGETS); do \
		if ls test/fuzz/regressions/$$t/* >/dev/null 2>&1; then \
			test/fuzz/$$t test/fuzz/regressions/$$t/* || exit 1; \
		fi; \
	done
	for t in $(FUZZ_TARGETS); do \
		test/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
			-artifact_prefix=test/fuzz/crash- test/fuzz/corpus/$$t || exit 1; \
	done

EXTRA_CLEAN = test/unit/test_core_asan test/unit/test_core_baseline test/unit/clones.out test/unit/baseline.out $(addprefix test/fuzz/,$(FUZZ_TARGETS)) \
	test/fuzz/seed_model test/fuzz/corpus test/unit/test_core results regression.diffs regression.out output_iso
