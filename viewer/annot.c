/* annot.c: the annotation set: loading files and directories, resolving anchors to
 * addresses, finding the note for a stop or the glossary entry for an instruction.
 * The text of one file is parsed in annot_parse.c (annot_load_buffer).
 */
#include "annot.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "infile.h"
#include "textsafe.h"

int annot_add_error(struct annot_set *set, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	int n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	if (set->nerrors == set->cap_errors) {
		size_t cap = set->cap_errors ? set->cap_errors * 2 : 16;
		char **e = realloc(set->errors, cap * sizeof(*e));
		if (!e) {
			free(msg);
			return -ENOMEM;
		}
		set->errors = e;
		set->cap_errors = cap;
	}
	set->errors[set->nerrors++] = msg;
	return 0;
}

/* annot_add_error that remembers a failure in *oom instead of returning it. */
#define add_error(set, oom, ...) do { \
	if (annot_add_error((set), __VA_ARGS__) < 0) \
		*(oom) = true; \
	} while (0)

int annot_load_file(struct annot_set *set, const char *path)
{
	bool oom = false;
	char *buf = NULL, why[160];
	size_t len = 0;
	/* A directory or a FIFO named *.md is refused here, not read (or waited on). */
	int rc = infile_read_all(path, ANNOT_MAX_FILE_SIZE, &buf, &len, why, sizeof(why));

	if (rc == -ENOMEM)
		return rc;
	if (rc < 0) {
		add_error(set, &oom, "%s:1: cannot read: %s", path, why);
		return oom ? -ENOMEM : 1;
	}
	int n = annot_load_buffer(set, path, buf, len);
	free(buf);
	return n;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int annot_load_dir(struct annot_set *set, const char *dir)
{
	bool oom = false;
	DIR *d = opendir(dir);
	char **names = NULL;
	size_t n = 0, cap = 0;
	int errors = 0;

	if (!d) {
		add_error(set, &oom, "%s: cannot open directory: %s", dir, strerror(errno));
		return oom ? -ENOMEM : 1;
	}
	for (struct dirent *e; (e = readdir(d)); ) {
		size_t l = strlen(e->d_name);
		if (e->d_name[0] == '.' || l < 4 || strcmp(e->d_name + l - 3, ".md") != 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			char **nn = realloc(names, cap * sizeof(*nn));
			if (!nn) {
				oom = true;
				break;
			}
			names = nn;
		}
		if (!(names[n] = strdup(e->d_name))) {
			oom = true;
			break;
		}
		n++;
	}
	closedir(d);
	if (n == 0 && !oom) {
		add_error(set, &oom, "%s: no *.md files in the directory", dir);
		errors++;
	}
	/* readdir's order is the file system's; teachers number files to order the walk. */
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_names);
	size_t dlen = strlen(dir);
	while (dlen > 1 && dir[dlen - 1] == '/')
		dlen--;
	for (size_t i = 0; i < n && !oom; i++) {
		char *path = NULL;
		if (asprintf(&path, "%.*s/%s", (int)dlen, dir, names[i]) < 0) {
			oom = true;
			break;
		}
		int r = annot_load_file(set, path);
		free(path);
		if (r < 0)
			oom = true;
		else
			errors += r;
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return oom ? -ENOMEM : errors;
}

int annot_load_glossary(struct annot_set *set, const char *path)
{
	set->glossary = true;
	return annot_load_file(set, path);
}

/* Set why note N does not apply; false when memory ran out. */
static bool not_applicable(struct annot_note *n, bool requirement, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static bool not_applicable(struct annot_note *n, bool requirement, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	free(n->not_applicable);
	n->not_applicable = NULL;
	int rc = vasprintf(&n->not_applicable, fmt, ap);
	va_end(ap);
	if (rc < 0)
		n->not_applicable = NULL;
	n->requirement_unmet = requirement;
	n->resolved = false;
	return rc >= 0;
}

/* The requirement that does not hold for note N, reported; false when they all hold. */
static bool requirement_unmet(struct annot_note *n, const struct annot_resolver *r, bool *oom)
{
	for (size_t i = 0; r->requirement && i < n->nrequires; i++) {
		char why[256] = "";
		if (r->requirement(r->ctx, n->requires[i], why, sizeof(why)) == 0) {
			if (!not_applicable(n, true, "requires %s: %s", n->requires[i],
					    why[0] ? why : "not so in this kernel"))
				*oom = true;
			return true;
		}
	}
	return false;
}

/* Resolve one note, or say why it does not apply; returns 0 when resolved. */
static int resolve_one(struct annot_note *n, const struct annot_resolver *r, bool *oom)
{
	const struct annot_anchor *a = &n->anchor;
	uint64_t addr = 0, size = 0;

	if (requirement_unmet(n, r, oom))
		return -1;
	if (r->lookup_symbol(r->ctx, a->symbol, &addr, &size) < 0) {
		*oom |= !not_applicable(n, false, "this kernel has no symbol '%s'", a->symbol);
		return -1;
	}
	if (a->kind == ANNOT_AT_OFFSET) {
		if (size && a->offset >= size) {
			*oom |= !not_applicable(n, false, "offset 0x%llx is past the end of %s (size 0x%llx)",
						(unsigned long long)a->offset, a->symbol,
						(unsigned long long)size);
			return -1;
		}
		addr += a->offset;
	} else if (a->kind == ANNOT_AT_MNEMONIC || a->kind == ANNOT_AT_BRANCH) {
		uint64_t at = 0, target = 0, tsize;
		if (a->kind == ANNOT_AT_BRANCH && r->lookup_symbol(r->ctx, a->target, &target, &tsize) < 0) {
			*oom |= !not_applicable(n, false, "this kernel has no symbol '%s'", a->target);
			return -1;
		}
		int count = r->find_insn(r->ctx, addr, size, a->mnemonic, a->operands, target, a->nth, &at);
		char what[160];
		if (a->kind == ANNOT_AT_BRANCH)
			snprintf(what, sizeof(what), "call or jmp to %s", a->target);
		else
			snprintf(what, sizeof(what), "'%s'%s%s%s", a->mnemonic, a->operands ? " with operands '" : "",
				 a->operands ? a->operands : "", a->operands ? "'" : "");
		if (count < 0) {
			*oom |= !not_applicable(n, false, "cannot disassemble %s", a->symbol);
			return -1;
		}
		if (count < a->nth) {
			*oom |= !not_applicable(n, false, "%s %d %s in %s", count ? "only" : "found", count,
						what, a->symbol);
			return -1;
		}
		addr = at;
	}
	n->addr = addr;
	n->resolved = true;
	return 0;
}

int annot_resolve(struct annot_set *set, const struct annot_resolver *r)
{
	bool oom = false;
	int left_out = 0;

	for (size_t i = 0; i < set->nnotes && !oom; i++) {
		struct annot_note *n = &set->notes[i];
		n->resolved = false;
		free(n->not_applicable);
		n->not_applicable = NULL;
		n->requirement_unmet = false;
		if (!n->anchor.symbol || n->anchor.kind == ANNOT_AT_GLOSSARY)
			continue;    /* its anchor was already reported as malformed */
		if (resolve_one(n, r, &oom) < 0) {
			left_out++;
			continue;
		}
		/* One stop shows one note: two anchors at the same byte would hide one of them
		 * (entry_SYSCALL_64 and entry_SYSCALL_64/swapgs when swapgs comes first). */
		for (size_t j = 0; j < i; j++) {
			const struct annot_note *o = &set->notes[j];
			if (o->resolved && o->addr == n->addr) {
				oom |= !not_applicable(n, false, "in this kernel it is the same instruction "
						       "(0x%llx) as '%s' (%s:%d)", (unsigned long long)n->addr,
						       o->anchor_text, o->file, o->line);
				left_out++;
				break;
			}
		}
	}
	return oom ? -ENOMEM : left_out;
}

const struct annot_note *annot_find_by_addr(const struct annot_set *set, uint64_t addr)
{
	for (size_t i = 0; i < set->nnotes; i++)
		if (set->notes[i].resolved && set->notes[i].addr == addr)
			return &set->notes[i];
	return NULL;
}

const struct annot_note *annot_find_by_anchor(const struct annot_set *set, const char *anchor)
{
	for (size_t i = 0; i < set->nnotes; i++)
		if (set->notes[i].anchor_text && strcmp(set->notes[i].anchor_text, anchor) == 0)
			return &set->notes[i];
	return NULL;
}

/* The glossary note listing NAME among its '/'-separated names. */
static const struct annot_note *glossary_entry(const struct annot_set *set, const char *name)
{
	size_t len = strlen(name);
	for (size_t i = 0; i < set->nnotes; i++) {
		const char *p = set->notes[i].anchor.symbol;
		for (; p && *p; p += strcspn(p, "/"), p += *p == '/')
			if (strncmp(p, name, len) == 0 && (p[len] == '/' || p[len] == '\0'))
				return &set->notes[i];
	}
	return NULL;
}

const struct annot_note *annot_glossary_find(const struct annot_set *set,
                                             const char *mnemonic, const char *operands)
{
	char base[32], key[64];
	const struct annot_note *n;

	if (!mnemonic || strlen(mnemonic) >= sizeof(base))
		return NULL;
	strcpy(base, mnemonic);
	/* AT&T adds an operand-size suffix (pushq, callq, shlq); sysretq and iretq keep
	 * theirs as part of the name, so the exact name is tried first. */
	for (int pass = 0; pass < 2; pass++) {
		/* "mov-cr3" is more precise than "mov" for "movq %rax, %cr3". */
		for (const char *p = operands; p && *p; ) {
			p += strcspn(p, "abcdefghijklmnopqrstuvwxyz");
			size_t l = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789");
			if (l > 0 && (size_t)snprintf(key, sizeof(key), "%s-%.*s", base, (int)l, p) <
			    sizeof(key) && (n = glossary_entry(set, key)))
				return n;
			p += l;
		}
		if ((n = glossary_entry(set, base)))
			return n;
		size_t bl = strlen(base);
		if (bl < 3 || !strchr("bwlq", base[bl - 1]))
			break;
		base[bl - 1] = '\0';
	}
	return NULL;
}

size_t annot_print_errors(const struct annot_set *set, FILE *out)
{
	for (size_t i = 0; i < set->nerrors; i++)
		textsafe_printf(out, "%s\n", set->errors[i]);
	return set->nerrors;
}

void annot_set_init(struct annot_set *set)
{
	memset(set, 0, sizeof(*set));
}

static void note_free(struct annot_note *n)
{
	free(n->anchor_text);
	free(n->anchor.symbol);
	free(n->anchor.mnemonic);
	free(n->anchor.operands);
	free(n->anchor.target);
	free(n->not_applicable);
	for (size_t i = 0; i < n->nrequires; i++)
		free(n->requires[i]);
	free(n->requires);
	free(n->requires_lines);
	free(n->title);
	free(n->show);
	for (size_t i = 0; i < n->nchecks; i++)
		free(n->checks[i]);
	free(n->checks);
	for (size_t i = 0; i < n->nquestions; i++)
		annot_question_free(&n->questions[i]);
	free(n->check_lines);
	free(n->markdown);
	free(n->file);
}

void annot_set_free(struct annot_set *set)
{
	for (size_t i = 0; i < set->nnotes; i++)
		note_free(&set->notes[i]);
	for (size_t i = 0; i < set->nintros; i++) {
		free(set->intros[i].file);
		free(set->intros[i].markdown);
	}
	for (size_t i = 0; i < set->nerrors; i++)
		free(set->errors[i]);
	free(set->notes);
	free(set->intros);
	free(set->errors);
	memset(set, 0, sizeof(*set));
}

void annot_question_free(struct annot_question *q)
{
	free(q->text);
	free(q->expr);
	for (int i = 0; i < q->nchoices; i++) {
		free(q->choice_label[i]);
		free(q->choice_expr[i]);
	}
	memset(q, 0, sizeof(*q));
}
