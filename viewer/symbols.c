/* symbols.c: ELF and System.map symbol tables, and lookups in both directions. */
#include "symbols.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "infile.h"

/* An address further than this past a symbol of unknown size is not "in" it. Without
 * the bound, a user address such as 0x401000 would be shown as an offset from the last
 * per-CPU symbol (per-CPU symbols sit at small addresses in vmlinux and System.map). */
#define MAX_UNSIZED_OFFSET  (1u << 20)
/* How many distinct addresses a lookup walks down before giving up. */
#define MAX_GROUPS_BACK     256
#define MAP_MAX_BYTES       (256u << 20)

static int fail(struct symbols *s, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct symbols *s, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->err, sizeof s->err, fmt, ap);
	va_end(ap);
	return code;
}

void symbols_init(struct symbols *s)
{
	memset(s, 0, sizeof *s);
}

void symbols_free(struct symbols *s)
{
	for (size_t i = 0; i < s->count; i++)
		free(s->syms[i].name);
	free(s->syms);
	free(s->by_name);
	symbols_init(s);
}

/* Lower is better when several symbols share an address: code before data before
 * absolute values, then functions before bare labels (a linker marker such as the
 * global __entry_text_end must not hide the static function that starts there),
 * then global before local. */
static bool linker_marker(const char *name)
{
	size_t n = strlen(name);
	return strncmp(name, "__", 2) == 0 && ((n > 6 && strcmp(name + n - 6, "_start") == 0) ||
					       (n > 4 && strcmp(name + n - 4, "_end") == 0));
}

/* ... and a linker marker (__irqentry_text_end) after a label of the code itself
 * (swapgs_restore_regs_and_return_to_usermode), whatever their binding. */
static int rank(const struct sym *y)
{
	int cls = y->kind == SYM_ABS ? 2 : y->kind == SYM_OBJECT ? 1 : 0;
	return cls * 8 + (linker_marker(y->name) ? 4 : 0) + (y->kind == SYM_FUNC ? 0 : 2) + (y->global ? 0 : 1);
}

static int cmp_addr(const void *pa, const void *pb)
{
	const struct sym *a = pa, *b = pb;
	if (a->addr != b->addr)
		return a->addr < b->addr ? -1 : 1;
	if (rank(a) != rank(b))
		return rank(a) - rank(b);
	return strcmp(a->name, b->name);
}

static int cmp_name(const void *pa, const void *pb)
{
	const struct sym *a = *(const struct sym *const *)pa, *b = *(const struct sym *const *)pb;
	int c = strcmp(a->name, b->name);
	if (c)
		return c;
	if (a->global != b->global)
		return a->global ? -1 : 1;
	return a->addr < b->addr ? -1 : a->addr > b->addr;
}

static int add_sym(struct symbols *s, const char *name, uint64_t addr, uint64_t size,
		   enum sym_kind kind, bool global, char letter)
{
	if (s->count == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		struct sym *p = realloc(s->syms, cap * sizeof *p);
		if (!p)
			return fail(s, -ENOMEM, "out of memory loading symbols");
		s->syms = p;
		s->cap = cap;
	}
	char *copy = strdup(name);
	if (!copy)
		return fail(s, -ENOMEM, "out of memory loading symbols");
	s->syms[s->count++] = (struct sym){ copy, addr, size, kind, global, letter };
	return 0;
}

/* Sort both indexes after a load. */
static int finish_load(struct symbols *s)
{
	if (s->count)
		qsort(s->syms, s->count, sizeof *s->syms, cmp_addr);
	free(s->by_name);
	s->by_name = malloc((s->count ? s->count : 1) * sizeof *s->by_name);
	if (!s->by_name)
		return fail(s, -ENOMEM, "out of memory indexing symbols");
	for (size_t i = 0; i < s->count; i++)
		s->by_name[i] = &s->syms[i];
	if (s->count)
		qsort(s->by_name, s->count, sizeof *s->by_name, cmp_name);
	return 0;
}

int symbols_add(struct symbols *s, const char *name, uint64_t addr, uint64_t size)
{
	int rc = add_sym(s, name, addr, size, SYM_FUNC, true, 'T');
	return rc < 0 ? rc : finish_load(s);
}

static char elf_letter(enum sym_kind kind, bool global, bool weak, bool exec)
{
	char c = kind == SYM_ABS ? 'a' : weak ? 'w' : (kind == SYM_FUNC || exec) ? 't' : 'd';
	return (global || weak) ? (char)toupper((unsigned char)c) : c;
}

/* Read the symbols of one SHT_SYMTAB/SHT_DYNSYM section. */
static int read_symtab(struct symbols *s, const char *path, Elf *elf, Elf_Scn *scn,
		       const GElf_Shdr *sh, size_t shnum)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	if (!data || sh->sh_entsize == 0)
		return fail(s, -EINVAL, "%s: unreadable symbol table: %s", path, elf_errmsg(-1));
	size_t n = sh->sh_size / sh->sh_entsize;
	int added = 0;
	for (size_t i = 1; i < n; i++) {
		GElf_Sym sym;
		if (!gelf_getsym(data, (int)i, &sym))
			return fail(s, -EINVAL, "%s: symbol %zu unreadable: %s", path, i, elf_errmsg(-1));
		int type = GELF_ST_TYPE(sym.st_info), bind = GELF_ST_BIND(sym.st_info);
		if (type == STT_SECTION || type == STT_FILE || sym.st_shndx == SHN_UNDEF)
			continue;
		const char *name = elf_strptr(elf, sh->sh_link, sym.st_name);
		if (!name)
			return fail(s, -EINVAL, "%s: symbol %zu has a bad name offset: %s", path, i, elf_errmsg(-1));
		if (!*name)
			continue;
		enum sym_kind kind = sym.st_shndx == SHN_ABS ? SYM_ABS
			: type == STT_FUNC ? SYM_FUNC
			: (type == STT_OBJECT || type == STT_TLS || type == STT_COMMON) ? SYM_OBJECT
			: SYM_NOTYPE;
		bool exec = false;
		if (sym.st_shndx < shnum && sym.st_shndx != SHN_ABS) {
			GElf_Shdr tsh;
			Elf_Scn *t = elf_getscn(elf, sym.st_shndx);
			exec = t && gelf_getshdr(t, &tsh) && (tsh.sh_flags & SHF_EXECINSTR);
		}
		bool global = bind == STB_GLOBAL || bind == STB_GNU_UNIQUE;
		int rc = add_sym(s, name, sym.st_value, sym.st_size, kind, global || bind == STB_WEAK,
				 elf_letter(kind, global, bind == STB_WEAK, exec));
		if (rc < 0)
			return rc;
		added++;
	}
	return added;
}

int symbols_load_elf(struct symbols *s, const char *path)
{
	s->err[0] = '\0';
	snprintf(s->source, sizeof s->source, "%s", path);
	struct stat st;
	char why[128];
	int fd = infile_open(path, &st, why, sizeof why);
	if (fd < 0)
		return fail(s, fd, "%s: %s", path, why);
	elf_version(EV_CURRENT);
	Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
	int rc;
	GElf_Ehdr eh;
	size_t shnum = 0;
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		rc = fail(s, -EINVAL, "%s: not an ELF file (%lld bytes)", path, (long long)st.st_size);
		goto out;
	}
	if (!gelf_getehdr(elf, &eh) || elf_getshdrnum(elf, &shnum) < 0) {
		rc = fail(s, -EINVAL, "%s: bad ELF header: %s", path, elf_errmsg(-1));
		goto out;
	}
	/* libelf trusts the header (and may quietly see no sections when their table is
	 * cut off): check that the section header table is in the file. e_shnum is 0 when
	 * the count overflows into section 0, which libelf then reads for us. */
	uint64_t nsec = eh.e_shnum ? eh.e_shnum : (shnum ? shnum : 1);
	uint64_t shend = eh.e_shoff + nsec * eh.e_shentsize;
	if (eh.e_shoff && shend > (uint64_t)st.st_size) {
		rc = fail(s, -EINVAL, "%s: truncated: the section headers end at byte %" PRIu64
			  " but the file has %lld bytes", path, shend, (long long)st.st_size);
		goto out;
	}
	Elf_Scn *symtab = NULL, *dynsym = NULL;
	GElf_Shdr symsh, dynsh;
	for (Elf_Scn *scn = elf_nextscn(elf, NULL); scn; scn = elf_nextscn(elf, scn)) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh)) {
			rc = fail(s, -EINVAL, "%s: bad section header: %s", path, elf_errmsg(-1));
			goto out;
		}
		if (sh.sh_type != SHT_NOBITS && sh.sh_offset + sh.sh_size > (uint64_t)st.st_size) {
			rc = fail(s, -EINVAL, "%s: truncated: section %zu ends at byte %" PRIu64
				  " but the file has %lld bytes", path, elf_ndxscn(scn),
				  (uint64_t)(sh.sh_offset + sh.sh_size), (long long)st.st_size);
			goto out;
		}
		if (sh.sh_type == SHT_SYMTAB && !symtab) {
			symtab = scn;
			symsh = sh;
		} else if (sh.sh_type == SHT_DYNSYM && !dynsym) {
			dynsym = scn;
			dynsh = sh;
		}
	}
	if (!symtab && !dynsym) {
		rc = fail(s, -ENODATA, "%s: no symbol table (stripped?)", path);
		goto out;
	}
	rc = symtab ? read_symtab(s, path, elf, symtab, &symsh, shnum)
		    : read_symtab(s, path, elf, dynsym, &dynsh, shnum);
	if (rc == 0)
		rc = fail(s, -ENODATA, "%s: no symbols in its symbol table", path);
	if (rc >= 0) {
		int f = finish_load(s);
		if (f < 0)
			rc = f;
	}
out:
	if (elf)
		elf_end(elf);
	close(fd);
	return rc;
}

static enum sym_kind map_kind(char c)
{
	switch (c) {
	case 'T': case 't': return SYM_FUNC;
	case 'A': case 'a': return SYM_ABS;
	case 'D': case 'd': case 'B': case 'b': case 'R': case 'r':
	case 'G': case 'g': case 'S': case 's': case 'V': case 'v': return SYM_OBJECT;
	default: return SYM_NOTYPE;
	}
}

/* Parse one System.map line into ADDR, LETTER and NAME (pointing into LINE). Returns
 * NULL or a description of what is wrong. */
static const char *parse_map_line(char *line, uint64_t *addr, char *letter, char **name)
{
	char *p = line;
	size_t nhex = 0;
	uint64_t v = 0;
	while (isxdigit((unsigned char)p[nhex])) {
		char c = p[nhex];
		v = v << 4 | (uint64_t)(isdigit((unsigned char)c) ? c - '0' : (tolower((unsigned char)c) - 'a' + 10));
		nhex++;
	}
	if (nhex == 0 && *p == ' ') {
		/* nm writes undefined and weak-undefined symbols with blanks for an address. */
		size_t blanks = strspn(p, " ");
		if (p[blanks] && strchr("Uuvw", p[blanks]) && p[blanks + 1] == ' ' && p[blanks + 2]) {
			*letter = 'U';
			*name = p + blanks + 2;
			*addr = 0;
			return NULL;
		}
	}
	if (nhex == 0)
		return "expected a hexadecimal address at the start of the line";
	if (nhex > 16)
		return "address longer than 16 hex digits";
	p += nhex;
	if (*p != ' ')
		return "expected one space after the address";
	p++;
	/* Every type nm(1) prints: '?' is what the kernel's own System.map uses for
	 * markers such as __init_end, '-' a stabs entry, 'I' an indirect reference. */
	if (!*p || !strchr("AaBbCcDdGgIiNnpRrSsTtUuVvWw?-", *p))
		return "expected a symbol type letter (T, t, D, b, A, ?, ...) after the address";
	*letter = *p++;
	if (*p != ' ')
		return "expected one space after the type letter";
	p++;
	if (!*p)
		return "missing symbol name";
	for (char *q = p; *q; q++)
		if (isspace((unsigned char)*q) || !isprint((unsigned char)*q))
			return "symbol name contains a space or a control character";
	*addr = v;
	*name = p;
	return NULL;
}

int symbols_load_system_map_stream(struct symbols *s, const char *path, FILE *f)
{
	s->err[0] = '\0';
	snprintf(s->source, sizeof s->source, "%s", path);
	char *line = NULL;
	size_t cap = 0, bytes = 0;
	ssize_t n;
	int lineno = 0, added = 0, rc = 0;
	size_t first = s->count;
	while ((n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		bytes += (size_t)n;
		if (bytes > MAP_MAX_BYTES) {
			rc = fail(s, -EFBIG, "%s: larger than %u MiB: not a System.map", path, MAP_MAX_BYTES >> 20);
			break;
		}
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0)
			continue;
		/* Debian's image packages ship an 83-byte placeholder pointing at -dbg. */
		if (strstr(line, "The real System.map is in")) {
			rc = fail(s, -ENODATA, "%s: no symbols: this is Debian's placeholder System.map "
				  "(the real one is in the linux-image-*-dbg package)", path);
			break;
		}
		uint64_t addr;
		char letter, *name;
		const char *why = parse_map_line(line, &addr, &letter, &name);
		if (why) {
			rc = fail(s, -EINVAL, "%s:%d: %s: \"%.60s\"", path, lineno, why, line);
			break;
		}
		if (letter == 'U' || letter == 'N' || letter == '-')   /* undefined, debug, stabs */
			continue;
		if ((rc = add_sym(s, name, addr, 0, map_kind(letter), isupper((unsigned char)letter), letter)) < 0)
			break;
		added++;
	}
	if (rc == 0 && ferror(f))
		rc = fail(s, -EIO, "%s: read error", path);
	if (rc == 0 && added == 0)
		rc = fail(s, -ENODATA, "%s: no symbols in the file", path);
	free(line);
	if (rc < 0) {
		/* All or nothing: drop what this file added. */
		for (size_t i = first; i < s->count; i++)
			free(s->syms[i].name);
		s->count = first;
		finish_load(s);
		return rc;
	}
	rc = finish_load(s);
	return rc < 0 ? rc : added;
}

int symbols_load_system_map(struct symbols *s, const char *path)
{
	char why[128];
	FILE *f = infile_fopen(path, why, sizeof why);
	if (!f) {
		snprintf(s->source, sizeof s->source, "%s", path);
		return fail(s, -errno, "%s: %s", path, why);
	}
	int rc = symbols_load_system_map_stream(s, path, f);
	fclose(f);
	return rc;
}

const struct sym *symbols_by_name(const struct symbols *s, const char *name)
{
	size_t lo = 0, hi = s->count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(s->by_name[mid]->name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->count && !strcmp(s->by_name[lo]->name, name) ? s->by_name[lo] : NULL;
}

/* Index one past the last symbol whose address is <= ADDR. */
static size_t upper_bound(const struct symbols *s, uint64_t addr)
{
	size_t lo = 0, hi = s->count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Index of the first symbol whose address is >= ADDR. Groups of symbols at one
 * address are found by bisection, not by walking: a map with thousands of aliases at
 * one address made every lookup walk them all. */
static size_t lower_bound(const struct symbols *s, uint64_t addr)
{
	size_t lo = 0, hi = s->count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->syms[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct sym *symbols_at(const struct symbols *s, uint64_t addr)
{
	/* The group at ADDR is sorted best first: its first symbol is the answer. */
	size_t i = lower_bound(s, addr);
	if (i == s->count || s->syms[i].addr != addr || s->syms[i].kind == SYM_ABS)
		return NULL;
	return &s->syms[i];
}

/* Whether ADDR lies inside Y for the purpose of naming it. */
static bool covers(const struct sym *y, uint64_t addr)
{
	if (y->kind == SYM_ABS)
		return false;       /* absolute values are numbers, not places */
	uint64_t off = addr - y->addr;
	return y->size ? off < y->size : off < MAX_UNSIZED_OFFSET;
}

/* Walk address groups downward from ADDR; return the first symbol OK accepts. */
static const struct sym *search_down(const struct symbols *s, uint64_t addr,
				     bool (*ok)(const struct sym *, uint64_t))
{
	size_t end = upper_bound(s, addr);
	for (int groups = 0; end > 0 && groups < MAX_GROUPS_BACK; groups++) {
		size_t start = lower_bound(s, s->syms[end - 1].addr);
		for (size_t i = start; i < end; i++)   /* best first */
			if (ok(&s->syms[i], addr))
				return &s->syms[i];
		end = start;
	}
	return NULL;
}

const struct sym *symbols_lookup(const struct symbols *s, uint64_t addr, uint64_t *off)
{
	const struct sym *y = search_down(s, addr, covers);
	if (y && off)
		*off = addr - y->addr;
	return y;
}

const char *symbols_format(const struct symbols *s, uint64_t addr, char *buf, size_t len)
{
	uint64_t off;
	const struct sym *y = symbols_lookup(s, addr, &off);
	if (!y)
		snprintf(buf, len, "0x%" PRIx64, addr);
	else if (off)
		snprintf(buf, len, "%s+0x%" PRIx64, y->name, off);
	else
		snprintf(buf, len, "%s", y->name);
	return buf;
}

static bool is_code(const struct sym *y)
{
	return y->kind == SYM_FUNC || (y->kind == SYM_NOTYPE && (y->letter == 'T' || y->letter == 't'));
}

static bool sized_code_covers(const struct sym *y, uint64_t addr)
{
	return is_code(y) && y->size && addr - y->addr < y->size;
}

static bool unsized_code_covers(const struct sym *y, uint64_t addr)
{
	return is_code(y) && !y->size && addr - y->addr < MAX_UNSIZED_OFFSET;
}

const struct sym *symbols_function(const struct symbols *s, uint64_t addr,
				   uint64_t *start, uint64_t *size)
{
	const struct sym *y = search_down(s, addr, sized_code_covers);
	uint64_t len = y ? y->size : 0;
	if (!y) {
		/* No size in the table (System.map, or assembly without .size): the function
		 * runs up to the next symbol (code or data) above it. */
		y = search_down(s, addr, unsized_code_covers);
		if (!y)
			return NULL;
		len = MAX_UNSIZED_OFFSET;
		for (size_t i = upper_bound(s, y->addr); i < s->count; i++) {
			if (s->syms[i].kind != SYM_ABS) {
				len = s->syms[i].addr - y->addr;
				break;
			}
		}
		if (addr - y->addr >= len)
			return NULL;
	}
	if (start)
		*start = y->addr;
	if (size)
		*size = len;
	return y;
}

int symbols_symbolize(void *ctx, uint64_t addr, char *name, size_t len, uint64_t *off)
{
	const struct sym *y = symbols_lookup(ctx, addr, off);
	if (!y)
		return -1;
	snprintf(name, len, "%s", y->name);
	return 0;
}

const char *symbols_error(const struct symbols *s)
{
	return s->err;
}
