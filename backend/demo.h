/* SPDX-License-Identifier: ISC */
/* The built-in demo: a simulated assistant, a real Prometheus scraping it, a private daemon
   configured for both, and the console; quitting the console stops all of them. */
#ifndef DEMO_H
#define DEMO_H

struct cli;

/* Sets the demo up, runs the console, tears the demo down; returns the exit code. */
int	demo_main(struct cli *, int (*console)(struct cli *, int, char **));

#endif
