/*
 * generate.c
 *		ccseg_generate_customers(): synthetic card holders with the 17
 *		behaviour columns of the credit-card data set, for trying ccseg
 *		without data and for benchmarks at any size.
 *
 * Each row is drawn independently from a generator seeded with (seed, row
 * number), so the same seed gives the same rows in any order and any plan,
 * and a row does not depend on how many were asked for.  A row first picks
 * one of eight latent customer types (dormant, instalment buyers, ...) and
 * then draws its columns around that type: money amounts log-normal (heavy
 * right tails), frequencies in steps of 1/12 between 0 and 1, counts that
 * follow the frequencies, purchases = one-off + instalment purchases, and a
 * few missing values (minimum_payments about 3.5%, credit_limit 0.01%).
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "funcapi.h"
#include "utils/builtins.h"

#include "options.h"

#include "rng.h"

PG_FUNCTION_INFO_V1(ccseg_generate_customers);

/* A latent customer type: medians of the money columns and activity levels. */
typedef struct CustomerType
{
	double		weight;			/* share of customers */
	double		balance;		/* medians, in currency units */
	double		oneoff;
	double		installments;
	double		cash_advance;
	double		credit_limit;
	double		p_oneoff;		/* probability of any one-off purchase */
	double		p_installments;
	double		p_cash;
	double		frequency;		/* typical purchase frequency */
	double		full_payment;	/* typical share of full payments */
	bool		new_customer;
} CustomerType;

static const CustomerType types[] = {
	/* weight balance oneoff inst cash limit p_one p_inst p_cash freq full new */
	{0.30, 1500, 150, 40, 600, 3400, 0.45, 0.30, 0.45, 0.12, 0.02, false},	/* dormant revolvers */
	{0.22, 800, 150, 650, 150, 3500, 0.35, 0.95, 0.20, 0.88, 0.25, false},	/* instalment buyers */
	{0.13, 100, 150, 120, 200, 3800, 0.30, 0.40, 0.15, 0.25, 0.25, false},	/* light users */
	{0.12, 1200, 1500, 400, 200, 6000, 0.95, 0.60, 0.25, 0.88, 0.28, false},	/* one-off spenders */
	{0.10, 5000, 300, 150, 5000, 8000, 0.40, 0.35, 0.97, 0.30, 0.04, false},	/* cash-advance users */
	{0.07, 800, 200, 130, 900, 2400, 0.40, 0.40, 0.40, 0.40, 0.15, true},	/* new customers */
	{0.05, 3500, 3500, 2500, 600, 9000, 0.95, 0.95, 0.35, 0.95, 0.23, false},	/* heavy spenders */
	{0.01, 5500, 20000, 5500, 900, 16000, 1.00, 0.90, 0.30, 0.92, 0.50, false}	/* very large spenders */
};

#define N_TYPES lengthof(types)
#define N_COLUMNS 18

static double
normal(CcRng *rng)
{
	double		u = cc_rng_uniform(rng);
	double		v = cc_rng_uniform(rng);

	return sqrt(-2.0 * log(1.0 - u)) * cos(2.0 * M_PI * v);
}

/* Log-normal around a median, rounded to cents. */
static double
money(CcRng *rng, double median, double sigma)
{
	return round(median * exp(sigma * normal(rng)) * 100.0) / 100.0;
}

/* A frequency near mean, in steps of 1/12 between 0 and 1. */
static double
frequency(CcRng *rng, double mean)
{
	double		f = mean + 0.22 * normal(rng);

	f = f < 0.0 ? 0.0 : (f > 1.0 ? 1.0 : f);
	return round(f * 12.0) / 12.0;
}

/* Fill the 18 values of customer number row. */
static void
customer(uint64 seed, int64 row, Datum *values, bool *nulls)
{
	CcRng		rng;
	const CustomerType *t;
	double		pick,
				acc = 0.0;
	double		tenure,
				oneoff,
				installments,
				purchases,
				cash,
				pf,
				of,
				inf,
				cf,
				balance,
				limit,
				payments,
				minimum;
	int			i,
				ptrx,
				ctrx;

	cc_rng_seed(&rng, seed, (uint64) row);
	pick = cc_rng_uniform(&rng);
	t = &types[N_TYPES - 1];
	for (i = 0; i < (int) N_TYPES; i++)
	{
		acc += types[i].weight;
		if (pick < acc)
		{
			t = &types[i];
			break;
		}
	}

	tenure = t->new_customer ? 6 + (double) cc_rng_below(&rng, 4) :
		(cc_rng_uniform(&rng) < 0.92 ? 12 : 6 + (double) cc_rng_below(&rng, 6));
	oneoff = cc_rng_uniform(&rng) < t->p_oneoff ? money(&rng, t->oneoff, 1.0) : 0.0;
	installments = cc_rng_uniform(&rng) < t->p_installments ?
		money(&rng, t->installments, 0.9) : 0.0;
	purchases = oneoff + installments;
	cash = cc_rng_uniform(&rng) < t->p_cash ? money(&rng, t->cash_advance, 1.1) : 0.0;
	pf = purchases > 0 ? frequency(&rng, t->frequency) : 0.0;
	if (purchases > 0 && pf == 0.0)
		pf = 1.0 / 12.0;
	of = oneoff > 0 ? fmin(pf, frequency(&rng, pf * 0.6)) : 0.0;
	inf = installments > 0 ? fmin(pf, frequency(&rng, pf * 0.8)) : 0.0;
	cf = cash > 0 ? fmin(1.5, frequency(&rng, 0.15 + cash / 40000.0) + 1.0 / 12.0) : 0.0;
	ptrx = purchases > 0 ? (int) round(pf * tenure * (1.0 + exp(0.8 * normal(&rng)))) : 0;
	ctrx = cash > 0 ? (int) round(cf * tenure * (0.5 + exp(0.7 * normal(&rng)))) : 0;
	balance = money(&rng, t->balance, 1.0);
	limit = round(money(&rng, t->credit_limit, 0.55) / 50.0) * 50.0;
	if (limit < 300)
		limit = 300;
	payments = money(&rng, 0.6 * (purchases + cash) + 0.3 * balance + 200, 0.7);
	minimum = money(&rng, 0.25 * balance + 150, 0.9);

	values[0] = CStringGetTextDatum(psprintf("S%09lld", (long long) row));
	values[1] = Float8GetDatum(balance);
	values[2] = Float8GetDatum(fmax(frequency(&rng, balance > 200 ? 0.95 : 0.55), 1.0 / 12.0));
	values[3] = Float8GetDatum(purchases);
	values[4] = Float8GetDatum(oneoff);
	values[5] = Float8GetDatum(installments);
	values[6] = Float8GetDatum(cash);
	values[7] = Float8GetDatum(pf);
	values[8] = Float8GetDatum(of);
	values[9] = Float8GetDatum(inf);
	values[10] = Float8GetDatum(cf);
	values[11] = Int32GetDatum(ctrx);
	values[12] = Int32GetDatum(ptrx);
	values[13] = Float8GetDatum(limit);
	values[14] = Float8GetDatum(payments);
	values[15] = Float8GetDatum(minimum);
	values[16] = Float8GetDatum(frequency(&rng, t->full_payment));
	values[17] = Int32GetDatum((int) tenure);
	memset(nulls, 0, sizeof(bool) * N_COLUMNS);
	nulls[15] = cc_rng_uniform(&rng) < 0.035;
	nulls[13] = cc_rng_uniform(&rng) < 0.0001;
}

/* ccseg_generate_customers(n, seed): n synthetic card holders. */
Datum
ccseg_generate_customers(PG_FUNCTION_ARGS)
{
	FuncCallContext *fctx;
	int64	   *next;

	if (SRF_IS_FIRSTCALL())
	{
		MemoryContext old;
		TupleDesc	desc;
		int64		n;

		ccseg_require_arg(fcinfo, 0, "n");
		ccseg_require_arg(fcinfo, 1, "seed");
		n = PG_GETARG_INT64(0);
		if (n < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("n must not be negative")));
		fctx = SRF_FIRSTCALL_INIT();
		old = MemoryContextSwitchTo(fctx->multi_call_memory_ctx);
		if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
			elog(ERROR, "return type must be a row type");
		fctx->tuple_desc = BlessTupleDesc(desc);
		fctx->user_fctx = palloc(sizeof(int64));
		*(int64 *) fctx->user_fctx = 0;
		fctx->max_calls = (uint64) n;
		MemoryContextSwitchTo(old);
	}
	fctx = SRF_PERCALL_SETUP();
	next = fctx->user_fctx;
	if ((uint64) *next < fctx->max_calls)
	{
		Datum		values[N_COLUMNS];
		bool		nulls[N_COLUMNS];

		(*next)++;
		customer((uint64) PG_GETARG_INT64(1), *next, values, nulls);
		SRF_RETURN_NEXT(fctx, HeapTupleGetDatum(heap_form_tuple(fctx->tuple_desc,
																 values, nulls)));
	}
	SRF_RETURN_DONE(fctx);
}
