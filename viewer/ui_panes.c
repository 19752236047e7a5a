/* ui_panes.c: the pane table and the machine-state panes: registers, MSRs, pt_regs. */
#include "ui_panes.h"

#include <stdio.h>
#include <string.h>
#include "present.h"
#include "ui_prose.h"

static int ui_group_cols(const struct present_group *g, int w)
{
	int cell = g->name_w + 1 + g->digits + 2;
	int cols = (w + 2) / cell;

	return cols < 1 ? 1 : cols;
}

/* The registers of group G, without RFLAGS (it has a line of its own). */
static int ui_group_present(const struct snapshot *s, const struct present_group *g,
			    const struct snap_reg **out)
{
	int n = present_group_regs(s, g, out), k = 0;

	for (int i = 0; i < n; i++)
		if (strcmp(out[i]->name, "eflags") != 0)
			out[k++] = out[i];
	return k;
}

int ui_panes_regs_height(const struct ui_view *v, int w)
{
	const struct snap_reg *present[SNAP_MAX_REGS];
	int rows = 2;    /* header and the eflags line */

	for (int g = 0; g < PRESENT_GROUP_COUNT; g++) {
		int n = ui_group_present(v->snap, &present_groups[g], present);
		int cols = ui_group_cols(&present_groups[g], w);
		rows += (n + cols - 1) / cols;
	}
	return rows;
}

int ui_panes_msrs_height(const struct ui_view *v)
{
	char lines[4][64];
	int rows = 1;

	for (int id = 0; id < SNAP_MSR_COUNT; id++) {
		if (id == SNAP_MSR_CSTAR && v->snap->msrs[id].source == SNAP_MSR_UNKNOWN)
			continue;
		rows += 1 + present_msr_decode(v->snap, (enum snap_msr_id)id, lines, 4);
	}
	return rows;
}

/* Whether the quiz question on screen must hide VALUE, shown under NAME: a value equal
 * to the answer when it is distinctive (above 0xff), or when the question's expression
 * reads NAME itself (a small answer such as CS 0x10 or a flag is hidden only there, not
 * on every register that happens to hold it). */
static bool ui_hidden(const struct ui_view *v, uint64_t value, const char *name)
{
	if (!v->hide || value != v->hide_value)
		return false;
	return value > 0xff || present_mentions(v->hide_expr, name);
}

/* VALUE as DIGITS hex digits, or question marks while a quiz question hides it. */
static const char *ui_value(const struct ui_view *v, uint64_t value, const char *name, int digits,
			    char *buf, size_t cap)
{
	if (ui_hidden(v, value, name))
		snprintf(buf, cap, "%.*s", digits, "????????????????");
	else
		snprintf(buf, cap, "%0*llx", digits, (unsigned long long)value);
	return buf;
}

/* One "name value" cell: the name emphasised when the note points at it, the value
 * highlighted when it changed at this stop. */
static void ui_reg_cell(const struct ui_view *v, int y, int x, int maxw,
			const struct present_group *g, const struct snap_reg *r)
{
	attr_t na = present_shown(v->snap, r->name) ? v->style[UI_ST_SHOWN] : v->style[UI_ST_DIM];
	attr_t va = r->changed ? v->style[UI_ST_CHANGED] : v->style[UI_ST_NORMAL];
	int used = ui_putf(v, y, x, maxw, na, "%-*s", g->name_w, r->name);
	char val[24];

	if (used < maxw)
		ui_put(v, y, x + used + 1, maxw - used - 1, va, ui_value(v, r->value, r->name, g->digits, val, sizeof val));
}

static void ui_draw_regs(struct ui_view *v, struct ui_rect r, bool focused)
{
	struct ui_cursor c = ui_cursor_start((struct ui_rect){ r.y + 1, r.x, r.h - 1, r.w },
					     v->scroll[UI_PANE_REGS]);
	const struct snap_reg *present[SNAP_MAX_REGS];
	const struct snap_reg *fl = present_reg(v->snap, "eflags");
	char extra[64];
	int y;

	snprintf(extra, sizeof extra, "CPL %d", v->snap->cpl);
	ui_header(v, r.y, r.x, r.w, "Registers", focused, extra);
	for (int gi = 0; gi < PRESENT_GROUP_COUNT; gi++) {
		const struct present_group *g = &present_groups[gi];
		int n = ui_group_present(v->snap, g, present);
		int cols = ui_group_cols(g, r.w);
		int cell = g->name_w + 1 + g->digits + 2;

		for (int i = 0; i < n; i += cols) {
			if (!ui_cursor_next(&c, &y))
				continue;
			for (int k = 0; k < cols && i + k < n; k++)
				ui_reg_cell(v, y, r.x + k * cell, r.w - k * cell, g, present[i + k]);
		}
		if (gi == 0 && fl && ui_cursor_next(&c, &y)) {
			/* RFLAGS right after the general registers, with its flags spelled out. */
			char names[128];
			static const struct present_group flg = { "", NULL, 0, 6, 16 };
			int used;

			ui_reg_cell(v, y, r.x, r.w, &flg, fl);
			present_flags_names(fl->value, true, names, sizeof names);
			if (ui_hidden(v, fl->value, "eflags"))
				snprintf(names, sizeof names, "?");
			used = flg.name_w + 1 + flg.digits;
			ui_putf(v, y, r.x + used + 2, r.w - used - 2, v->style[UI_ST_NORMAL], "[%s]", names);
		}
	}
	ui_cursor_done(v, UI_PANE_REGS, &c);
}

/* One MSR line: name, value or "?", and "(carried)" for a value read at an earlier stop. */
static bool ui_msr_line(const struct ui_view *v, struct ui_cursor *c, int x, int w,
			enum snap_msr_id id)
{
	const struct snap_msr *m = &v->snap->msrs[id];
	const struct snap_msr *p = v->prev ? &v->prev->msrs[id] : NULL;
	attr_t na = present_shown(v->snap, present_msr_show_name(id)) ? v->style[UI_ST_SHOWN] :
		    v->style[UI_ST_DIM];
	char val[24];
	int y, used;

	if (!ui_cursor_next(c, &y))
		return m->source != SNAP_MSR_UNKNOWN;
	used = ui_putf(v, y, x, w, na, "%-14s ", snapshot_msr_name(id));
	if (m->source == SNAP_MSR_UNKNOWN) {
		ui_put(v, y, x + used, w - used, v->style[UI_ST_DIM], "?  (not read yet)");
		return false;
	}
	used += ui_put(v, y, x + used, w - used,
		       p && p->source != SNAP_MSR_UNKNOWN && p->value != m->value ?
		       v->style[UI_ST_CHANGED] : v->style[UI_ST_NORMAL],
		       ui_value(v, m->value, present_msr_show_name(id), 16, val, sizeof val));
	if (m->source == SNAP_MSR_CARRIED)
		ui_put(v, y, x + used, w - used, v->style[UI_ST_DIM], " (carried)");
	return true;
}

static void ui_draw_msrs(struct ui_view *v, struct ui_rect r, bool focused)
{
	struct ui_cursor c = ui_cursor_start((struct ui_rect){ r.y + 1, r.x, r.h - 1, r.w },
					     v->scroll[UI_PANE_MSRS]);
	const struct snapshot *s = v->snap;
	char lines[4][64];
	int y;

	ui_header(v, r.y, r.x, r.w, "Syscall MSRs", focused, NULL);
	for (int id = 0; id < SNAP_MSR_COUNT; id++) {
		/* CSTAR (32-bit SYSCALL) only when it was read: most stops never need it. */
		if (id == SNAP_MSR_CSTAR && s->msrs[id].source == SNAP_MSR_UNKNOWN)
			continue;
		if (!ui_msr_line(v, &c, r.x, r.w, (enum snap_msr_id)id))
			continue;
		bool hidden = ui_hidden(v, s->msrs[id].value, present_msr_show_name((enum snap_msr_id)id));
		int n = hidden ? 0 : present_msr_decode(s, (enum snap_msr_id)id, lines, 4);
		for (int i = 0; i < n; i++)
			if (ui_cursor_next(&c, &y))
				ui_put(v, y, r.x + 2, r.w - 2, id == SNAP_MSR_LSTAR ? v->style[UI_ST_LABEL] :
				       v->style[UI_ST_NORMAL], lines[i]);
	}
	ui_cursor_done(v, UI_PANE_MSRS, &c);
}

/* Where RSP points relative to the frame, for the line drawn when no slot matches. */
static void ui_rsp_line(const struct ui_view *v, struct ui_cursor *c, struct ui_rect r,
			uint64_t rsp, const char *arrow)
{
	const struct snap_frame *f = &v->snap->frame;
	int y;

	if (!ui_cursor_next(c, &y))
		return;
	if (rsp == f->base + f->size)
		ui_putf(v, y, r.x, r.w, v->style[UI_ST_SHOWN], "%s RSP at the top: nothing pushed yet", arrow);
	else if (rsp < f->base && f->base - rsp < 4096)
		ui_putf(v, y, r.x, r.w, v->style[UI_ST_SHOWN], "%s RSP %#llx bytes below the frame", arrow,
			(unsigned long long)(f->base - rsp));
	else
		ui_putf(v, y, r.x, r.w, v->style[UI_ST_DIM], "  RSP %016llx is not on this frame",
			(unsigned long long)rsp);
}

/* Rows to skip so that the slot RSP points at (or the one just written) is in view when
 * the pane is too short for the whole frame: pushes move down the frame as it fills. */
static int ui_frame_follow(const struct ui_view *v, int body_h)
{
	const struct snap_frame *f = &v->snap->frame;
	const struct snap_reg *rsp = present_reg(v->snap, "rsp");
	int order[SNAP_MAX_SLOTS], n = f->valid ? present_frame_order(f, order) : 0;

	for (int k = 0; k < n; k++) {
		const struct snap_slot *sl = &f->slots[order[k]];
		if (sl->just_written || (rsp && rsp->value == f->base + sl->offset)) {
			int want = k + 3 - body_h;      /* the slot, and the one below it */
			return want > 0 ? want : 0;
		}
	}
	return 0;
}

static void ui_draw_frame(struct ui_view *v, struct ui_rect r, bool focused)
{
	const struct snap_frame *f = &v->snap->frame;
	struct ui_cursor c = ui_cursor_start((struct ui_rect){ r.y + 1, r.x, r.h - 1, r.w },
					     v->scroll[UI_PANE_FRAME] + ui_frame_follow(v, r.h - 1));
	const char *arrow = v->utf8 ? "\u2192" : ">";
	uint64_t rsp = 0;
	bool have_rsp = false, rsp_on_slot = false;
	char title[96];
	int order[SNAP_MAX_SLOTS];
	char val[24];
	int y, n;

	if (f->valid) {
		snprintf(title, sizeof title, "pt_regs @ %016llx", (unsigned long long)f->base);
		ui_header(v, r.y, r.x, r.w, title, focused, f->layout_source);
	} else {
		ui_header(v, r.y, r.x, r.w, "pt_regs", focused, NULL);
	}
	if (!f->valid) {
		if (ui_cursor_next(&c, &y))
			ui_put(v, y, r.x, r.w, v->style[UI_ST_DIM], "not on the kernel stack yet");
		ui_cursor_done(v, UI_PANE_FRAME, &c);
		return;
	}
	if (present_reg(v->snap, "rsp")) {
		have_rsp = true;
		rsp = present_reg(v->snap, "rsp")->value;
	}
	n = present_frame_order(f, order);
	for (int i = 0; i < n; i++)
		if (have_rsp && rsp == f->base + f->slots[i].offset)
			rsp_on_slot = true;
	if (have_rsp && !rsp_on_slot && rsp >= f->base + f->size)
		ui_rsp_line(v, &c, r, rsp, arrow);

	/* Highest offset first: the stack grows down, so ss is pushed first and sits on top. */
	for (int k = 0; k < n; k++) {
		const struct snap_slot *sl = &f->slots[order[k]];
		char shown[SNAP_NAME_LEN + 8];
		attr_t na, va;
		int used;

		if (!ui_cursor_next(&c, &y))
			continue;
		snprintf(shown, sizeof shown, "pt_regs.%s", sl->name);
		na = present_shown(v->snap, shown) ? v->style[UI_ST_SHOWN] : v->style[UI_ST_NORMAL];
		va = sl->just_written ? v->style[UI_ST_CHANGED] : v->style[UI_ST_NORMAL];
		if (!sl->filled)
			na = va = v->style[UI_ST_DIM];
		if (have_rsp && rsp == f->base + sl->offset)
			ui_put(v, y, r.x, 2, v->style[UI_ST_SHOWN], arrow);
		used = 2 + ui_putf(v, y, r.x + 2, r.w - 2, v->style[UI_ST_DIM], "+0x%02x ", sl->offset);
		used += ui_putf(v, y, r.x + used, r.w - used, na, "%-9s", sl->name);
		if (sl->filled)
			used += ui_put(v, y, r.x + used, r.w - used, va,
				       ui_value(v, sl->value, shown, 16, val, sizeof val));
		else
			used += ui_put(v, y, r.x + used, r.w - used, va, "  (empty)");
		if (sl->just_written)
			ui_put(v, y, r.x + used, r.w - used, v->style[UI_ST_CHANGED],
			       v->utf8 ? " \u2190 written" : " <- written");
	}
	if (have_rsp && !rsp_on_slot && rsp < f->base + f->size)
		ui_rsp_line(v, &c, r, rsp, arrow);
	ui_cursor_done(v, UI_PANE_FRAME, &c);
}

/* Arrows, PgUp/PgDn and j/k move the pane's view; the offset is clamped to its content. */
static int ui_scroll_key(struct ui_view *v, enum ui_pane_id id, struct ui_rect r, int ch)
{
	int page = r.h > 3 ? r.h - 2 : 1;
	int max = v->rows[id] - (r.h - 1);
	int *s = &v->scroll[id];

	switch (ch) {
	case KEY_UP: case 'k': *s -= 1; break;
	case KEY_DOWN: case 'j': *s += 1; break;
	case KEY_PPAGE: *s -= page; break;
	case KEY_NPAGE: *s += page; break;
	case KEY_HOME: *s = 0; break;
	case KEY_END: *s = max; break;
	default: return 0;
	}
	if (*s > max)
		*s = max;
	if (*s < 0)
		*s = 0;
	return UI_REDRAW;
}

/* The frame's scroll is relative to following RSP (ui_frame_follow), so it may go up
 * as far as the top of the frame as well as down to its end. */
static int ui_frame_key(struct ui_view *v, enum ui_pane_id id, struct ui_rect r, int ch)
{
	int follow = ui_frame_follow(v, r.h - 1), page = r.h > 3 ? r.h - 2 : 1;
	int max = v->rows[id] - (r.h - 1) - follow, *s = &v->scroll[id];

	switch (ch) {
	case KEY_UP: case 'k': *s -= 1; break;
	case KEY_DOWN: case 'j': *s += 1; break;
	case KEY_PPAGE: *s -= page; break;
	case KEY_NPAGE: *s += page; break;
	case KEY_HOME: *s = -follow; break;
	case KEY_END: *s = max; break;
	default: return 0;
	}
	if (*s > max)
		*s = max;
	if (*s < -follow)
		*s = -follow;
	return UI_REDRAW;
}

const struct ui_pane_ops ui_panes[UI_PANE_COUNT] = {
	[UI_PANE_NOTE]    = { "Note",        ui_prose_draw_note,    ui_scroll_key,          30, 6 },
	[UI_PANE_REGS]    = { "Registers",   ui_draw_regs,          ui_scroll_key,          46, 4 },
	[UI_PANE_MSRS]    = { "MSRs",        ui_draw_msrs,          ui_scroll_key,          40, 4 },
	[UI_PANE_FRAME]   = { "pt_regs",     ui_draw_frame,         ui_frame_key,           40, 4 },
	[UI_PANE_DISASM]  = { "Disassembly", ui_prose_draw_disasm,  ui_prose_disasm_key,    40, 4 },
	[UI_PANE_SOURCE]  = { "Source",      ui_source_draw,        ui_prose_disasm_key,    40, 4 },
	[UI_PANE_CONSOLE] = { "Console",     ui_prose_draw_console, ui_prose_console_key,   30, 3 },
};

void ui_panes_free(struct ui_view *v)
{
	ui_prose_free(v);
}
