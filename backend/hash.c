/* SPDX-License-Identifier: ISC */
#include <openssl/sha.h>

#include "backend/hash.h"

void
hash_sha256_hex(const void *data, size_t len, char out[HASH_HEX])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[SHA256_DIGEST_LENGTH];
	int i;

	SHA256(data, len, md);
	for (i = 0; i < SHA256_DIGEST_LENGTH; i++) {
		out[2 * i] = digits[md[i] >> 4];
		out[2 * i + 1] = digits[md[i] & 0xf];
	}
	out[2 * SHA256_DIGEST_LENGTH] = '\0';
}
