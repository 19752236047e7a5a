/* ui_panes.c: the pane table and the machine-state panes: registers, MSRs, pt_regs. */
#include "ui_panes.h"

#include <stdio.h>
#include <string.h>
#include "ui_prose.h"

static const char *const ui_gp_regs[] = {
	"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip",
};
static const char *const ui_sel_regs[] = { "cs", "ss", "ds", "es", "fs", "gs" };
static const char *const ui_sys_regs[] = {
	"fs_base", "gs_base", "k_gs_base", "cr0", "cr2", "cr3", "cr4", "cr8", "efer",
};

/* A group of registers laid out in as many columns as the width allows. */
struct ui_reg_group {
	const char *const *names;
	int n;
	int name_w;      /* columns for the name */
	int digits;      /* hex digits of the value */
};

static const struct ui_reg_group ui_reg_groups[] = {
	{ ui_gp_regs, 17, 3, 16 },
	{ ui_sel_regs, 6, 2, 4 },
	{ ui_sys_regs, 9, 9, 16 },
};

static int ui_group_cols(const struct ui_reg_group *g, int w)
{
	int cell = g->name_w + 1 + g->digits + 2;
	int cols = (w + 2) / cell;

	return cols < 1 ? 1 : cols;
}

/* Registers of group G that the snapshot has, in order. */
static int ui_group_present(const struct snapshot *s, const struct ui_reg_group *g,
			    const struct snap_reg **out)
{
	int n = 0;

	for (int i = 0; i < g->n; i++) {
		const struct snap_reg *r = ui_reg(s, g->names[i]);
		if (r)
			out[n++] = r;
	}
	return n;
}

int ui_panes_regs_height(const struct ui_view *v, int w)
{
	const struct snap_reg *present[32];
	int rows = 2;    /* header and the eflags line */

	for (size_t g = 0; g < sizeof ui_reg_groups / sizeof ui_reg_groups[0]; g++) {
		int n = ui_group_present(v->snap, &ui_reg_groups[g], present);
		int cols = ui_group_cols(&ui_reg_groups[g], w);
		rows += (n + cols - 1) / cols;
	}
	return rows;
}

/* One "name value" cell: the name emphasised when the note points at it, the value
 * highlighted when it changed at this stop. */
static void ui_reg_cell(const struct ui_view *v, int y, int x, int maxw,
			const struct ui_reg_group *g, const struct snap_reg *r)
{
	attr_t na = ui_shown(v->snap, r->name) ? v->style[UI_ST_SHOWN] : v->style[UI_ST_DIM];
	attr_t va = r->changed ? v->style[UI_ST_CHANGED] : v->style[UI_ST_NORMAL];
	int used = ui_putf(v, y, x, maxw, na, "%-*s", g->name_w, r->name);

	if (used < maxw)
		ui_putf(v, y, x + used + 1, maxw - used - 1, va, "%0*llx", g->digits,
			(unsigned long long)r->value);
}

static void ui_draw_regs(struct ui_view *v, struct ui_rect r, bool focused)
{
	struct ui_cursor c = ui_cursor_start((struct ui_rect){ r.y + 1, r.x, r.h - 1, r.w },
					     v->scroll[UI_PANE_REGS]);
	const struct snap_reg *present[32];
	const struct snap_reg *fl = ui_reg(v->snap, "eflags");
	char extra[64];
	int y;

	snprintf(extra, sizeof extra, "CPL %d", v->snap->cpl);
	ui_header(v, r.y, r.x, r.w, "Registers", focused, extra);
	for (size_t gi = 0; gi < sizeof ui_reg_groups / sizeof ui_reg_groups[0]; gi++) {
		const struct ui_reg_group *g = &ui_reg_groups[gi];
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
			static const struct ui_reg_group flg = { NULL, 0, 6, 16 };
			int used;

			ui_reg_cell(v, y, r.x, r.w, &flg, fl);
			ui_flags_names(fl->value, true, names, sizeof names);
			used = flg.name_w + 1 + flg.digits;
			ui_putf(v, y, r.x + used + 2, r.w - used - 2, v->style[UI_ST_NORMAL], "[%s]", names);
		}
	}
	v->rows[UI_PANE_REGS] = c.row;
}

/* The symbol at ADDR if the snapshot knows one: an instruction label, or the stop's own location. */
static const char *ui_symbol_at(const struct snapshot *s, uint64_t addr, char *buf, size_t cap)
{
	for (int i = 0; i < s->ninsns && i < SNAP_MAX_INSNS; i++)
		if (s->insns[i].addr == addr && s->insns[i].label[0])
			return s->insns[i].label;
	if (s->rip == addr && s->location[0]) {
		size_t n = strcspn(s->location, "+");

		snprintf(buf, cap, "%.*s", (int)n, s->location);
		return buf;
	}
	return NULL;
}

/* One MSR line: name, value or "?", and "(carried)" for a value read at an earlier stop. */
static bool ui_msr_line(const struct ui_view *v, struct ui_cursor *c, int x, int w,
			enum snap_msr_id id, const char *name, const char *shown_as)
{
	const struct snap_msr *m = &v->snap->msrs[id];
	const struct snap_msr *p = v->prev ? &v->prev->msrs[id] : NULL;
	attr_t na = ui_shown(v->snap, shown_as) ? v->style[UI_ST_SHOWN] : v->style[UI_ST_DIM];
	int y, used;

	if (!ui_cursor_next(c, &y))
		return m->source != SNAP_MSR_UNKNOWN;
	used = ui_putf(v, y, x, w, na, "%-14s ", name);
	if (m->source == SNAP_MSR_UNKNOWN) {
		ui_put(v, y, x + used, w - used, v->style[UI_ST_DIM], "?  (not read yet)");
		return false;
	}
	used += ui_putf(v, y, x + used, w - used,
			p && p->source != SNAP_MSR_UNKNOWN && p->value != m->value ?
			v->style[UI_ST_CHANGED] : v->style[UI_ST_NORMAL],
			"%016llx", (unsigned long long)m->value);
	if (m->source == SNAP_MSR_CARRIED)
		ui_put(v, y, x + used, w - used, v->style[UI_ST_DIM], " (carried)");
	return true;
}

static void ui_draw_msrs(struct ui_view *v, struct ui_rect r, bool focused)
{
	struct ui_cursor c = ui_cursor_start((struct ui_rect){ r.y + 1, r.x, r.h - 1, r.w },
					     v->scroll[UI_PANE_MSRS]);
	const struct snapshot *s = v->snap;
	attr_t note = v->style[UI_ST_NORMAL];
	char buf[160], sym[96];
	int y;

	ui_header(v, r.y, r.x, r.w, "Syscall MSRs", focused, NULL);
	if (ui_msr_line(v, &c, r.x, r.w, SNAP_MSR_LSTAR, "LSTAR", "msr.lstar")) {
		const char *name = ui_symbol_at(s, s->msrs[SNAP_MSR_LSTAR].value, sym, sizeof sym);
		if (name && ui_cursor_next(&c, &y))
			ui_putf(v, y, r.x + 2, r.w - 2, v->style[UI_ST_LABEL], "= %s", name);
	}
	if (ui_msr_line(v, &c, r.x, r.w, SNAP_MSR_STAR, "STAR", "msr.star")) {
		/* SDM, SYSCALL: CS = STAR[47:32] & ~3, SS = that + 8.
		 * SYSRET to 64-bit: CS = STAR[63:48] + 16, SS = STAR[63:48] + 8, both RPL 3. */
		uint64_t star = s->msrs[SNAP_MSR_STAR].value;
		unsigned k = (unsigned)(star >> 32) & 0xffff, u = (unsigned)(star >> 48) & 0xffff;

		if (ui_cursor_next(&c, &y))
			ui_putf(v, y, r.x + 2, r.w - 2, note, "syscall: CS %04x SS %04x",
				k & 0xfffc, (k + 8) & 0xffff);
		if (ui_cursor_next(&c, &y))
			ui_putf(v, y, r.x + 2, r.w - 2, note, "sysret:  CS %04x SS %04x",
				((u + 16) | 3) & 0xffff, ((u + 8) | 3) & 0xffff);
	}
	if (ui_msr_line(v, &c, r.x, r.w, SNAP_MSR_FMASK, "FMASK", "msr.fmask") &&
	    ui_cursor_next(&c, &y)) {
		ui_flags_names(s->msrs[SNAP_MSR_FMASK].value, false, buf, sizeof buf);
		ui_putf(v, y, r.x + 2, r.w - 2, note, "clears: %s", buf[0] ? buf : "nothing");
	}
	if (ui_msr_line(v, &c, r.x, r.w, SNAP_MSR_EFER, "EFER", "msr.efer") &&
	    ui_cursor_next(&c, &y)) {
		ui_efer_names(s->msrs[SNAP_MSR_EFER].value, buf, sizeof buf);
		ui_putf(v, y, r.x + 2, r.w - 2, note, "bits: %s", buf[0] ? buf : "none");
	}
	ui_msr_line(v, &c, r.x, r.w, SNAP_MSR_GS_BASE, "GS_BASE", "msr.gs_base");
	ui_msr_line(v, &c, r.x, r.w, SNAP_MSR_KERNEL_GS_BASE, "KERNEL_GS_BASE", "msr.kernel_gs_base");
	if (s->msrs[SNAP_MSR_CSTAR].source != SNAP_MSR_UNKNOWN)
		ui_msr_line(v, &c, r.x, r.w, SNAP_MSR_CSTAR, "CSTAR", "msr.cstar");
	v->rows[UI_PANE_MSRS] = c.row;
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

static void ui_draw_frame(struct ui_view *v, struct ui_rect r, bool focused)
{
	const struct snap_frame *f = &v->snap->frame;
	struct ui_cursor c = ui_cursor_start((struct ui_rect){ r.y + 1, r.x, r.h - 1, r.w },
					     v->scroll[UI_PANE_FRAME]);
	const char *arrow = v->utf8 ? "\u2192" : ">";
	uint64_t rsp = 0;
	bool have_rsp = false, rsp_on_slot = false;
	char title[96];
	int order[SNAP_MAX_SLOTS];
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
		v->rows[UI_PANE_FRAME] = c.row;
		return;
	}
	if (ui_reg(v->snap, "rsp")) {
		have_rsp = true;
		rsp = ui_reg(v->snap, "rsp")->value;
	}
	/* Slot indexes by descending offset (insertion sort; at most SNAP_MAX_SLOTS). */
	n = f->nslots < SNAP_MAX_SLOTS ? f->nslots : SNAP_MAX_SLOTS;
	for (int i = 0; i < n; i++) {
		int j = i;

		for (; j > 0 && f->slots[order[j - 1]].offset < f->slots[i].offset; j--)
			order[j] = order[j - 1];
		order[j] = i;
		if (have_rsp && rsp == f->base + f->slots[i].offset)
			rsp_on_slot = true;
	}
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
		na = ui_shown(v->snap, shown) ? v->style[UI_ST_SHOWN] : v->style[UI_ST_NORMAL];
		va = sl->just_written ? v->style[UI_ST_CHANGED] : v->style[UI_ST_NORMAL];
		if (!sl->filled)
			na = va = v->style[UI_ST_DIM];
		if (have_rsp && rsp == f->base + sl->offset)
			ui_put(v, y, r.x, 2, v->style[UI_ST_SHOWN], arrow);
		used = 2 + ui_putf(v, y, r.x + 2, r.w - 2, v->style[UI_ST_DIM], "+0x%02x ", sl->offset);
		used += ui_putf(v, y, r.x + used, r.w - used, na, "%-9s", sl->name);
		if (sl->filled)
			used += ui_putf(v, y, r.x + used, r.w - used, va, "%016llx",
					(unsigned long long)sl->value);
		else
			used += ui_put(v, y, r.x + used, r.w - used, va, "  (empty)");
		if (sl->just_written)
			ui_put(v, y, r.x + used, r.w - used, v->style[UI_ST_CHANGED],
			       v->utf8 ? " \u2190 written" : " <- written");
	}
	if (have_rsp && !rsp_on_slot && rsp < f->base + f->size)
		ui_rsp_line(v, &c, r, rsp, arrow);
	v->rows[UI_PANE_FRAME] = c.row;
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

const struct ui_pane_ops ui_panes[UI_PANE_COUNT] = {
	[UI_PANE_NOTE]    = { "Note",        ui_prose_draw_note,    ui_scroll_key,          30, 6 },
	[UI_PANE_REGS]    = { "Registers",   ui_draw_regs,          ui_scroll_key,          46, 4 },
	[UI_PANE_MSRS]    = { "MSRs",        ui_draw_msrs,          ui_scroll_key,          40, 4 },
	[UI_PANE_FRAME]   = { "pt_regs",     ui_draw_frame,         ui_scroll_key,          40, 4 },
	[UI_PANE_DISASM]  = { "Disassembly", ui_prose_draw_disasm,  ui_prose_disasm_key,    40, 4 },
	[UI_PANE_CONSOLE] = { "Console",     ui_prose_draw_console, ui_prose_console_key,   30, 3 },
};

void ui_panes_free(struct ui_view *v)
{
	ui_prose_free(v);
}
