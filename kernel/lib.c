/*
 * lib.c: the handful of libc routines a freestanding kernel must provide.
 *
 * -ffreestanding does not stop GCC from emitting calls to memset and memcpy
 * (for struct copies and large initialisers), so they must exist, and they
 * are written so the compiler cannot turn them back into calls to themselves.
 */
#include "kernel.h"

void *memset(void *dst, int c, size_t n)
{
	void *ret = dst;

	__asm__ volatile("rep stosb" : "+D"(dst), "+c"(n) : "a"(c) : "memory");
	return ret;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	void *ret = dst;

	__asm__ volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
	return ret;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

/*
 * The PVH command line is what followed -append: words separated by spaces.
 * A word matches only as a whole word ("selftest", not "noselftest").
 */
int cmdline_has_word(const char *cmdline, const char *word)
{
	size_t wlen = strlen(word);
	const char *p = cmdline;

	while (*p) {
		while (*p == ' ')
			p++;
		const char *start = p;

		while (*p && *p != ' ')
			p++;
		if ((size_t)(p - start) == wlen) {
			size_t i = 0;

			while (i < wlen && start[i] == word[i])
				i++;
			if (i == wlen)
				return 1;
		}
	}
	return 0;
}
