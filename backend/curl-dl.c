/* SPDX-License-Identifier: ISC */
#include <pthread.h>
#include <stddef.h>

#include "backend/curl-dl.h"
#include "backend/dl.h"
#include "backend/xmalloc.h"

struct curl_dl curl_dl;

#define SYM(n, f) { n, offsetof(struct curl_dl, f) }

static const struct dl_symbol curl_dl_symbols[] = {
	SYM("curl_global_init", global_init),
	SYM("curl_easy_init", easy_init),
	SYM("curl_easy_setopt", easy_setopt),
	SYM("curl_easy_getinfo", easy_getinfo),
	SYM("curl_easy_perform", easy_perform),
	SYM("curl_easy_cleanup", easy_cleanup),
	SYM("curl_easy_strerror", easy_strerror),
	SYM("curl_easy_escape", easy_escape),
	SYM("curl_free", free),
	SYM("curl_slist_append", slist_append),
	SYM("curl_slist_free_all", slist_free_all),
	SYM("curl_multi_init", multi_init),
	SYM("curl_multi_setopt", multi_setopt),
	SYM("curl_multi_add_handle", multi_add_handle),
	SYM("curl_multi_remove_handle", multi_remove_handle),
	SYM("curl_multi_socket_action", multi_socket_action),
	SYM("curl_multi_assign", multi_assign),
	SYM("curl_multi_info_read", multi_info_read),
	SYM("curl_multi_cleanup", multi_cleanup),
};

static pthread_once_t	 curl_dl_once = PTHREAD_ONCE_INIT;
static char		*curl_dl_error;

/* libcurl's ABI is soname 4 since 2006; Debian's GnuTLS and NSS builds share it. */
static const char *const curl_dl_sonames[] = {
	"libcurl.so.4", "libcurl-gnutls.so.4", "libcurl-nss.so.4", NULL
};

static void
curl_dl_open(void)
{
	if (dl_open(curl_dl_sonames, "libcurl4 (libcurl4t64 on Debian 13)", curl_dl_symbols,
	    sizeof curl_dl_symbols / sizeof curl_dl_symbols[0], &curl_dl, &curl_dl_error) == 0 &&
	    curl_dl.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		curl_dl_error = xstrdup("curl_global_init failed");
}

int
curl_dl_load(char **cause)
{
	pthread_once(&curl_dl_once, curl_dl_open);
	if (curl_dl_error != NULL) {
		*cause = xstrdup(curl_dl_error);
		return -1;
	}
	return 0;
}
