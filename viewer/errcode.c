/* errcode.c: syswalk's error codes in words (see errcode.h). */
#include "errcode.h"

#include <string.h>

bool errcode_is_ours(int rc)
{
	return rc <= -ERRCODE_BASE;
}

const char *errcode_strerror(int rc)
{
	if (rc == 0)
		return "success";
	if (rc > 0)
		return "unknown error";
	if (!errcode_is_ours(rc))
		return strerror(-rc);
	switch (rc) {
#define ERRCODE_CASE(name, n, text) case name: return text;
	ERRCODE_LIST(ERRCODE_CASE)
#undef ERRCODE_CASE
	}
	return "unknown syswalk error";
}
