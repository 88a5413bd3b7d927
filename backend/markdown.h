/* SPDX-License-Identifier: ISC */
/* Markdown for the reports: safe external text, times, durations, incident and KPI fields. */
#ifndef MARKDOWN_H
#define MARKDOWN_H

#include <stddef.h>

#include <cjson/cJSON.h>

struct buf;

/* What a missing value prints as. */
#define MARKDOWN_NONE	"-"

/* How markdown_text writes external text: escaped for a table cell, or as block-quote lines. */
#define MARKDOWN_CELL	0x1
#define MARKDOWN_QUOTE	0x2

/* Appends external text made safe for Markdown (flags MARKDOWN_CELL, MARKDOWN_QUOTE); "-" if
   it is empty. */
void		 markdown_text(struct buf *, const char *, int flags);
/* "2026-11-23 21:08" in local time, or "-". */
const char	*markdown_fmt_time(char *, size_t, long long);
/* "45s", "5m", "2h 10m", "3d 4h": the two largest units; negative is "-". */
const char	*markdown_fmt_duration(char *, size_t, long long);
void		 markdown_time(struct buf *, long long);
void		 markdown_duration(struct buf *, long long);
/* A duration field of an incident, or the difference of two known times, or -1. */
long long	 markdown_span(const cJSON *, const char *key, long long from, long long to);
/* "SEV1", or "-" for a missing or odd severity. */
void		 markdown_severity(struct buf *, const cJSON *);
/* "#42", or "#-". */
void		 markdown_id(struct buf *, const cJSON *);
/* "L2", or "-". */
void		 markdown_level(struct buf *, const cJSON *);
/* A KPI's value with its unit and precision, as kpi_json or a kpi.state event has it. */
const char	*markdown_fmt_kpi_value(char *, size_t, const cJSON *);
/* A KPI's state: "state" of a snapshot, "to" of a kpi.state event. */
const char	*markdown_kpi_state(const cJSON *);

#endif
