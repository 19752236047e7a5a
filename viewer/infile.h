/* infile.h: opening the files syswalk reads (notes, symbol files, DWARF, traces, the
 * kernel) so that none of them can hold the program.
 *
 * A FIFO named as a file blocks open() until someone writes to it, and then read()
 * until they stop; a device may never end. Every path the user or a notes folder names
 * is opened with O_NONBLOCK and accepted only when fstat says it is a regular file;
 * anything else is refused at once with a message that says what it is ("a FIFO, not a
 * regular file"). On a regular file O_NONBLOCK changes nothing.
 */
#ifndef SYSWALK_INFILE_H
#define SYSWALK_INFILE_H

#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>

/* Open PATH read-only (close-on-exec) if it is a regular file; its stat in *ST (may be
 * NULL). Returns the descriptor, or a negative errno (-EINVAL for a file that is not
 * regular) with the reason, without the path, in WHY. */
int infile_open(const char *path, struct stat *st, char *why, size_t whylen);

/* infile_open as a stdio stream ("re"); NULL with the reason in WHY. */
FILE *infile_fopen(const char *path, char *why, size_t whylen);

/* The whole of regular file PATH, at most MAX bytes, into *BUF (malloc'd, NUL added,
 * *LEN bytes before it). Returns 0, or a negative errno (-EFBIG when larger than MAX)
 * with the reason in WHY; *BUF is NULL then. */
int infile_read_all(const char *path, size_t max, char **buf, size_t *len, char *why,
		    size_t whylen);

#endif
