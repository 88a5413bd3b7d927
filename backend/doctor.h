/* SPDX-License-Identifier: ISC */
/*
 * kpi doctor: for every KPI the query in force, where it came from, the series its metrics
 * have at the source, and for a blank one the reason and what to change. No I/O: the poller
 * gathers the input.
 */
#ifndef DOCTOR_H
#define DOCTOR_H

#include <stddef.h>

#include <cjson/cJSON.h>

struct config;
struct dialect;
struct discovery;
struct kpi;
struct prom_response;

struct doctor_input {
	const struct config		*cfg;
	const struct dialect		*dialect;	/* in force */
	const struct discovery		*discovery;	/* the last look-up, or NULL */
	const struct kpi		*kpis;
	size_t				 nkpis;
	const struct prom_response	*counts;	/* count by (__name__), or NULL */
	const char			*counts_error;	/* why counts is NULL */
	const char			*source_error;	/* the source does not answer */
};

/* The report as JSON: {"dialect": {...}, "kpis": [...]}. */
cJSON	*doctor_report(const struct doctor_input *);

#endif
