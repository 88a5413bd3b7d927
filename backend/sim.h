/* SPDX-License-Identifier: ISC */
/* `leitstand sim`: a simulated ChatGPT-based assistant for the demo and the tests. */
#ifndef SIM_H
#define SIM_H

/* The usage line after "leitstand sim", for the command table. */
#define SIM_USAGE "serve [--listen HOST:PORT] [--profile NAME] [--seed N] " \
	"[--rate-scale X] [--metrics-dialect collector|sdk|utf8] [--prompts URL|PATH " \
	"[--assistant NAME] [--prompts-interval DURATION] [--prompts-timeout DURATION] " \
	"[--allowed-signers FILE]] " \
	"| --profile NAME [--url URL] " \
	"| --status [--url URL]"

/* leitstand sim ...: argv[0] is "sim"; returns the exit code (0, 1 error, 2 usage). */
int	 sim_main(int, char **);
/* Switches a running sim (base URL) to a profile; 0, or -1 and *cause. No output; thread-safe. */
int	 sim_set_profile(const char *, const char *, char **);

struct sim_model;
/* The answer the simulator gives to a chat completions request body, as its HTTP route reads
   the body (max_tokens applied; a new string), or NULL with *cause, the error the client
   would get. For the fuzz target: the route itself also waits, counts and streams. */
char	*sim_chat_answer(const struct sim_model *, const char *body, size_t len, char **cause);

/* For the sim's own files. */
#define SIM_EXIT_USAGE	2
/* Prints "leitstand sim: " and the message to stderr. */
void	 sim_error(const char *, ...) __attribute__((format(printf, 1, 2)));
/* Reports the option getopt_long stopped at; returns SIM_EXIT_USAGE. */
int	 sim_bad_option(char **);
/* Reports an argument left after the options (getopt's optind); SIM_EXIT_USAGE, or 0. */
int	 sim_extra_argument(int, char **);
/* Reports a profile that does not exist, naming those that do; returns SIM_EXIT_USAGE. */
int	 sim_unknown_profile(const char *);
/* leitstand sim serve ...: argv[0] is "serve". */
int	 sim_serve(int, char **);
/* leitstand sim --profile NAME | --status [--url URL]. */
int	 sim_client(int, char **);

#endif
