/* atomic_file.h: replace a file all at once, so a reader (or a crash) sees either the
 * old content or the complete new one, never a partial file. */
#ifndef SYSWALK_ATOMIC_FILE_H
#define SYSWALK_ATOMIC_FILE_H

#include <stddef.h>
#include <stdio.h>

/* Write PATH through WRITE_FN(f, arg, err, errlen), which returns 0 or a negative code
 * with a message in err. The content goes to a temporary ".NAME.XXXXXX" in the same
 * directory, is flushed and fsynced, then renamed over PATH and the directory fsynced.
 * On any failure the temporary is removed, PATH keeps its old content, and err holds
 * "cannot write PATH: reason". A symbolic link at PATH is followed: the file it points
 * to is replaced, the link stays. Returns 0 or a negative errno-style code. */
int atomic_file_write(const char *path,
		      int (*write_fn)(FILE *f, void *arg, char *err, size_t errlen), void *arg,
		      char *err, size_t errlen);

#endif
