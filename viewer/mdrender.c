/* mdrender.c: Markdown -> styled, wrapped terminal lines (see mdrender.h).
 *
 * cmark builds the tree; we walk its blocks, keeping a stack of line prefixes (block
 * quote bars, list markers and the indentation under them), and wrap each block's
 * inline text word by word. Text is sanitised when it enters a span, after cmark has
 * decoded entities, so "&#27;[31m" is caught as surely as a raw ESC byte.
 */
#include "mdrender.h"

#include <cmark.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "textsafe.h"

#define MAX_DEPTH 16          /* deeper nesting is drawn at this depth */
#define MAX_NEST 64           /* deeper blocks are drawn flat, without recursion */

/* One level of prefix: FIRST on the level's first line, REST on the ones after. */
struct prefix {
	char first[16];
	char rest[16];
	unsigned first_style, rest_style;
	int width;
	bool used;
};

struct render {
	struct md_doc *doc;
	int width;
	struct prefix pre[MAX_DEPTH];
	int depth;
	int nest;                   /* render_blocks calls under way */
	bool oom;
	struct md_line *line;       /* the line being filled, NULL between lines */
	int col;                    /* columns used on it after the prefix */
	int avail;                  /* columns for text on it */
	/* The word being gathered: pieces appended to WORD with their styles. */
	char word[512];
	unsigned word_style[512];
	size_t word_len;
	int word_width;
	bool space_pending;
};

static struct md_line *new_line(struct render *r)
{
	struct md_doc *d = r->doc;
	if (d->nlines == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 32;
		struct md_line *l = realloc(d->lines, cap * sizeof(*l));
		if (!l) {
			r->oom = true;
			return NULL;
		}
		d->lines = l;
		d->cap = cap;
	}
	struct md_line *line = &d->lines[d->nlines++];
	memset(line, 0, sizeof(*line));
	return line;
}

/* Append LEN bytes of already-safe TEXT to LINE, merging with a last span of the same style. */
static void put(struct render *r, struct md_line *line, const char *text, size_t len,
                unsigned style, int width)
{
	if (!line || len == 0)
		return;
	struct md_span *last = line->nspans ? &line->spans[line->nspans - 1] : NULL;
	if (last && last->style == style) {
		size_t old = strlen(last->text);
		char *t = realloc(last->text, old + len + 1);
		if (!t) {
			r->oom = true;
			return;
		}
		memcpy(t + old, text, len);
		t[old + len] = '\0';
		last->text = t;
	} else {
		if (line->nspans == line->cap) {
			size_t cap = line->cap ? line->cap * 2 : 4;
			struct md_span *s = realloc(line->spans, cap * sizeof(*s));
			if (!s) {
				r->oom = true;
				return;
			}
			line->spans = s;
			line->cap = cap;
		}
		char *t = strndup(text, len);
		if (!t) {
			r->oom = true;
			return;
		}
		line->spans[line->nspans++] = (struct md_span){ .text = t, .style = style };
	}
	line->width += width;
}

/* Start a line: the prefixes of every open level (each level's first line gets its
 * marker, later lines the indentation under it). Prefixes wider than half the screen
 * are dropped so that deep nesting on a narrow pane still leaves room for the text. */
static void start_line(struct render *r)
{
	int pw = 0, depth = r->depth < MAX_DEPTH ? r->depth : MAX_DEPTH;
	for (int i = 0; i < depth; i++)
		pw += r->pre[i].width;
	bool draw = pw * 2 <= r->width;

	r->line = new_line(r);
	r->col = 0;
	r->avail = draw ? r->width - pw : r->width;
	for (int i = 0; i < depth; i++) {
		struct prefix *p = &r->pre[i];
		const char *t = p->used ? p->rest : p->first;
		if (draw)
			put(r, r->line, t, strlen(t), p->used ? p->rest_style : p->first_style,
			    p->width);
		p->used = true;
	}
}

static void end_line(struct render *r)
{
	if (!r->line)
		start_line(r);      /* an empty line still carries its prefixes */
	r->line = NULL;
	r->space_pending = false;
}

/* Place one character of WIDTH columns, breaking the line when it is full. */
static void put_char(struct render *r, const char *c, size_t len, unsigned style, int width)
{
	if (!r->line)
		start_line(r);
	if (r->col > 0 && r->col + width > r->avail) {
		end_line(r);
		start_line(r);
	}
	put(r, r->line, c, len, style, width);
	r->col += width;
}

/* Lay out the gathered word: after a space on this line when it fits, else on a new
 * line; a word longer than a whole line is cut where the line ends. */
static void flush_word(struct render *r)
{
	if (r->word_len == 0)
		return;
	if (!r->line)
		start_line(r);
	if (r->col > 0) {
		int need = r->col + (r->space_pending ? 1 : 0) + r->word_width;
		if (need > r->avail) {
			end_line(r);
			start_line(r);
		} else if (r->space_pending) {
			put(r, r->line, " ", 1, MD_PLAIN, 1);
			r->col++;
		}
	}
	for (size_t i = 0; i < r->word_len; ) {
		uint32_t cp = '?';
		size_t n = textsafe_decode(r->word + i, r->word_len - i, &cp);
		n = n ? n : 1;          /* the word holds only what textsafe let through */
		put_char(r, r->word + i, n, r->word_style[i], textsafe_cols(cp));
		i += n;
	}
	r->word_len = 0;
	r->word_width = 0;
	r->space_pending = false;
}

/* Add one safe character to the current word. */
static void word_add(struct render *r, const char *c, size_t len, unsigned style, int width)
{
	if (r->word_len + len > sizeof(r->word))
		flush_word(r);      /* an enormous word is simply cut here */
	memcpy(r->word + r->word_len, c, len);
	for (size_t i = 0; i < len; i++)
		r->word_style[r->word_len + i] = style;
	r->word_len += len;
	r->word_width += width;
}

/* Feed inline TEXT: spaces separate words, everything unsafe becomes visible escapes. */
static void feed(struct render *r, const char *text, unsigned style)
{
	size_t len = strlen(text);
	for (size_t i = 0; i < len; ) {
		struct textsafe_char c;

		if (text[i] == ' ' || text[i] == '\t' || text[i] == '\n') {
			flush_word(r);
			if (r->line && r->col > 0)
				r->space_pending = true;
			i++;
			continue;
		}
		textsafe_next(text + i, len - i, 0, &c);
		word_add(r, c.text, c.len, style, c.cols);
		i += c.used;
	}
}

/* The inline text under PARENT. An iterator rather than recursion: cmark nests
 * emphasis as deep as the input asks ("*****...") and the stack must not follow. */
static void render_inlines(struct render *r, cmark_node *parent, unsigned base)
{
	int emph = 0, strong = 0, link = 0;
	cmark_iter *it = cmark_iter_new(parent);
	if (!it) {
		r->oom = true;
		return;
	}
	for (cmark_event_type ev; (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE; ) {
		cmark_node *n = cmark_iter_get_node(it);
		int d = ev == CMARK_EVENT_ENTER ? 1 : -1;
		cmark_node_type t = cmark_node_get_type(n);

		if (n == parent)
			continue;
		emph += t == CMARK_NODE_EMPH ? d : 0;
		strong += t == CMARK_NODE_STRONG ? d : 0;
		link += t == CMARK_NODE_LINK ? d : 0;
		unsigned style = base | (emph ? MD_EMPH : 0) | (strong ? MD_STRONG : 0) |
		                 (link ? MD_LINK : 0);
		if (t == CMARK_NODE_IMAGE) {
			feed(r, d > 0 ? "[image: " : "]", style);
			continue;
		}
		if (t == CMARK_NODE_LINK && d < 0) {
			const char *url = cmark_node_get_url(n);
			if (url && *url) {
				/* A terminal cannot follow links: show where it points. */
				feed(r, " <", style | MD_URL);
				feed(r, url, style | MD_URL);
				feed(r, ">", style | MD_URL);
			}
			continue;
		}
		if (ev != CMARK_EVENT_ENTER)
			continue;
		if (t == CMARK_NODE_TEXT || t == CMARK_NODE_HTML_INLINE) {
			feed(r, cmark_node_get_literal(n), style);
		} else if (t == CMARK_NODE_CODE) {
			feed(r, cmark_node_get_literal(n), style | MD_CODE);
		} else if (t == CMARK_NODE_SOFTBREAK) {
			feed(r, " ", style);
		} else if (t == CMARK_NODE_LINEBREAK) {
			flush_word(r);
			end_line(r);
		}
	}
	cmark_iter_free(it);
}

/* A block of verbatim lines (code, raw HTML): no reflow, cut only at the width. */
static void render_verbatim(struct render *r, const char *text, unsigned style)
{
	const char *p = text;
	while (*p) {
		size_t len = strcspn(p, "\n");
		start_line(r);
		for (size_t i = 0; i < len; ) {
			struct textsafe_char c;

			if (p[i] == '\t') {
				/* Expand to the next tab stop of 8, as an editor would. */
				do
					put_char(r, " ", 1, style, 1);
				while (r->col % 8 != 0 && r->col < r->avail);
				i++;
				continue;
			}
			textsafe_next(p + i, len - i, 0, &c);
			if (c.replaced) {       /* an escape may be cut at the width, like a word */
				for (size_t k = 0; k < c.len; k++)
					put_char(r, c.text + k, 1, style, 1);
			} else {
				put_char(r, c.text, c.len, style, c.cols);
			}
			i += c.used;
		}
		end_line(r);
		p += len + (p[len] == '\n');
	}
}

static void push_prefix(struct render *r, const char *first, const char *rest,
                        unsigned first_style, unsigned rest_style, int width)
{
	if (r->depth >= MAX_DEPTH) {
		r->depth++;         /* counted, not drawn: pop_prefix keeps the balance */
		return;
	}
	struct prefix *p = &r->pre[r->depth++];
	snprintf(p->first, sizeof(p->first), "%s", first);
	snprintf(p->rest, sizeof(p->rest), "%s", rest);
	p->first_style = first_style;
	p->rest_style = rest_style;
	p->width = width;
	p->used = false;
}

static void pop_prefix(struct render *r)
{
	r->depth--;
}

static void render_blocks(struct render *r, cmark_node *parent, bool tight);

/* One list: each item gets its marker on its first line and spaces under it. */
static void render_list(struct render *r, cmark_node *list, int level)
{
	bool ordered = cmark_node_get_list_type(list) == CMARK_ORDERED_LIST;
	bool tight = cmark_node_get_list_tight(list);
	int number = cmark_node_get_list_start(list);
	char delim = cmark_node_get_list_delim(list) == CMARK_PAREN_DELIM ? ')' : '.';
	static const char *const bullets[] = { "\u2022 ", "\u25e6 ", "\u25aa " };
	bool first = true;

	for (cmark_node *item = cmark_node_first_child(list); item; item = cmark_node_next(item)) {
		char marker[16];
		int width = 2;
		if (ordered)
			width = snprintf(marker, sizeof(marker), "%d%c ", number++ % 1000000, delim);
		else
			snprintf(marker, sizeof(marker), "%s", bullets[level % 3]);
		if (!first && !tight)
			end_line(r);
		first = false;
		push_prefix(r, marker, "", MD_MARKER, MD_PLAIN, width);
		if (r->depth <= MAX_DEPTH) {
			memset(r->pre[r->depth - 1].rest, ' ', (size_t)width);
			r->pre[r->depth - 1].rest[width] = '\0';
		}
		render_blocks(r, item, tight);
		pop_prefix(r);
	}
}

static void render_block(struct render *r, cmark_node *b)
{
	int list_level = 0;
	for (cmark_node *p = cmark_node_parent(b); p; p = cmark_node_parent(p))
		list_level += cmark_node_get_type(p) == CMARK_NODE_LIST;

	switch (cmark_node_get_type(b)) {
	case CMARK_NODE_PARAGRAPH:
		render_inlines(r, b, MD_PLAIN);
		flush_word(r);
		end_line(r);
		break;
	case CMARK_NODE_HEADING:
		render_inlines(r, b, MD_HEADING);
		flush_word(r);
		end_line(r);
		break;
	case CMARK_NODE_CODE_BLOCK:
		render_verbatim(r, cmark_node_get_literal(b), MD_CODEBLOCK);
		break;
	case CMARK_NODE_HTML_BLOCK:
		render_verbatim(r, cmark_node_get_literal(b), MD_PLAIN);
		break;
	case CMARK_NODE_THEMATIC_BREAK:
		start_line(r);
		for (int i = 0; i < r->avail; i++)
			put(r, r->line, "\u2500", 3, MD_RULE, 1);
		end_line(r);
		break;
	case CMARK_NODE_BLOCK_QUOTE:
		push_prefix(r, "\u2502 ", "\u2502 ", MD_MARKER, MD_MARKER, 2);
		render_blocks(r, b, false);
		pop_prefix(r);
		break;
	case CMARK_NODE_LIST:
		render_list(r, b, list_level);
		break;
	default:
		render_blocks(r, b, false);
		break;
	}
}

/* The leaf blocks under PARENT one after the other, without structure: the stack
 * stays bounded however deep cmark nested the quotes and lists of a hostile note. */
static void render_flat(struct render *r, cmark_node *parent)
{
	cmark_iter *it = cmark_iter_new(parent);
	if (!it) {
		r->oom = true;
		return;
	}
	for (cmark_event_type ev; (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE && !r->oom; ) {
		cmark_node *n = cmark_iter_get_node(it);
		cmark_node_type t = cmark_node_get_type(n);
		if (ev != CMARK_EVENT_ENTER)
			continue;
		if (t == CMARK_NODE_PARAGRAPH || t == CMARK_NODE_HEADING) {
			render_inlines(r, n, t == CMARK_NODE_HEADING ? MD_HEADING : MD_PLAIN);
			flush_word(r);
			end_line(r);
		} else if (t == CMARK_NODE_CODE_BLOCK || t == CMARK_NODE_HTML_BLOCK) {
			render_verbatim(r, cmark_node_get_literal(n),
			                t == CMARK_NODE_CODE_BLOCK ? MD_CODEBLOCK : MD_PLAIN);
		}
	}
	cmark_iter_free(it);
}

/* The blocks under PARENT, one empty line between two of them unless TIGHT. */
static void render_blocks(struct render *r, cmark_node *parent, bool tight)
{
	bool first = true;

	if (r->nest >= MAX_NEST) {
		render_flat(r, parent);
		return;
	}
	r->nest++;
	for (cmark_node *b = cmark_node_first_child(parent); b && !r->oom; b = cmark_node_next(b)) {
		if (!first && !tight)
			end_line(r);
		first = false;
		render_block(r, b);
	}
	r->nest--;
}

int mdrender(struct md_doc *doc, const char *markdown, size_t len, int width)
{
	memset(doc, 0, sizeof(*doc));
	if (width < 1)
		return -EINVAL;
	cmark_node *root = cmark_parse_document(markdown, len, CMARK_OPT_DEFAULT);
	if (!root)
		return -ENOMEM;
	struct render *r = calloc(1, sizeof(*r));
	if (!r) {
		cmark_node_free(root);
		return -ENOMEM;
	}
	r->doc = doc;
	r->width = width;
	render_blocks(r, root, false);
	bool oom = r->oom;
	free(r);
	cmark_node_free(root);
	return oom ? -ENOMEM : 0;
}

void md_doc_free(struct md_doc *doc)
{
	for (size_t i = 0; i < doc->nlines; i++) {
		for (size_t j = 0; j < doc->lines[i].nspans; j++)
			free(doc->lines[i].spans[j].text);
		free(doc->lines[i].spans);
	}
	free(doc->lines);
	memset(doc, 0, sizeof(*doc));
}

char *md_doc_text(const struct md_doc *doc)
{
	char *out = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&out, &size);
	if (!f)
		return NULL;
	for (size_t i = 0; i < doc->nlines; i++) {
		for (size_t j = 0; j < doc->lines[i].nspans; j++)
			fputs(doc->lines[i].spans[j].text, f);
		fputc('\n', f);
	}
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}
