/*
 * parallel_read.c
 *		Read the features of a plain table with parallel workers, and hand
 *		the rows to the leader in the order a serial scan from the first
 *		block gives them.
 *
 * The table is cut into chunks of consecutive blocks.  Workers claim chunks
 * in order (an atomic counter), scan a chunk's blocks with the leader's
 * snapshot, convert the features to doubles into a slot of shared memory,
 * and mark it ready; the leader takes the chunks in order, chunk c from
 * slot c mod nslots, and frees the slot for chunk c + nslots.  So the rows
 * come in block order, and within a block in line pointer order, whatever
 * the number of workers: the same rows in the same order as the serial
 * read, which gives the same sample and the same model, bit for bit.
 *
 * Only a table that a plain SELECT would read the same way is read so: a
 * permanent or unlogged heap table without inheritance children, without
 * row-level security for the caller, with SELECT privilege on the columns
 * read.  Anything else (views, partitioned and foreign tables, row-level
 * security, a missing privilege, too small a table, no worker available)
 * returns false, and the caller reads through SPI, where the executor
 * applies all of it.
 *
 * A Lloyd pass over every row of such a table (ccseg_parallel_pass) takes
 * the same scan apart differently: the workers and the leader claim chunks
 * in any order and each adds its rows to a pass of its own, with the steps
 * and errors of the pass aggregate (ccseg_pass_add_row); the leader merges
 * the passes.  Their sums are exact, so the result is the same bits as the
 * aggregate's, whatever the order.
 */
#include "postgres.h"

#include <math.h>

#include "access/heapam.h"
#include "access/parallel.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_class.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "optimizer/cost.h"
#include "optimizer/paths.h"
#include "port/atomics.h"
#include "storage/bufmgr.h"
#include "storage/condition_variable.h"
#include "utils/acl.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
#include "utils/typcache.h"
#include "utils/wait_event.h"

#include "ccseg.h"
#include "modeltype.h"
#include "parallel_read.h"
#include "refine.h"

#define PR_KEY_SHARED		UINT64CONST(0xCC5E6EAD00000001)
#define PR_SLOT_BYTES		(1024 * 1024)	/* aim for a slot's data */
#define PR_SLOTS_PER_WORKER	4
#define PR_MAX_BYTES		(16 * 1024 * 1024)	/* else read through SPI */
#define PR_PASS_CHUNK_BLOCKS 64	/* a pass's chunk: 512kB of table */

#define PR_MODE_ROWS		0	/* rows to the leader, in scan order */
#define PR_MODE_PASS		1	/* a Lloyd pass in every process */

/* One slot of converted rows: chunk turn is in it when ready is 1. */
#define PR_ID_BYTES			64	/* an id kept for the order check, at most */

/* An id value as a slot keeps it: the Datum of a by-value type, else its bytes. */
typedef struct PrId
{
	Datum		value;			/* a by-value type's */
	int32		len;			/* bytes of a by-reference one, -1 when it
								 * does not fit (or is toasted) */
	union
	{
		double		align;
		char		bytes[PR_ID_BYTES];
	}			data;
} PrId;

typedef struct PrSlot
{
	pg_atomic_uint64 turn;		/* the chunk that fills it next, or fills it */
	pg_atomic_uint32 ready;
	uint32		rows;
	int32		bad_row;		/* -1, or the row that has a non-finite value */
	int32		bad_column;
	/* with an id column: */
	bool		ordered;		/* ids non-decreasing and not null, row by row */
	PrId		first;			/* the chunk's first id and last id, when it */
	PrId		last;			/* has rows */
} PrSlot;

/* The shared state, followed by the columns, the slots and their data. */
typedef struct PrShared
{
	int			mode;			/* PR_MODE_ROWS or PR_MODE_PASS */
	Oid			relid;
	int			d;
	int			natts;			/* attributes to deform: the last one read */
	int			id_attnum;		/* 0-based attribute of the id whose order is
								 * checked, or -1 */
	Oid			id_type;
	Oid			id_collation;
	BlockNumber nblocks;
	BlockNumber chunk_blocks;
	uint64		nchunks;
	int			nslots;
	uint32		slot_rows;		/* room in a slot, in rows */
	Size		attnum_off;		/* int16 [d]: 0-based attribute numbers */
	Size		conv_off;		/* int32 [d]: CcsegConv */
	Size		slots_off;		/* PrSlot [nslots] */
	Size		data_off;		/* double [nslots][slot_rows * d] */
	Size		model_off;		/* PR_MODE_PASS: the model value (varlena) */
	Size		results_off;	/* and a flattened pass per worker */
	Size		result_size;	/* cc_pass_flat_size(k, d) */
	int			nresults;		/* workers asked for */
	pg_atomic_uint64 next_chunk;
	pg_atomic_uint32 stop;		/* the leader needs no more rows */
	ConditionVariable cv;		/* a slot changed */
} PrShared;

PGDLLEXPORT void ccseg_parallel_read_main(dsm_segment *seg, shm_toc *toc);

#define PR_ATTNUM(sh)	((int16 *) ((char *) (sh) + (sh)->attnum_off))
#define PR_CONV(sh)		((int32 *) ((char *) (sh) + (sh)->conv_off))
#define PR_SLOT(sh, s)	(((PrSlot *) ((char *) (sh) + (sh)->slots_off)) + (s))
#define PR_DATA(sh, s)	((double *) ((char *) (sh) + (sh)->data_off) + \
						 (Size) (s) * (sh)->slot_rows * (sh)->d)
#define PR_MODEL(sh)	((struct varlena *) ((char *) (sh) + (sh)->model_off))
#define PR_RESULT(sh, w) ((char *) (sh) + (sh)->results_off + \
						  (Size) (w) * MAXALIGN((sh)->result_size))

/* A process's own pass: the model parsed and its buffers. */
typedef struct PrPass
{
	CcModel		model;
	CcPass		pass;
	double	   *ct;				/* d x k: the centroids transposed */
	double	   *raw;			/* d */
	double	   *z;				/* d */
	double	   *dist;			/* k */
} PrPass;

static void pass_begin(PrPass *pp, struct varlena *model);
static void pass_chunks(PrShared *sh, PrPass *pp);

/*
 * The order check of an id column: its type's comparison (that of the
 * default btree operator class, which ORDER BY uses) under its collation,
 * and a memory context for the copies of a chunk's ids.
 */
typedef struct IdOrder
{
	FmgrInfo   *cmp;
	Oid			collation;
	bool		typbyval;
	int16		typlen;
	MemoryContext cxt;
} IdOrder;

static void
id_order_init(IdOrder *io, Oid type, Oid collation)
{
	TypeCacheEntry *tc = lookup_type_cache(type, TYPECACHE_CMP_PROC_FINFO);

	if (!OidIsValid(tc->cmp_proc_finfo.fn_oid))
		elog(ERROR, "type %u has no comparison function", type);
	io->cmp = &tc->cmp_proc_finfo;
	io->collation = collation;
	io->typbyval = tc->typbyval;
	io->typlen = tc->typlen;
	io->cxt = AllocSetContextCreate(CurrentMemoryContext, "ccseg id order",
									ALLOCSET_DEFAULT_SIZES);
}

static int32
id_compare(IdOrder *io, Datum a, Datum b)
{
	return DatumGetInt32(FunctionCall2Coll(io->cmp, io->collation, a, b));
}

/* Keep id in *out, in the bytes of a slot (len -1 when it does not fit). */
static void
id_keep(IdOrder *io, Datum id, PrId *out)
{
	Size		len;

	if (io->typbyval)
	{
		out->value = id;
		out->len = 0;
		return;
	}
	if (io->typlen == -1 && VARATT_IS_EXTERNAL(DatumGetPointer(id)))
	{
		out->len = -1;			/* toasted out of line: not worth it for an id */
		return;
	}
	len = datumGetSize(id, false, io->typlen);
	if (len > PR_ID_BYTES)
	{
		out->len = -1;
		return;
	}
	memcpy(out->data.bytes, DatumGetPointer(id), len);
	out->len = (int32) len;
}

/* The Datum of a kept id, or false when it was not kept. */
static bool
id_datum(IdOrder *io, PrId *kept, Datum *out)
{
	if (io->typbyval)
	{
		*out = kept->value;
		return true;
	}
	if (kept->len < 0)
		return false;
	*out = PointerGetDatum(kept->data.bytes);
	return true;
}

/*
 * Scan the blocks of chunk into its slot: the features of each row as
 * doubles, NULL as NaN; a NaN or infinite value ends the chunk there, with
 * its place in bad_row and bad_column.
 */
static void
fill_chunk(PrShared *sh, TableScanDesc scan, TupleTableSlot *slot,
		   uint64 chunk, PrSlot *ps, double *data, IdOrder *io)
{
	BlockNumber start = (BlockNumber) (chunk * sh->chunk_blocks);
	BlockNumber nb = Min(sh->chunk_blocks, sh->nblocks - start);
	const int16 *attnum = PR_ATTNUM(sh);
	const int32 *conv = PR_CONV(sh);
	int			d = sh->d;
	uint32		rows = 0;
	Datum		prev = (Datum) 0;

	ps->bad_row = -1;
	ps->bad_column = -1;
	ps->ordered = true;
	if (io != NULL)
		MemoryContextReset(io->cxt);
	table_rescan(scan, NULL);
	heap_setscanlimits(scan, start, nb);
	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		double	   *row;
		int			j;

		if (rows >= sh->slot_rows)
			elog(ERROR, "more rows in %u blocks than a slot holds", nb);
		row = data + (Size) rows * d;
		slot_getsomeattrs(slot, sh->natts);
		if (io != NULL)
		{
			Datum		id = slot->tts_values[sh->id_attnum];

			if (slot->tts_isnull[sh->id_attnum])
				ps->ordered = false;
			else
			{
				if (rows > 0 && id_compare(io, prev, id) > 0)
					ps->ordered = false;
				if (rows == 0)
					id_keep(io, id, &ps->first);
				if (io->typbyval)
					prev = id;
				else
				{
					/* the slot's tuple changes with the next row */
					MemoryContext old = MemoryContextSwitchTo(io->cxt);

					prev = datumCopy(id, false, io->typlen);
					MemoryContextSwitchTo(old);
				}
			}
		}
		for (j = 0; j < d; j++)
		{
			int			a = attnum[j];

			if (slot->tts_isnull[a])
				row[j] = NAN;
			else
			{
				row[j] = ccseg_datum_to_double(slot->tts_values[a], (CcsegConv) conv[j]);
				if (!isfinite(row[j]))
				{
					ps->bad_row = (int32) rows;
					ps->bad_column = j;
					ps->rows = rows;
					/* the read stops at this row: no later chunk follows */
					if (io != NULL && rows > 0 && ps->ordered)
						id_keep(io, prev, &ps->last);
					return;
				}
			}
		}
		rows++;
		if (rows % 4096 == 0)
			CHECK_FOR_INTERRUPTS();
	}
	ps->rows = rows;
	if (io != NULL && rows > 0 && ps->ordered)
		id_keep(io, prev, &ps->last);
}

/*
 * A parallel worker: fill chunks until there are none left or the leader
 * stops; or, for a pass, add the rows of the chunks it claims to a pass of
 * its own, left flattened in its result area.
 */
void
ccseg_parallel_read_main(dsm_segment *seg, shm_toc *toc)
{
	PrShared   *sh = shm_toc_lookup(toc, PR_KEY_SHARED, false);
	Relation	rel;
	TableScanDesc scan;
	TupleTableSlot *slot;
	IdOrder		io;

	if (sh->mode == PR_MODE_PASS)
	{
		PrPass		pp;

		if (ParallelWorkerNumber < 0 || ParallelWorkerNumber >= sh->nresults)
			elog(ERROR, "ccseg parallel pass worker %d of %d", ParallelWorkerNumber,
				 sh->nresults);
		pass_begin(&pp, PR_MODEL(sh));
		pass_chunks(sh, &pp);
		cc_pass_flatten(&pp.pass, PR_RESULT(sh, ParallelWorkerNumber));
		return;
	}
	rel = table_open(sh->relid, AccessShareLock);
	scan = table_beginscan_strat(rel, GetActiveSnapshot(), 0, NULL, true, false);
	slot = table_slot_create(rel, NULL);
	if (sh->id_attnum >= 0)
		id_order_init(&io, sh->id_type, sh->id_collation);

	for (;;)
	{
		uint64		chunk = pg_atomic_fetch_add_u64(&sh->next_chunk, 1);
		int			s;
		PrSlot	   *ps;
		bool		stop = false;

		if (chunk >= sh->nchunks)
			break;
		s = (int) (chunk % sh->nslots);
		ps = PR_SLOT(sh, s);
		/* wait until the leader has taken the slot's previous chunk */
		ConditionVariablePrepareToSleep(&sh->cv);
		while (pg_atomic_read_u64(&ps->turn) != chunk ||
			   pg_atomic_read_u32(&ps->ready) != 0)
		{
			if (pg_atomic_read_u32(&sh->stop) != 0)
			{
				stop = true;
				break;
			}
			ConditionVariableSleep(&sh->cv, PG_WAIT_EXTENSION);
		}
		ConditionVariableCancelSleep();
		if (stop || pg_atomic_read_u32(&sh->stop) != 0)
			break;
		pg_read_barrier();
		fill_chunk(sh, scan, slot, chunk, ps, PR_DATA(sh, s),
				   sh->id_attnum >= 0 ? &io : NULL);
		pg_write_barrier();
		pg_atomic_write_u32(&ps->ready, 1);
		ConditionVariableBroadcast(&sh->cv);
	}
	ExecDropSingleTupleTableSlot(slot);
	table_endscan(scan);
	table_close(rel, AccessShareLock);
}

/*
 * How many workers to ask for: one, and one more each time the table is
 * three times larger than the last threshold, from
 * min_parallel_table_scan_size (as PostgreSQL sizes a parallel scan), up to
 * max_parallel_workers_per_gather; 0 when the table is below the minimum.
 */
static int
workers_for(BlockNumber nblocks)
{
	double		threshold = Max(min_parallel_table_scan_size, 1);
	int			workers;

	if ((double) nblocks < (double) min_parallel_table_scan_size || nblocks == 0)
		return 0;
	workers = 1;
	while ((double) nblocks >= threshold * 3.0 && workers < max_parallel_workers_per_gather)
	{
		workers++;
		threshold *= 3.0;
	}
	return Min(workers, max_parallel_workers_per_gather);
}

/*
 * Whether the caller may read rel's feature columns f (0-based attribute
 * numbers in attnum) straight from the table: SELECT on the table or on
 * each of them, and no row-level security for the caller.
 */
static bool
readable_directly(Relation rel, const int16 *attnum, int d)
{
	Oid			relid = RelationGetRelid(rel);
	Oid			user = GetUserId();
	int			j;

	if (check_enable_rls(relid, InvalidOid, true) == RLS_ENABLED)
		return false;
	if (pg_class_aclcheck(relid, user, ACL_SELECT) == ACLCHECK_OK)
		return true;
	for (j = 0; j < d; j++)
		if (pg_attribute_aclcheck(relid, attnum[j] + 1, user, ACL_SELECT) != ACLCHECK_OK)
			return false;
	return true;
}

/*
 * Read the features f of relid with parallel workers, calling row_fn for
 * each row in the order of a serial scan (see the file's comment), or
 * bad_fn for a row with a NaN or infinite value; stop when row_fn returns
 * false.  Returns false, having read nothing, when the table is not one to
 * read so or no worker starts: then the caller reads through SPI.
 */
/*
 * Whether relid is a table to read so, and with how many workers: 0 when
 * not (see the file's comment).  *attnum (palloc'd) receives the 0-based
 * attribute numbers of f's columns, *natts the attributes to deform and
 * *nblocks the table's size.
 */
static int
plan_read(Oid relid, const CcsegFeatures *f, const char *id_column,
		  int16 **attnum_out, int *natts_out, BlockNumber *nblocks_out,
		  int *id_att_out, Oid *id_type_out, Oid *id_collation_out)
{
	int			d = f->d;
	Relation	rel;
	BlockNumber nblocks;
	int16	   *attnum;
	int			natts = 0;
	int			id_att = -1;
	int			j;

	if (max_parallel_workers_per_gather <= 0 || IsInParallelMode())
		return 0;
	rel = relation_open(relid, AccessShareLock);
	if (rel->rd_rel->relkind != RELKIND_RELATION ||
		rel->rd_rel->relhassubclass ||
		rel->rd_rel->relpersistence == RELPERSISTENCE_TEMP ||
		rel->rd_tableam != GetHeapamTableAmRoutine())
	{
		relation_close(rel, NoLock);
		return 0;
	}
	attnum = palloc(sizeof(int16) * d);
	for (j = 0; j < d; j++)
	{
		int			a = ccseg_find_column(RelationGetDescr(rel), f->names[j]);

		if (a < 0)
		{
			relation_close(rel, NoLock);
			return 0;			/* let the SPI path report it */
		}
		attnum[j] = (int16) a;
		natts = Max(natts, a + 1);
	}
	if (!readable_directly(rel, attnum, d))
	{
		relation_close(rel, NoLock);
		return 0;
	}
	if (id_column != NULL)
	{
		Form_pg_attribute att;
		int16		one;

		id_att = ccseg_find_column(RelationGetDescr(rel), id_column);
		if (id_att < 0)
		{
			relation_close(rel, NoLock);
			return 0;
		}
		one = (int16) id_att;
		att = TupleDescAttr(RelationGetDescr(rel), id_att);
		if (!readable_directly(rel, &one, 1) ||
			!OidIsValid(lookup_type_cache(att->atttypid,
										  TYPECACHE_CMP_PROC)->cmp_proc))
		{
			relation_close(rel, NoLock);
			return 0;
		}
		*id_type_out = att->atttypid;
		*id_collation_out = att->attcollation;
		natts = Max(natts, id_att + 1);
	}
	*id_att_out = id_att;
	nblocks = RelationGetNumberOfBlocks(rel);
	relation_close(rel, NoLock);	/* the lock stays until the transaction ends */
	*attnum_out = attnum;
	*natts_out = natts;
	*nblocks_out = nblocks;
	return workers_for(nblocks);
}

/* The shared state's fields that every mode has, and its columns. */
static void
init_shared(PrShared *sh, int mode, Oid relid, const CcsegFeatures *f,
			const int16 *attnum, int natts, BlockNumber nblocks,
			BlockNumber chunk_blocks)
{
	Size		off = MAXALIGN(sizeof(PrShared));
	int			j;

	memset(sh, 0, sizeof(PrShared));
	sh->mode = mode;
	sh->relid = relid;
	sh->d = f->d;
	sh->natts = natts;
	sh->id_attnum = -1;
	sh->nblocks = nblocks;
	sh->chunk_blocks = chunk_blocks;
	sh->nchunks = (nblocks + chunk_blocks - 1) / chunk_blocks;
	sh->attnum_off = off;
	off += MAXALIGN(sizeof(int16) * f->d);
	sh->conv_off = off;
	for (j = 0; j < f->d; j++)
	{
		PR_ATTNUM(sh)[j] = attnum[j];
		PR_CONV(sh)[j] = (int32) f->conv[j];
	}
	pg_atomic_init_u64(&sh->next_chunk, 0);
	pg_atomic_init_u32(&sh->stop, 0);
	ConditionVariableInit(&sh->cv);
}

/* Room for the shared state's fixed part and its columns. */
static Size
shared_head_size(int d)
{
	return MAXALIGN(sizeof(PrShared)) + MAXALIGN(sizeof(int16) * d) +
		MAXALIGN(sizeof(int32) * d);
}

/*
 * Enter parallel mode with a context for nworkers workers and size bytes of
 * shared state; NULL (parallel mode left) when no shared memory is to be
 * had.
 */
static PrShared *
shared_create(int nworkers, Size size, ParallelContext **pcxt_out)
{
	ParallelContext *pcxt;

	EnterParallelMode();
	pcxt = CreateParallelContext("ccseg", "ccseg_parallel_read_main", nworkers);
	shm_toc_estimate_chunk(&pcxt->estimator, size);
	shm_toc_estimate_keys(&pcxt->estimator, 1);
	InitializeParallelDSM(pcxt);
	if (pcxt->seg == NULL)
	{
		DestroyParallelContext(pcxt);
		ExitParallelMode();
		return NULL;
	}
	*pcxt_out = pcxt;
	return shm_toc_allocate(pcxt->toc, size);
}

/*
 * Publish sh and start the workers; false (parallel mode left) when none
 * starts.  An error, if a worker failed to start, rather than a wait for it.
 */
static bool
workers_launch(ParallelContext *pcxt, PrShared *sh)
{
	shm_toc_insert(pcxt->toc, PR_KEY_SHARED, sh);
	LaunchParallelWorkers(pcxt);
	if (pcxt->nworkers_launched == 0)
	{
		DestroyParallelContext(pcxt);
		ExitParallelMode();
		return false;
	}
	WaitForParallelWorkersToAttach(pcxt);
	return true;
}

CcsegParallelRead
ccseg_parallel_read(Oid relid, const CcsegFeatures *f, const char *id_column,
					CcsegRowFn row_fn, CcsegBadFn bad_fn, void *arg)
{
	int			d = f->d;
	BlockNumber nblocks;
	int16	   *attnum;
	int			nworkers;
	int			natts = 0;
	int			j;
	ParallelContext *pcxt;
	PrShared   *sh;
	Size		size,
				off;
	BlockNumber chunk_blocks;
	uint32		slot_rows;
	int			nslots;
	uint64		nchunks,
				c;
	bool		stopped = false;
	bool		out_of_order = false;
	int			bad_column = -1;
	int			id_att;
	Oid			id_type = InvalidOid;
	Oid			id_collation = InvalidOid;
	IdOrder		io;
	PrId		last_id;
	bool		have_last = false;

	nworkers = plan_read(relid, f, id_column, &attnum, &natts, &nblocks,
						 &id_att, &id_type, &id_collation);
	if (nworkers == 0)
		return CCSEG_PR_NOT_READ;

	/* slots of about PR_SLOT_BYTES, at least one block each */
	chunk_blocks = (BlockNumber) Max(1, PR_SLOT_BYTES / ((Size) MaxHeapTuplesPerPage * d * sizeof(double)));
	slot_rows = chunk_blocks * MaxHeapTuplesPerPage;
	nchunks = (nblocks + chunk_blocks - 1) / chunk_blocks;
	nslots = nworkers * PR_SLOTS_PER_WORKER;

	off = shared_head_size(d);
	size = off + MAXALIGN(sizeof(PrSlot) * nslots);
	size = add_size(size, mul_size(mul_size((Size) nslots, slot_rows),
								   mul_size((Size) d, sizeof(double))));

	if (size > PR_MAX_BYTES)
		return CCSEG_PR_NOT_READ;	/* very wide rows: keep shared memory small */

	sh = shared_create(nworkers, size, &pcxt);
	if (sh == NULL)
		return CCSEG_PR_NOT_READ;
	init_shared(sh, PR_MODE_ROWS, relid, f, attnum, natts, nblocks, chunk_blocks);
	sh->id_attnum = id_att;
	sh->id_type = id_type;
	sh->id_collation = id_collation;
	if (id_att >= 0)
		id_order_init(&io, id_type, id_collation);
	sh->nslots = nslots;
	sh->slot_rows = slot_rows;
	sh->slots_off = off;
	off += MAXALIGN(sizeof(PrSlot) * nslots);
	sh->data_off = off;
	for (j = 0; j < nslots; j++)
	{
		PrSlot	   *ps = PR_SLOT(sh, j);

		pg_atomic_init_u64(&ps->turn, (uint64) j);
		pg_atomic_init_u32(&ps->ready, 0);
		ps->rows = 0;
		ps->bad_row = -1;
		ps->bad_column = -1;
	}
	if (!workers_launch(pcxt, sh))
		return CCSEG_PR_NOT_READ;

	for (c = 0; c < nchunks && !stopped; c++)
	{
		int			s = (int) (c % nslots);
		PrSlot	   *ps = PR_SLOT(sh, s);
		double	   *data = PR_DATA(sh, s);
		uint32		i;

		CHECK_FOR_INTERRUPTS();
		ConditionVariablePrepareToSleep(&sh->cv);
		while (pg_atomic_read_u64(&ps->turn) != c ||
			   pg_atomic_read_u32(&ps->ready) != 1)
			ConditionVariableSleep(&sh->cv, PG_WAIT_EXTENSION);
		ConditionVariableCancelSleep();
		pg_read_barrier();

		/*
		 * In id order, the rows of the chunk follow each other by id and its
		 * first follows the last of the chunks before: else the table is not
		 * in id order, and the caller reads it sorted instead.
		 */
		if (id_att >= 0 && ps->rows > 0)
		{
			Datum		a,
						b;

			if (!ps->ordered ||
				(have_last &&
				 (!id_datum(&io, &last_id, &a) || !id_datum(&io, &ps->first, &b) ||
				  id_compare(&io, a, b) > 0)))
			{
				out_of_order = true;
				stopped = true;
				break;
			}
			last_id = ps->last;
			have_last = true;
		}
		for (i = 0; i < ps->rows; i++)
			if (!row_fn(arg, data + (Size) i * d))
			{
				stopped = true;
				break;
			}
		if (!stopped && ps->bad_row >= 0)
		{
			bad_column = ps->bad_column;
			stopped = true;
		}
		/* the slot is free for chunk c + nslots */
		pg_atomic_write_u64(&ps->turn, c + nslots);
		pg_write_barrier();
		pg_atomic_write_u32(&ps->ready, 0);
		ConditionVariableBroadcast(&sh->cv);
	}
	if (stopped)
	{
		pg_atomic_write_u32(&sh->stop, 1);
		ConditionVariableBroadcast(&sh->cv);
	}
	WaitForParallelWorkersToFinish(pcxt);
	DestroyParallelContext(pcxt);
	ExitParallelMode();
	pfree(attnum);
	if (out_of_order)
		return CCSEG_PR_NOT_IN_ORDER;
	if (bad_column >= 0)
		bad_fn(arg, bad_column);
	return CCSEG_PR_READ;
}

/* Parse the model of a pass and make its buffers and empty statistics. */
static void
pass_begin(PrPass *pp, struct varlena *model)
{
	CcAllocator alloc;

	ccseg_model_parse(model, &pp->model, CurrentMemoryContext);
	pp->ct = palloc(sizeof(double) * pp->model.k * pp->model.d);
	cc_model_transpose(&pp->model, pp->ct);
	pp->raw = palloc(sizeof(double) * pp->model.d);
	pp->z = palloc(sizeof(double) * pp->model.d);
	pp->dist = palloc(sizeof(double) * pp->model.k);
	ccseg_allocator_init(&alloc, CurrentMemoryContext);
	cc_pass_init(&pp->pass, pp->model.k, pp->model.d, &alloc);
}

/*
 * Claim chunks of sh's table until there are none left, adding every row
 * of them to pp's pass: the values converted as the pass query's casts
 * convert them, a null as NaN, then ccseg_pass_add_row.
 */
static void
pass_chunks(PrShared *sh, PrPass *pp)
{
	Relation	rel = table_open(sh->relid, AccessShareLock);
	TableScanDesc scan = table_beginscan_strat(rel, GetActiveSnapshot(), 0, NULL,
											   true, false);
	TupleTableSlot *slot = table_slot_create(rel, NULL);
	const int16 *attnum = PR_ATTNUM(sh);
	const int32 *conv = PR_CONV(sh);
	int			d = sh->d;
	uint64		rows = 0;

	for (;;)
	{
		uint64		chunk = pg_atomic_fetch_add_u64(&sh->next_chunk, 1);
		BlockNumber start;

		if (chunk >= sh->nchunks)
			break;
		start = (BlockNumber) (chunk * sh->chunk_blocks);
		table_rescan(scan, NULL);
		heap_setscanlimits(scan, start, Min(sh->chunk_blocks, sh->nblocks - start));
		while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
		{
			int			j;

			slot_getsomeattrs(slot, sh->natts);
			for (j = 0; j < d; j++)
			{
				int			a = attnum[j];

				if (slot->tts_isnull[a])
					pp->raw[j] = NAN;
				else
				{
					pp->raw[j] = ccseg_datum_to_double(slot->tts_values[a],
													   (CcsegConv) conv[j]);
					if (!isfinite(pp->raw[j]))
						ccseg_pass_bad_value(&pp->model, j);
				}
			}
			(void) ccseg_pass_add_row(&pp->pass, &pp->model, pp->ct, pp->raw,
									  pp->z, pp->dist);
			if (++rows % 4096 == 0)
				CHECK_FOR_INTERRUPTS();
		}
	}
	ExecDropSingleTupleTableSlot(slot);
	table_endscan(scan);
	table_close(rel, AccessShareLock);
}

/*
 * A Lloyd pass of model (a ccseg_model value whose features are f's) over
 * every row of relid, by parallel workers and this backend together, into
 * *out (initialized here, in the current memory context).  Returns false,
 * having read nothing, when the table is not one to read so or no worker
 * starts: then the caller runs the pass aggregate.  See the file's comment.
 */
bool
ccseg_parallel_pass(Oid relid, const CcsegFeatures *f, struct varlena *model,
					CcPass *out)
{
	BlockNumber nblocks;
	int16	   *attnum;
	int			natts;
	int			nworkers;
	ParallelContext *pcxt;
	PrShared   *sh;
	PrPass		pp;
	Size		size,
				off,
				model_len = VARSIZE_ANY(model);
	int			w;
	int			id_att;
	Oid			id_type;
	Oid			id_collation;

	nworkers = plan_read(relid, f, NULL, &attnum, &natts, &nblocks, &id_att,
						 &id_type, &id_collation);
	if (nworkers == 0)
		return false;
	/* this backend's pass first: it checks the model before any worker runs */
	pass_begin(&pp, model);
	if (pp.model.d != f->d)
		elog(ERROR, "a pass model of %d features for %d columns", pp.model.d, f->d);

	off = shared_head_size(f->d);
	size = off + MAXALIGN(model_len) +
		(Size) nworkers * MAXALIGN(cc_pass_flat_size(pp.model.k, pp.model.d));

	sh = shared_create(nworkers, size, &pcxt);
	if (sh == NULL)
		return false;
	init_shared(sh, PR_MODE_PASS, relid, f, attnum, natts, nblocks,
				PR_PASS_CHUNK_BLOCKS);
	sh->model_off = off;
	memcpy(PR_MODEL(sh), model, model_len);
	off += MAXALIGN(model_len);
	sh->results_off = off;
	sh->result_size = cc_pass_flat_size(pp.model.k, pp.model.d);
	sh->nresults = nworkers;
	if (!workers_launch(pcxt, sh))
		return false;
	/* this backend claims chunks too, while the workers run */
	pass_chunks(sh, &pp);
	WaitForParallelWorkersToFinish(pcxt);
	for (w = 0; w < pcxt->nworkers_launched; w++)
	{
		CcPass		theirs;
		CcAllocator alloc;
		const char *bad;

		ccseg_allocator_init(&alloc, CurrentMemoryContext);
		bad = cc_pass_unflatten(PR_RESULT(sh, w), sh->result_size, &theirs, &alloc);
		if (bad != NULL)
			elog(ERROR, "pass of parallel worker %d is unreadable: %s", w, bad);
		cc_pass_merge(&pp.pass, &theirs);
	}
	DestroyParallelContext(pcxt);
	ExitParallelMode();
	*out = pp.pass;
	return true;
}
