/* annot_parse.c: one annotation file's text turned into notes (annot_load_buffer).
 *
 * cmark parses each file; this module only decides which top-level blocks belong to
 * which note. A note's prose is kept as the teacher's own Markdown (the source lines
 * between its heading and the next anchor heading), so the terminal renderer and the
 * HTML exporter both parse exactly what was written.
 */
#include "annot.h"

#include <cmark.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "annot_internal.h"
#include "expr.h"
#include "textsafe.h"

#define ANCHOR_LEVEL 2              /* "## anchor" starts a note */
#define MAX_ANCHOR_LEN 128

/* "name:line: message" for file S. */
void serr(struct src *s, int line, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	int n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0) {
		s->oom = true;
		return;
	}
	if (annot_add_error(s->set, "%s:%d: %s", s->name, line, msg) < 0)
		s->oom = true;
	free(msg);
	s->errors++;
}

/* A copy of LEN bytes at P as a string. */
char *dup_range(const char *p, size_t len, bool *oom)
{
	char *d = strndup(p, len);
	if (!d)
		*oom = true;
	return d;
}

static bool is_symbol_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '$';
}

/* Whether [P, P+LEN) is a mnemonic: a lower-case letter, then letters and digits. */
static bool is_mnemonic(const char *p, size_t len)
{
	if (len == 0 || !islower((unsigned char)p[0]))
		return false;
	for (size_t i = 1; i < len; i++)
		if (!islower((unsigned char)p[i]) && !isdigit((unsigned char)p[i]))
			return false;
	return true;
}

/* Parse the anchor TEXT of a note into A; reports and returns -1 when malformed. */
static int parse_anchor(struct src *s, int line, const char *text, struct annot_anchor *a)
{
	size_t symlen = strcspn(text, "+/");
	const char *rest = text + symlen;

	memset(a, 0, sizeof(*a));
	if (s->set->glossary) {
		/* "push/pop": each name a mnemonic, optionally "-operand" (mov-cr3). */
		for (const char *p = text; *p; ) {
			size_t n = strcspn(p, "/");
			bool ok = n > 0 && islower((unsigned char)p[0]);
			for (size_t i = 0; i < n; i++)
				ok = ok && (islower((unsigned char)p[i]) ||
				            isdigit((unsigned char)p[i]) || p[i] == '-');
			if (!ok) {
				serr(s, line, "bad glossary name '%.*s' in '%s' (expected a "
				     "lower-case mnemonic)", (int)n, p, text);
				return -1;
			}
			p += n + (p[n] == '/');
		}
		a->kind = ANNOT_AT_GLOSSARY;
		a->symbol = dup_range(text, strlen(text), &s->oom);
		return a->symbol ? 0 : -1;
	}
	const char *arrow = strstr(text, "->");
	if (arrow && (size_t)(arrow - text) < symlen)
		symlen = (size_t)(arrow - text);
	rest = text + symlen;
	bool sym_ok = symlen > 0 && !isdigit((unsigned char)text[0]);
	for (size_t i = 0; i < symlen; i++)
		sym_ok = sym_ok && is_symbol_char(text[i]);
	if (!sym_ok) {
		serr(s, line, "bad symbol name '%.*s' in anchor '%s'", (int)symlen, text, text);
		return -1;
	}
	if (*rest == '+') {
		char *end = NULL;
		bool ok = rest[1] == '0' && (rest[2] == 'x' || rest[2] == 'X') &&
		          isxdigit((unsigned char)rest[3]) && strlen(rest + 3) <= 16;
		if (ok) {
			errno = 0;
			a->offset = strtoull(rest + 3, &end, 16);
			ok = errno == 0 && *end == '\0';
		}
		if (!ok) {
			serr(s, line, "bad offset '%s' in anchor '%s' (expected +0x and hex digits)",
			     rest, text);
			return -1;
		}
		a->kind = ANNOT_AT_OFFSET;
	} else if (*rest == '/' || *rest == '-') {
		bool branch = *rest == '-';
		const char *m = rest + (branch ? 2 : 1);
		size_t mlen = strcspn(m, branch ? "#" : ":#");
		if (branch) {
			bool ok = mlen > 0 && !isdigit((unsigned char)m[0]);
			for (size_t i = 0; i < mlen; i++)
				ok = ok && is_symbol_char(m[i]);
			if (!ok) {
				serr(s, line, "bad branch target '%.*s' in anchor '%s' (expected "
				     "SYMBOL->TARGET, TARGET a symbol name)", (int)mlen, m, text);
				return -1;
			}
		} else if (!is_mnemonic(m, mlen)) {
			serr(s, line, "bad mnemonic '%.*s' in anchor '%s' (expected lower-case "
			     "letters and digits, as the disassembly shows it)", (int)mlen, m, text);
			return -1;
		}
		const char *after = m + mlen;
		if (*after == ':') {
			size_t olen = strcspn(after + 1, "#");
			if (olen == 0) {
				serr(s, line, "empty operands after ':' in anchor '%s' (expected "
				     "MNEMONIC:OPERANDS, e.g. mov:%%rsp,%%rdi)", text);
				return -1;
			}
			a->operands = dup_range(after + 1, olen, &s->oom);
			after += 1 + olen;
		}
		a->nth = 1;
		if (*after == '#') {
			const char *num = after + 1;
			char *end = NULL;
			long n = isdigit((unsigned char)num[0]) ? strtol(num, &end, 10) : 0;
			if (!end || *end != '\0' || n < 1 || n > 100000) {
				serr(s, line, "bad instruction number '#%s' in anchor '%s' (expected "
				     "#1, #2, ...)", num, text);
				return -1;
			}
			a->nth = (int)n;
		}
		a->kind = branch ? ANNOT_AT_BRANCH : ANNOT_AT_MNEMONIC;
		if (branch)
			a->target = dup_range(m, mlen, &s->oom);
		else
			a->mnemonic = dup_range(m, mlen, &s->oom);
	} else {
		a->kind = ANNOT_AT_SYMBOL;
	}
	a->symbol = dup_range(text, symlen, &s->oom);
	return s->oom ? -1 : 0;
}

/* Whether two anchors name the same place whatever their spelling (X == X+0x0, X/m == X/m#1). */
static bool same_text(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool same_anchor(const struct annot_anchor *a, const struct annot_anchor *b)
{
	uint64_t oa = a->kind == ANNOT_AT_OFFSET ? a->offset : 0;
	uint64_t ob = b->kind == ANNOT_AT_OFFSET ? b->offset : 0;
	bool ia = a->kind == ANNOT_AT_MNEMONIC || a->kind == ANNOT_AT_BRANCH;
	bool ib = b->kind == ANNOT_AT_MNEMONIC || b->kind == ANNOT_AT_BRANCH;

	if (strcmp(a->symbol, b->symbol) != 0 || ia != ib)
		return false;
	if (ia)
		return a->kind == b->kind && a->nth == b->nth && same_text(a->mnemonic, b->mnemonic) &&
		       same_text(a->operands, b->operands) && same_text(a->target, b->target);
	return oa == ob;
}

/* Append N bytes of P to the growing string *TEXT (*LEN used, *CAP allocated). */
static bool append(char **text, size_t *len, size_t *cap, const char *p, size_t n)
{
	if (*len + n + 1 > *cap) {
		size_t want = *cap ? *cap : 64;
		while (*len + n + 1 > want)
			want *= 2;
		char *grown = realloc(*text, want);
		if (!grown)
			return false;
		*text = grown;
		*cap = want;
	}
	memcpy(*text + *len, p, n);
	*len += n;
	(*text)[*len] = '\0';
	return true;
}

/* The heading's text flattened; *plain_len is how many leading bytes came from plain
 * text or code spans (emphasis or links inside an anchor mangle it, so we refuse them).
 * A plain growing buffer, not open_memstream: that one wipes 8 KiB for every heading. */
static char *heading_text(struct src *s, cmark_node *h, size_t *plain_len)
{
	char *text = NULL;
	size_t len = 0, cap = 0;
	bool formatted_seen = false, ok = append(&text, &len, &cap, "", 0);

	*plain_len = 0;
	cmark_iter *it = cmark_iter_new(h);
	for (cmark_event_type ev; ok && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE; ) {
		cmark_node *n = cmark_iter_get_node(it);
		cmark_node_type t = cmark_node_get_type(n);
		if (ev != CMARK_EVENT_ENTER || n == h)
			continue;
		if (t == CMARK_NODE_TEXT || t == CMARK_NODE_CODE || t == CMARK_NODE_HTML_INLINE) {
			const char *lit = cmark_node_get_literal(n);
			ok = append(&text, &len, &cap, lit, strlen(lit));
		} else if (t == CMARK_NODE_SOFTBREAK || t == CMARK_NODE_LINEBREAK) {
			ok = append(&text, &len, &cap, " ", 1);
		}
		if (t == CMARK_NODE_EMPH || t == CMARK_NODE_STRONG || t == CMARK_NODE_LINK ||
		    t == CMARK_NODE_IMAGE || t == CMARK_NODE_HTML_INLINE)
			formatted_seen = true;
		if (!formatted_seen)
			*plain_len = len;
	}
	cmark_iter_free(it);
	if (!ok) {
		free(text);
		s->oom = true;
		return NULL;
	}
	return text;
}

/* Whether line LINE (from 1) holds only spaces and tabs. The buffer is not
 * NUL-terminated (it may come straight from a file), so no str* function on it. */
static bool line_is_blank(const struct src *s, int line)
{
	for (size_t i = s->line_start[line - 1]; i < s->line_end[line - 1]; i++)
		if (s->buf[i] != ' ' && s->buf[i] != '\t')
			return false;
	return true;
}

/* Join source lines FIRST..LAST (from 1), dropping blank lines at both ends. */
static char *join_lines(struct src *s, int first, int last)
{
	while (first <= last && line_is_blank(s, first))
		first++;
	while (last >= first && line_is_blank(s, last))
		last--;
	if (first > last)
		return dup_range("", 0, &s->oom);
	size_t len = s->line_end[last - 1] - s->line_start[first - 1];
	char *out = dup_range(s->buf + s->line_start[first - 1], len, &s->oom);
	/* Lone \r and \r\n become \n, so every consumer sees one kind of line end. */
	if (out) {
		size_t w = 0;
		for (size_t r = 0; r < len; r++) {
			if (out[r] == '\r' && r + 1 < len && out[r + 1] == '\n')
				continue;
			out[w++] = out[r] == '\r' ? '\n' : out[r];
		}
		out[w] = '\0';
	}
	return out;
}

/* The "key:" lines (show:, check:, ask:). */
static bool is_key_line(const char *p, size_t len, size_t *keylen)
{
	size_t k = 0;
	while (k < len && (islower((unsigned char)p[k]) || p[k] == '_' ||
	                   (k > 0 && isdigit((unsigned char)p[k]))))
		k++;
	*keylen = k;
	return k > 0 && k < len && p[k] == ':' && (k + 1 == len || p[k + 1] == ' ' ||
	                                            p[k + 1] == '\t');
}

static struct annot_note *new_note(struct annot_set *set, bool *oom)
{
	if (set->nnotes == set->cap_notes) {
		size_t cap = set->cap_notes ? set->cap_notes * 2 : 32;
		struct annot_note *n = realloc(set->notes, cap * sizeof(*n));
		if (!n) {
			*oom = true;
			return NULL;
		}
		set->notes = n;
		set->cap_notes = cap;
	}
	struct annot_note *note = &set->notes[set->nnotes++];
	memset(note, 0, sizeof(*note));
	return note;
}

/* Fill NOTE from its heading H; returns the line after the heading's key lines. */
static int read_heading(struct src *s, cmark_node *h, struct annot_note *note)
{
	int line = cmark_node_get_start_line(h);
	int next = cmark_node_get_end_line(h) + 1;
	size_t plain_len;
	char *text = heading_text(s, h, &plain_len);

	if (!text)
		return next;
	const char *p = text + strspn(text, " \t");
	size_t alen = strcspn(p, " \t");
	const char *rest = p + alen + strspn(p + alen, " \t");
	size_t rlen = strlen(rest);
	while (rlen && isspace((unsigned char)rest[rlen - 1]))
		rlen--;

	if (alen == 0) {
		serr(s, line, "empty anchor");
	} else if (alen > MAX_ANCHOR_LEN) {
		serr(s, line, "anchor longer than %d characters", MAX_ANCHOR_LEN);
	} else if ((size_t)(p - text) + alen > plain_len) {
		serr(s, line, "anchor '%.*s' contains Markdown formatting; write it in "
		     "backticks", (int)alen, p);
	} else {
		note->anchor_text = dup_range(p, alen, &s->oom);
		if (note->anchor_text)
			parse_anchor(s, line, note->anchor_text, &note->anchor);
	}
	/* The title follows " — " (an em dash) or, for ASCII keyboards, " -- " or " - ". */
	if (rlen > 0 && alen > 0) {
		size_t sep = !strncmp(rest, "\u2014", 3) ? 3 : !strncmp(rest, "--", 2) ? 2 :
		             rest[0] == '-' ? 1 : 0;
		const char *t = rest + sep + strspn(rest + sep, " \t");
		if (sep == 0)
			serr(s, line, "expected ' — ' between anchor '%.*s' and the title '%.*s'",
			     (int)alen, p, (int)rlen, rest);
		else if (t >= rest + rlen)
			serr(s, line, "empty title after '%.*s'", (int)sep, rest);
		else
			note->title = dup_range(t, rlen - (size_t)(t - rest), &s->oom);
	}
	free(text);

	/* Key lines sit directly under the heading, in the paragraph that starts there. */
	cmark_node *para = cmark_node_next(h);
	if (!para || cmark_node_get_type(para) != CMARK_NODE_PARAGRAPH ||
	    cmark_node_get_start_line(para) != next)
		return next;
	int last = cmark_node_get_end_line(para);
	for (; next <= last; next++) {
		const char *lp = s->buf + s->line_start[next - 1];
		size_t llen = s->line_end[next - 1] - s->line_start[next - 1], klen;
		if (!is_key_line(lp, llen, &klen))
			break;
		if (klen == 4 && !strncmp(lp, "show", 4)) {
			char *value = dup_range(lp + 5, llen - 5, &s->oom);
			if (note->show)
				serr(s, next, "second show: line (the first is at line %d)", line + 1);
			else if (value)
				note->show = annot_parse_show(s, next, value);
			free(value);
		} else if (klen == 5 && !strncmp(lp, "check", 5)) {
			char *value = dup_range(lp + 6, llen - 6, &s->oom);
			if (value)
				annot_parse_check(s, note, next, value, 6);
			free(value);
		} else if (klen == 8 && !strncmp(lp, "requires", 8)) {
			char *value = dup_range(lp + 9, llen - 9, &s->oom);
			if (value)
				annot_parse_requires(s, note, next, value);
			free(value);
		} else if (klen == 3 && !strncmp(lp, "ask", 3)) {
			char *value = dup_range(lp + 4, llen - 4, &s->oom);
			if (value)
				annot_parse_ask(s, note, next, value, 4);
			free(value);
		} else {
			serr(s, next, "unknown key '%.*s:' under the heading (show:, check:, ask: and "
			     "requires: are known; put prose after a blank line)", (int)klen, lp);
		}
	}
	return next;
}

/* Close NOTE: prose from line FIRST to LAST; BLOCKS counts the prose blocks. */
static void finish_note(struct src *s, struct annot_note *note, int line, int first,
                        int last, int blocks)
{
	note->line = line;
	note->file = dup_range(s->name, strlen(s->name), &s->oom);
	for (size_t i = 0; i < note->nquestions; i++)
		note->questions[i].file = note->file;
	note->markdown = join_lines(s, first, last);
	if (!note->show)
		note->show = dup_range("", 0, &s->oom);
	if (!note->title && note->anchor_text)
		note->title = dup_range(note->anchor_text, strlen(note->anchor_text), &s->oom);
	if (blocks == 0 || (note->markdown && note->markdown[0] == '\0'))
		serr(s, line, "note has no prose");
	if (!note->anchor.symbol)
		return;
	for (size_t i = 0; i + 1 < s->set->nnotes; i++) {
		const struct annot_note *o = &s->set->notes[i];
		if (o->anchor.symbol && same_anchor(&o->anchor, &note->anchor)) {
			serr(s, line, "duplicate anchor '%s' (first at %s:%d)", note->anchor_text,
			     o->file, o->line);
			break;
		}
	}
}

/* Cut the buffer into lines the way cmark numbers them (\n, \r\n and \r end a line). */
static int split_lines(struct src *s, size_t len)
{
	size_t n = 1;
	for (size_t i = 0; i < len; i++)
		if (s->buf[i] == '\n' || (s->buf[i] == '\r' && (i + 1 == len || s->buf[i + 1] != '\n')))
			n++;
	s->line_start = malloc((n + 1) * sizeof(size_t));
	s->line_end = malloc((n + 1) * sizeof(size_t));
	if (!s->line_start || !s->line_end)
		return -1;
	s->nlines = 0;
	s->line_start[0] = 0;
	for (size_t i = 0; i < len; i++) {
		if (s->buf[i] != '\n' && s->buf[i] != '\r')
			continue;
		s->line_end[s->nlines] = i;
		if (s->buf[i] == '\r' && i + 1 < len && s->buf[i + 1] == '\n')
			i++;
		s->line_start[++s->nlines] = i + 1;
	}
	s->line_end[s->nlines++] = len;
	return 0;
}

/* Refuse a file that is not UTF-8 or holds a NUL: say where, once. */
static int check_encoding(struct src *s, size_t len)
{
	int line = 1;
	for (size_t i = 0; i < len; ) {
		uint32_t cp;
		size_t n = textsafe_decode(s->buf + i, len - i, &cp);
		if (n == 0 || cp == 0) {
			serr(s, line, n ? "NUL byte in the file" :
			     "not valid UTF-8 (byte 0x%02x); save the file as UTF-8",
			     (unsigned char)s->buf[i]);
			return -1;
		}
		line += s->buf[i] == '\n' || (s->buf[i] == '\r' && (i + 1 == len || s->buf[i + 1] != '\n'));
		i += n;
	}
	return 0;
}

static void add_intro(struct src *s, int last_line)
{
	struct annot_set *set = s->set;
	if (set->nintros == set->cap_intros) {
		size_t cap = set->cap_intros ? set->cap_intros * 2 : 8;
		struct annot_intro *in = realloc(set->intros, cap * sizeof(*in));
		if (!in) {
			s->oom = true;
			return;
		}
		set->intros = in;
		set->cap_intros = cap;
	}
	struct annot_intro *in = &set->intros[set->nintros++];
	in->file = dup_range(s->name, strlen(s->name), &s->oom);
	in->markdown = join_lines(s, 1, last_line);
}

int annot_load_buffer(struct annot_set *set, const char *name, const char *buf, size_t len)
{
	struct src s = { .set = set, .name = name, .buf = buf };

	if (len > ANNOT_MAX_FILE_SIZE) {
		serr(&s, 1, "file larger than %d bytes", ANNOT_MAX_FILE_SIZE);
		return s.oom ? -ENOMEM : s.errors;
	}
	if (check_encoding(&s, len) < 0)
		return s.oom ? -ENOMEM : s.errors;
	if (split_lines(&s, len) < 0) {
		free(s.line_start);
		free(s.line_end);
		return -ENOMEM;
	}
	cmark_node *doc = cmark_parse_document(buf, len, CMARK_OPT_DEFAULT);
	if (!doc) {
		free(s.line_start);
		free(s.line_end);
		return -ENOMEM;
	}
	/* Only top-level "##" headings are anchors: one inside a list or quote is prose. */
	struct annot_note *note = NULL;
	int note_line = 0, prose_first = 0, blocks = 0, last_line = s.nlines;
	size_t note_index = 0;
	bool intro_done = false;
	for (cmark_node *b = cmark_node_first_child(doc); b && !s.oom; b = cmark_node_next(b)) {
		int start = cmark_node_get_start_line(b);
		bool anchor = cmark_node_get_type(b) == CMARK_NODE_HEADING &&
		              cmark_node_get_heading_level(b) == ANCHOR_LEVEL;
		if (!anchor) {
			if (note && cmark_node_get_end_line(b) >= prose_first)
				blocks++;
			continue;
		}
		if (!intro_done)
			add_intro(&s, start - 1);
		intro_done = true;
		if (note)
			finish_note(&s, &set->notes[note_index], note_line, prose_first, start - 1, blocks);
		note = new_note(set, &s.oom);
		if (!note)
			break;
		note_index = set->nnotes - 1;
		note_line = start;
		prose_first = read_heading(&s, b, note);
		blocks = 0;
	}
	if (!intro_done && !s.oom)
		add_intro(&s, last_line);
	if (note && !s.oom)
		finish_note(&s, &set->notes[note_index], note_line, prose_first, last_line, blocks);
	cmark_node_free(doc);
	free(s.line_start);
	free(s.line_end);
	return s.oom ? -ENOMEM : s.errors;
}

