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
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
#include "utils/wait_event.h"

#include "parallel_read.h"

#define PR_KEY_SHARED		UINT64CONST(0xCC5E6EAD00000001)
#define PR_SLOT_BYTES		(1024 * 1024)	/* aim for a slot's data */
#define PR_SLOTS_PER_WORKER	4
#define PR_MAX_BYTES		(16 * 1024 * 1024)	/* else read through SPI */

/* One slot of converted rows: chunk turn is in it when ready is 1. */
typedef struct PrSlot
{
	pg_atomic_uint64 turn;		/* the chunk that fills it next, or fills it */
	pg_atomic_uint32 ready;
	uint32		rows;
	int32		bad_row;		/* -1, or the row that has a non-finite value */
	int32		bad_column;
} PrSlot;

/* The shared state, followed by the columns, the slots and their data. */
typedef struct PrShared
{
	Oid			relid;
	int			d;
	int			natts;			/* attributes to deform: the last one read */
	BlockNumber nblocks;
	BlockNumber chunk_blocks;
	uint64		nchunks;
	int			nslots;
	uint32		slot_rows;		/* room in a slot, in rows */
	Size		attnum_off;		/* int16 [d]: 0-based attribute numbers */
	Size		conv_off;		/* int32 [d]: CcsegConv */
	Size		slots_off;		/* PrSlot [nslots] */
	Size		data_off;		/* double [nslots][slot_rows * d] */
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

/*
 * Scan the blocks of chunk into its slot: the features of each row as
 * doubles, NULL as NaN; a NaN or infinite value ends the chunk there, with
 * its place in bad_row and bad_column.
 */
static void
fill_chunk(PrShared *sh, TableScanDesc scan, TupleTableSlot *slot,
		   uint64 chunk, PrSlot *ps, double *data)
{
	BlockNumber start = (BlockNumber) (chunk * sh->chunk_blocks);
	BlockNumber nb = Min(sh->chunk_blocks, sh->nblocks - start);
	const int16 *attnum = PR_ATTNUM(sh);
	const int32 *conv = PR_CONV(sh);
	int			d = sh->d;
	uint32		rows = 0;

	ps->bad_row = -1;
	ps->bad_column = -1;
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
					return;
				}
			}
		}
		rows++;
		if (rows % 4096 == 0)
			CHECK_FOR_INTERRUPTS();
	}
	ps->rows = rows;
}

/* A parallel worker: fill chunks until there are none left or the leader stops. */
void
ccseg_parallel_read_main(dsm_segment *seg, shm_toc *toc)
{
	PrShared   *sh = shm_toc_lookup(toc, PR_KEY_SHARED, false);
	Relation	rel = table_open(sh->relid, AccessShareLock);
	TableScanDesc scan = table_beginscan_strat(rel, GetActiveSnapshot(), 0, NULL,
											   true, false);
	TupleTableSlot *slot = table_slot_create(rel, NULL);

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
		fill_chunk(sh, scan, slot, chunk, ps, PR_DATA(sh, s));
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
bool
ccseg_parallel_read(Oid relid, const CcsegFeatures *f, CcsegRowFn row_fn,
					CcsegBadFn bad_fn, void *arg)
{
	int			d = f->d;
	Relation	rel;
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
	int			bad_column = -1;

	if (max_parallel_workers_per_gather <= 0 || IsInParallelMode())
		return false;
	rel = relation_open(relid, AccessShareLock);
	if (rel->rd_rel->relkind != RELKIND_RELATION ||
		rel->rd_rel->relhassubclass ||
		rel->rd_rel->relpersistence == RELPERSISTENCE_TEMP ||
		rel->rd_tableam != GetHeapamTableAmRoutine())
	{
		relation_close(rel, NoLock);
		return false;
	}
	attnum = palloc(sizeof(int16) * d);
	for (j = 0; j < d; j++)
	{
		int			a = ccseg_find_column(RelationGetDescr(rel), f->names[j]);

		if (a < 0)
		{
			relation_close(rel, NoLock);
			return false;		/* let the SPI path report it */
		}
		attnum[j] = (int16) a;
		natts = Max(natts, a + 1);
	}
	if (!readable_directly(rel, attnum, d))
	{
		relation_close(rel, NoLock);
		return false;
	}
	nblocks = RelationGetNumberOfBlocks(rel);
	relation_close(rel, NoLock);	/* the lock stays until the transaction ends */
	nworkers = workers_for(nblocks);
	if (nworkers == 0)
		return false;

	/* slots of about PR_SLOT_BYTES, at least one block each */
	chunk_blocks = (BlockNumber) Max(1, PR_SLOT_BYTES / ((Size) MaxHeapTuplesPerPage * d * sizeof(double)));
	slot_rows = chunk_blocks * MaxHeapTuplesPerPage;
	nchunks = (nblocks + chunk_blocks - 1) / chunk_blocks;
	nslots = nworkers * PR_SLOTS_PER_WORKER;

	off = MAXALIGN(sizeof(PrShared));
	size = off + MAXALIGN(sizeof(int16) * d) + MAXALIGN(sizeof(int32) * d) +
		MAXALIGN(sizeof(PrSlot) * nslots);
	size = add_size(size, mul_size(mul_size((Size) nslots, slot_rows),
								   mul_size((Size) d, sizeof(double))));

	if (size > PR_MAX_BYTES)
		return false;			/* very wide rows: keep shared memory small */

	EnterParallelMode();
	pcxt = CreateParallelContext("ccseg", "ccseg_parallel_read_main", nworkers);
	shm_toc_estimate_chunk(&pcxt->estimator, size);
	shm_toc_estimate_keys(&pcxt->estimator, 1);
	InitializeParallelDSM(pcxt);
	if (pcxt->seg == NULL)
	{
		/* no dynamic shared memory to be had */
		DestroyParallelContext(pcxt);
		ExitParallelMode();
		return false;
	}
	sh = shm_toc_allocate(pcxt->toc, size);
	memset(sh, 0, sizeof(PrShared));
	sh->relid = relid;
	sh->d = d;
	sh->natts = natts;
	sh->nblocks = nblocks;
	sh->chunk_blocks = chunk_blocks;
	sh->nchunks = nchunks;
	sh->nslots = nslots;
	sh->slot_rows = slot_rows;
	sh->attnum_off = off;
	off += MAXALIGN(sizeof(int16) * d);
	sh->conv_off = off;
	off += MAXALIGN(sizeof(int32) * d);
	sh->slots_off = off;
	off += MAXALIGN(sizeof(PrSlot) * nslots);
	sh->data_off = off;
	for (j = 0; j < d; j++)
	{
		PR_ATTNUM(sh)[j] = attnum[j];
		PR_CONV(sh)[j] = (int32) f->conv[j];
	}
	for (j = 0; j < nslots; j++)
	{
		PrSlot	   *ps = PR_SLOT(sh, j);

		pg_atomic_init_u64(&ps->turn, (uint64) j);
		pg_atomic_init_u32(&ps->ready, 0);
		ps->rows = 0;
		ps->bad_row = -1;
		ps->bad_column = -1;
	}
	pg_atomic_init_u64(&sh->next_chunk, 0);
	pg_atomic_init_u32(&sh->stop, 0);
	ConditionVariableInit(&sh->cv);
	shm_toc_insert(pcxt->toc, PR_KEY_SHARED, sh);

	LaunchParallelWorkers(pcxt);
	if (pcxt->nworkers_launched == 0)
	{
		DestroyParallelContext(pcxt);
		ExitParallelMode();
		return false;
	}
	/* an error, if a worker failed to start, rather than a wait for it */
	WaitForParallelWorkersToAttach(pcxt);

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
	if (bad_column >= 0)
		bad_fn(arg, bad_column);
	return true;
}
