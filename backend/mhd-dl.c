/* SPDX-License-Identifier: ISC */
#include <pthread.h>
#include <stddef.h>

#include "backend/dl.h"
#include "backend/mhd-dl.h"
#include "backend/xmalloc.h"

struct mhd_dl mhd_dl;

#define SYM(n, f) { n, offsetof(struct mhd_dl, f) }

static const struct dl_symbol mhd_dl_symbols[] = {
	SYM("MHD_start_daemon", start_daemon),
	SYM("MHD_stop_daemon", stop_daemon),
	SYM("MHD_lookup_connection_value", lookup_connection_value),
	SYM("MHD_queue_response", queue_response),
	SYM("MHD_create_response_from_buffer", create_response_from_buffer),
	SYM("MHD_create_response_from_callback", create_response_from_callback),
	SYM("MHD_destroy_response", destroy_response),
	SYM("MHD_add_response_header", add_response_header),
};

static pthread_once_t	 mhd_dl_once = PTHREAD_ONCE_INIT;
static char		*mhd_dl_error;

/* The soname of libmicrohttpd 0.9 and 1.0. */
static const char *const mhd_dl_sonames[] = { "libmicrohttpd.so.12", NULL };

static void
mhd_dl_open(void)
{
	dl_open(mhd_dl_sonames, "libmicrohttpd12 (libmicrohttpd12t64 on Debian 13)",
	    mhd_dl_symbols, sizeof mhd_dl_symbols / sizeof mhd_dl_symbols[0], &mhd_dl, &mhd_dl_error);
}

int
mhd_dl_load(char **cause)
{
	pthread_once(&mhd_dl_once, mhd_dl_open);
	if (mhd_dl_error != NULL) {
		*cause = xstrdup(mhd_dl_error);
		return -1;
	}
	return 0;
}
