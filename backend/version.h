/* SPDX-License-Identifier: ISC */
#ifndef VERSION_H
#define VERSION_H

#define LEITSTAND_VERSION "0.1.0"

#endif
