/* SPDX-License-Identifier: ISC */
/* Markdown for the reports (postmortem, handover): JSON fields read leniently, text written safely. */
#ifndef MARKDOWN_H
#define MARKDOWN_H

#include <stddef.h>

#include <cjson/cJSON.h>

struct buf;

#define DASH		"-"

/* How add_text writes external text: escaped for a table cell, or as block-quote lines. */
#define TEXT_CELL	0x1
#define TEXT_QUOTE	0x2

/* A string member, or NULL. */
const char	*jstr(const cJSON *, const char *);
/* A finite number member: 1 and *out, or 0. */
int		 jnum(const cJSON *, const char *, double *);
/* A number member that can be an id, a time or a duration: 1 and *out, or 0. */
int		 jint(const cJSON *, const char *, long long *);
/* A positive time (seconds since the epoch), else 0. */
long long	 jtime(const cJSON *, const char *);
/* A duration field of an incident, or the difference of two known times, or -1. */
long long	 pm_span(const cJSON *, const char *, long long from, long long to);
/* An array member, or NULL. */
const cJSON	*jarray(const cJSON *, const char *);
/* 1 if the string member is want. */
int		 jeq(const cJSON *, const char *, const char *want);

/* Appends external text made safe for Markdown (flags TEXT_CELL, TEXT_QUOTE); "-" if empty. */
void		 add_text(struct buf *, const char *, int flags);
/* "2026-11-23 21:08" in local time, or "-". */
const char	*fmt_time(char *, size_t, long long);
/* "45s", "5m", "2h 10m", "3d 4h": the two largest units; negative is "-". */
const char	*fmt_duration(char *, size_t, long long);
void		 add_time(struct buf *, long long);
void		 add_duration(struct buf *, long long);
/* "SEV1", or "-" for a missing or odd severity. */
void		 add_severity(struct buf *, const cJSON *);
/* "#42", or "#-". */
void		 add_id(struct buf *, const cJSON *);
/* "L2", or "-". */
void		 add_level(struct buf *, const cJSON *);
/* A KPI's value with its unit and precision, as kpi_json or a kpi.state event has it. */
const char	*fmt_kpi_value(char *, size_t, const cJSON *);
/* A KPI's state: "state" of a snapshot, "to" of a kpi.state event. */
const char	*kpi_state(const cJSON *);

#endif
