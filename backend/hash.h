/* SPDX-License-Identifier: ISC */
/* SHA-256 as lowercase hex (OpenSSL libcrypto). */
#ifndef HASH_H
#define HASH_H

#include <stddef.h>

#define HASH_HEX 65	/* 64 hex digits and a NUL */

void	hash_sha256_hex(const void *, size_t, char out[HASH_HEX]);

#endif
