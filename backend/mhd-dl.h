/* SPDX-License-Identifier: ISC */
/*
 * libmicrohttpd, loaded on first use (see dl.h): only the simulator serves HTTP, and with
 * GnuTLS behind it the library would add 2 MiB to every console. Include this instead of
 * <microhttpd.h> and call mhd_dl_load() before the first MHD function.
 */
#ifndef MHD_DL_H
#define MHD_DL_H

#include <stdarg.h>
#include <stdint.h>
#include <sys/socket.h>
#include <microhttpd.h>

struct mhd_dl {
	struct MHD_Daemon	*(*start_daemon)(unsigned int, uint16_t, MHD_AcceptPolicyCallback,
				     void *, MHD_AccessHandlerCallback, void *, ...);
	void			 (*stop_daemon)(struct MHD_Daemon *);
	const char		*(*lookup_connection_value)(struct MHD_Connection *,
				     enum MHD_ValueKind, const char *);
	enum MHD_Result		 (*queue_response)(struct MHD_Connection *, unsigned int,
				     struct MHD_Response *);
	struct MHD_Response	*(*create_response_from_buffer)(size_t, void *,
				     enum MHD_ResponseMemoryMode);
	struct MHD_Response	*(*create_response_from_callback)(uint64_t, size_t,
				     MHD_ContentReaderCallback, void *,
				     MHD_ContentReaderFreeCallback);
	void			 (*destroy_response)(struct MHD_Response *);
	enum MHD_Result		 (*add_response_header)(struct MHD_Response *, const char *,
				     const char *);
};

extern struct mhd_dl mhd_dl;

/* Loads libmicrohttpd once; returns 0, or -1 with why in *cause. */
int	mhd_dl_load(char **cause);

#define MHD_start_daemon(...)			(mhd_dl.start_daemon)(__VA_ARGS__)
#define MHD_stop_daemon(d)			(mhd_dl.stop_daemon)(d)
#define MHD_lookup_connection_value(c, k, n)	(mhd_dl.lookup_connection_value)(c, k, n)
#define MHD_queue_response(c, s, r)		(mhd_dl.queue_response)(c, s, r)
#define MHD_create_response_from_buffer(n, b, m) (mhd_dl.create_response_from_buffer)(n, b, m)
#define MHD_create_response_from_callback(n, b, f, c, d) \
	(mhd_dl.create_response_from_callback)(n, b, f, c, d)
#define MHD_destroy_response(r)			(mhd_dl.destroy_response)(r)
#define MHD_add_response_header(r, h, v)	(mhd_dl.add_response_header)(r, h, v)

#endif
