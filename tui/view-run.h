/* SPDX-License-Identifier: ISC */
/* The playbook runner inside the playbooks view (tui/view-playbooks.c hands over to it). */
#ifndef VIEW_RUN_H
#define VIEW_RUN_H

#include <cjson/cJSON.h>

#include "tui/actions.h"

/* Shows a run: where it continues, or its summary when finished. */
void	view_run_open(long long);
/* 1 while a run is shown (until the user leaves it). */
int	view_run_shown(void);
void	view_run_draw(int y, int h, int w);
/* Handles a key of the runner; 1 if it was one. */
int	view_run_key(enum action);
/* Reads the run shown again (the view opens again). */
void	view_run_reload(void);
/* A run changed (read it again if it is the one shown), or fresh KPI values (checks). */
void	view_run_event(const cJSON *);
void	view_run_close(void);

#endif
