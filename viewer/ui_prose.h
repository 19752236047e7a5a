/* ui_prose.h: the text panes: disassembly, the note (Markdown via mdrender) and the
 * serial console. Their entries in the pane table (ui_panes.c) point here. */
#ifndef SYSWALK_UI_PROSE_H
#define SYSWALK_UI_PROSE_H

#include "ui_draw.h"

/* Disassembly around RIP: current line marked, labels, AT&T or Intel, source file:line. */
void ui_prose_draw_disasm(struct ui_view *v, struct ui_rect r, bool focused);

/* Scroll keys for the disassembly (relative to keeping RIP in view). */
int ui_prose_disasm_key(struct ui_view *v, enum ui_pane_id id, struct ui_rect r, int ch);

/* The note: its title, then its Markdown rendered for the pane's width. */
void ui_prose_draw_note(struct ui_view *v, struct ui_rect r, bool focused);

/* The serial console accumulated up to the stop shown, newest line at the bottom. */
void ui_prose_draw_console(struct ui_view *v, struct ui_rect r, bool focused);

/* Scroll keys for the console (counted from the bottom). */
int ui_prose_console_key(struct ui_view *v, enum ui_pane_id id, struct ui_rect r, int ch);

/* The kernel source around the stop, the line that ran marked (ui_source.c); scrolled
 * with ui_prose_disasm_key. */
void ui_source_draw(struct ui_view *v, struct ui_rect r, bool focused);

/* Rows the note needs at width W, its header included (for the layout: the note is
 * given the height it needs first). */
int ui_prose_note_rows(struct ui_view *v, int w);

/* Release the rendered-note cache. */
void ui_prose_free(struct ui_view *v);

#endif
