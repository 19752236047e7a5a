/* symbols.h: kernel symbols from an ELF file (libelf) or a Linux System.map.
 *
 * The walk needs names in both directions: anchors name symbols ("entry_SYSCALL_64",
 * "do_syscall_64+0x1c") that must become addresses, and every address shown becomes
 * "symbol+0xoff". DWARF (types, source lines) lives in dwarf.h.
 */
#ifndef SYSWALK_SYMBOLS_H
#define SYSWALK_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SYMBOLS_ERR_LEN 512

enum sym_kind {
	SYM_FUNC,        /* code: ELF STT_FUNC, System.map T/t */
	SYM_OBJECT,      /* data: STT_OBJECT, System.map D/d B/b R/r ... */
	SYM_ABS,         /* absolute value, not an address in a section: SHN_ABS, System.map A/a */
	SYM_NOTYPE,      /* an assembler label (STT_NOTYPE), or a System.map letter we do not classify */
};

struct sym {
	char *name;
	uint64_t addr;
	uint64_t size;           /* 0 when unknown (System.map never knows) */
	enum sym_kind kind;
	bool global;
	char letter;             /* nm-style type letter: 'T', 't', 'D', 'A', ... */
};

struct symbols {
	struct sym *syms;        /* sorted by address, then by preference */
	size_t count, cap;
	struct sym **by_name;    /* the same, sorted by name */
	char source[256];        /* the file loaded last */
	char err[SYMBOLS_ERR_LEN];
};

/* Prepare an empty table. */
void symbols_init(struct symbols *s);

/* Release everything; S may be loaded again after symbols_init. */
void symbols_free(struct symbols *s);

/* Add the symbol table of the ELF file PATH (functions, objects, labels and absolute
 * symbols; sections and file names are skipped). Returns the number of symbols added, or
 * a negative errno with a message naming the file and the fault (truncated, not an ELF,
 * no symbol table). */
int symbols_load_elf(struct symbols *s, const char *path);

/* Add the symbols of a Linux System.map ("ADDR TYPE NAME" per line). A malformed line
 * rejects the whole file with "PATH:LINE: what was wrong" (a half-read map would give
 * wrong names silently); Debian's stub map is reported as having no symbols (-ENODATA).
 * Returns the number of symbols added or a negative errno. */
int symbols_load_system_map(struct symbols *s, const char *path);

/* The same from an open stream F, named PATH in messages (the fuzzer feeds memory
 * through fmemopen: a file per input cost more than the parsing). F is not closed. */
int symbols_load_system_map_stream(struct symbols *s, const char *path, FILE *f);

/* Add one global function symbol found some other way (by disassembling a kernel that
 * came without symbols). Returns 0 or a negative errno. Lookups stay sorted. */
int symbols_add(struct symbols *s, const char *name, uint64_t addr, uint64_t size);

/* The symbol called NAME, or NULL. With duplicates (static functions of the same name)
 * the global one wins, then the lowest address. */
const struct sym *symbols_by_name(const struct symbols *s, const char *name);

/* The preferred symbol starting exactly at ADDR, or NULL. Prefers global functions,
 * then local functions, then labels and objects. */
const struct sym *symbols_at(const struct symbols *s, uint64_t addr);

/* The symbol ADDR falls in: the nearest at or below it, skipping symbols whose known size
 * ends before ADDR. *OFF gets ADDR minus its start. NULL when none. */
const struct sym *symbols_lookup(const struct symbols *s, uint64_t addr, uint64_t *off);

/* Write "symbol+0xoff" (or "symbol" at offset 0, or "0x..." when no symbol) into BUF.
 * Returns BUF. */
const char *symbols_format(const struct symbols *s, uint64_t addr, char *buf, size_t len);

/* The function containing ADDR: *START and *SIZE (the size from the symbol table, or up to
 * the next symbol when the table has none). Returns the symbol, or NULL. */
const struct sym *symbols_function(const struct symbols *s, uint64_t addr,
				   uint64_t *start, uint64_t *size);

/* A symboliser callback for disasm.h: CTX is a struct symbols. Writes the name of the
 * symbol ADDR falls in into NAME and the offset into *OFF; returns 0, or -1 when none. */
int symbols_symbolize(void *ctx, uint64_t addr, char *name, size_t len, uint64_t *off);

/* The last error message, "" when none. */
const char *symbols_error(const struct symbols *s);

#endif
