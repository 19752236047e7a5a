/* ui_draw.c: clipped, sanitised drawing on stdscr and the small decoders panes share. */
#include "ui_draw.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "ui_text.h"

struct ui_cursor ui_cursor_start(struct ui_rect r, int skip)
{
	struct ui_cursor c = { .r = r, .skip = skip < 0 ? 0 : skip, .row = 0 };
	return c;
}

bool ui_cursor_next(struct ui_cursor *c, int *y)
{
	int line = c->row++ - c->skip;

	if (line < 0 || line >= c->r.h)
		return false;
	*y = c->r.y + line;
	return true;
}

int ui_putn(const struct ui_view *v, int y, int x, int maxw, attr_t a, const char *s, size_t n)
{
	char buf[2048];
	size_t len, fit;

	if (maxw <= 0 || s == NULL)
		return 0;
	len = ui_text_sanitize(buf, sizeof buf, s, n, v->utf8);
	fit = ui_text_fit(buf, len, maxw, v->utf8);
	attrset(a);
	mvaddnstr(y, x, buf, (int)fit);
	attrset(A_NORMAL);
	return ui_text_width(buf, fit, v->utf8);
}

int ui_put(const struct ui_view *v, int y, int x, int maxw, attr_t a, const char *s)
{
	return s ? ui_putn(v, y, x, maxw, a, s, strlen(s)) : 0;
}

int ui_putf(const struct ui_view *v, int y, int x, int maxw, attr_t a, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return ui_put(v, y, x, maxw, a, buf);
}

void ui_header(const struct ui_view *v, int y, int x, int w, const char *title,
	       bool focused, const char *extra)
{
	const char *rule = v->utf8 ? "\u2500" : "-";
	int used;

	attrset(v->style[UI_ST_DIM]);
	for (int i = 0; i < w; i++)
		mvaddstr(y, x + i, rule);
	attrset(A_NORMAL);
	if (w < 6)
		return;
	used = ui_putf(v, y, x + 2, w - 4, v->style[focused ? UI_ST_FOCUS : UI_ST_TITLE], " %s ", title);
	if (extra && *extra) {
		char buf[512];
		int ew;

		snprintf(buf, sizeof buf, " %s ", extra);
		ew = ui_text_width(buf, strlen(buf), v->utf8);
		if (ew > w - used - 6)
			ew = w - used - 6;
		if (ew > 2)
			ui_put(v, y, x + w - 1 - ew, ew, v->style[UI_ST_TITLE], buf);
	}
}

void ui_vline(const struct ui_view *v, int y, int x, int h)
{
	attrset(v->style[UI_ST_DIM]);
	for (int i = 0; i < h; i++)
		mvaddstr(y + i, x, v->utf8 ? "\u2502" : "|");
	attrset(A_NORMAL);
}

void ui_clear_rect(struct ui_rect r)
{
	for (int i = 0; i < r.h; i++)
		mvhline(r.y + i, r.x, ' ', r.w);
}

bool ui_shown(const struct snapshot *s, const char *name)
{
	const char *p = s->note_show;
	size_t n = strlen(name);

	while (p && *p) {
		size_t len;

		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		len = strcspn(p, " ,\t");
		if (len == n && strncasecmp(p, name, n) == 0)
			return true;
		/* the show: vocabulary says rflags, QEMU's target.xml says eflags */
		if (len == 6 && n == 6 && strncasecmp(p, "rflags", 6) == 0 && strcasecmp(name, "eflags") == 0)
			return true;
		p += len;
	}
	return false;
}

const struct snap_reg *ui_reg(const struct snapshot *s, const char *name)
{
	for (int i = 0; i < s->nregs && i < SNAP_MAX_REGS; i++)
		if (strncasecmp(s->regs[i].name, name, SNAP_NAME_LEN) == 0)
			return &s->regs[i];
	if (strcasecmp(name, "rflags") == 0)
		return ui_reg(s, "eflags");
	return NULL;
}

/* Append WORD to BUF with a separating space. */
static void ui_append(char *buf, size_t cap, const char *word)
{
	size_t len = strlen(buf);

	snprintf(buf + len, cap - len, "%s%s", len ? " " : "", word);
}

void ui_flags_names(uint64_t flags, bool with_iopl, char *buf, size_t cap)
{
	static const struct { int bit; const char *name; } names[] = {
		{ 0, "CF" }, { 2, "PF" }, { 4, "AF" }, { 6, "ZF" }, { 7, "SF" },
		{ 8, "TF" }, { 9, "IF" }, { 10, "DF" }, { 11, "OF" }, { 14, "NT" },
		{ 16, "RF" }, { 17, "VM" }, { 18, "AC" }, { 19, "VIF" }, { 20, "VIP" },
		{ 21, "ID" },
	};
	unsigned iopl = (unsigned)(flags >> 12) & 3;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (names[i].bit == 14 && iopl) {
			char tmp[16];

			snprintf(tmp, sizeof tmp, with_iopl ? "IOPL=%u" : "IOPL", iopl);
			ui_append(buf, cap, tmp);
		}
		if (flags & (1ull << names[i].bit))
			ui_append(buf, cap, names[i].name);
	}
}

void ui_efer_names(uint64_t efer, char *buf, size_t cap)
{
	static const struct { int bit; const char *name; } names[] = {
		{ 0, "SCE" }, { 8, "LME" }, { 10, "LMA" }, { 11, "NXE" },
	};

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (efer & (1ull << names[i].bit))
			ui_append(buf, cap, names[i].name);
}
