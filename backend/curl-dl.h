/* SPDX-License-Identifier: ISC */
/*
 * libcurl, loaded on first use (see dl.h): only the daemon and the simulator need it; linked
 * in, it and its dependencies would add 4 MiB to every console. Include this instead of
 * <curl/curl.h> and call curl_dl_load() before the first curl function.
 */
#ifndef CURL_DL_H
#define CURL_DL_H

#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>

struct curl_dl {
	CURLcode	 (*global_init)(long);
	CURL		*(*easy_init)(void);
	CURLcode	 (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode	 (*easy_getinfo)(CURL *, CURLINFO, ...);
	CURLcode	 (*easy_perform)(CURL *);
	void		 (*easy_cleanup)(CURL *);
	const char	*(*easy_strerror)(CURLcode);
	char		*(*easy_escape)(CURL *, const char *, int);
	void		 (*free)(void *);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void		 (*slist_free_all)(struct curl_slist *);
	CURLM		*(*multi_init)(void);
	CURLMcode	 (*multi_setopt)(CURLM *, CURLMoption, ...);
	CURLMcode	 (*multi_add_handle)(CURLM *, CURL *);
	CURLMcode	 (*multi_remove_handle)(CURLM *, CURL *);
	CURLMcode	 (*multi_socket_action)(CURLM *, curl_socket_t, int, int *);
	CURLMcode	 (*multi_assign)(CURLM *, curl_socket_t, void *);
	CURLMsg		*(*multi_info_read)(CURLM *, int *);
	CURLMcode	 (*multi_cleanup)(CURLM *);
};

extern struct curl_dl curl_dl;

/* Loads libcurl and initialises it once; returns 0, or -1 with why in *cause. */
int	curl_dl_load(char **cause);

/* curl.h defines some of these names as macros itself. */
#undef curl_easy_setopt
#undef curl_easy_getinfo
#undef curl_multi_setopt

#define curl_easy_init()		(curl_dl.easy_init)()
#define curl_easy_setopt(...)		(curl_dl.easy_setopt)(__VA_ARGS__)
#define curl_easy_getinfo(...)		(curl_dl.easy_getinfo)(__VA_ARGS__)
#define curl_easy_perform(h)		(curl_dl.easy_perform)(h)
#define curl_easy_cleanup(h)		(curl_dl.easy_cleanup)(h)
#define curl_easy_strerror(c)		(curl_dl.easy_strerror)(c)
#define curl_easy_escape(h, s, n)	(curl_dl.easy_escape)(h, s, n)
#define curl_free(p)			(curl_dl.free)(p)
#define curl_slist_append(l, s)		(curl_dl.slist_append)(l, s)
#define curl_slist_free_all(l)		(curl_dl.slist_free_all)(l)
#define curl_multi_init()		(curl_dl.multi_init)()
#define curl_multi_setopt(...)		(curl_dl.multi_setopt)(__VA_ARGS__)
#define curl_multi_add_handle(m, h)	(curl_dl.multi_add_handle)(m, h)
#define curl_multi_remove_handle(m, h)	(curl_dl.multi_remove_handle)(m, h)
#define curl_multi_socket_action(m, s, e, r) (curl_dl.multi_socket_action)(m, s, e, r)
#define curl_multi_assign(m, s, p)	(curl_dl.multi_assign)(m, s, p)
#define curl_multi_info_read(m, n)	(curl_dl.multi_info_read)(m, n)
#define curl_multi_cleanup(m)		(curl_dl.multi_cleanup)(m)

#endif
