/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
#include "platform/env.h"

#include <stdlib.h>
#include <string.h>

bool bb_env_on(const char *name)
{
	const char *v = getenv(name);

	return v && *v && strcmp(v, "0") != 0;
}

unsigned int bb_env_uint(const char *name, unsigned int dflt, unsigned int max)
{
	const char *v = getenv(name);
	char *end;
	unsigned long n;

	if (!v || !*v)
		return dflt;
	n = strtoul(v, &end, 10);
	return (*end || n > max) ? dflt : (unsigned int)n;
}
