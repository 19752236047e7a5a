/* ui_quiz.c: the predict-then-reveal questions (see ui_quiz.h). */
#include "ui_quiz.h"
#include "ui_text.h"

#include <curses.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ui_quiz_arrive(struct ui_quiz *q, size_t pos, const struct snapshot *s)
{
	if (!q->enabled || q->active || pos < q->asked_upto)
		return;
	q->asked_upto = pos + 1;
	if (!s || s->nquestions == 0)
		return;
	q->active = true;
	q->answered = false;
	q->question = 0;
	q->input_len = 0;
}

bool ui_quiz_parse(const struct snap_question *qn, const char *text, uint64_t *value)
{
	char *end;
	while (*text == ' ')
		text++;
	if (!*text)
		return false;
	errno = 0;
	if (*text == '-') {
		long long v = strtoll(text, &end, 0);
		*value = (uint64_t)v;
	} else {
		*value = strtoull(text, &end, 0);
	}
	while (*end == ' ')
		end++;
	if (errno || *end)
		return false;
	if (qn->nchoices > 0) {
		if (*value < 1 || *value > (uint64_t)qn->nchoices)
			return false;
		*value = qn->choice_value[*value - 1];
	}
	return true;
}

/* The question after this one, or the reveal when there is none. */
static void next_question(struct ui_quiz *q, const struct snapshot *s)
{
	q->answered = false;
	q->input_len = 0;
	if (++q->question >= s->nquestions)
		q->active = false;
}

bool ui_quiz_key(struct ui_quiz *q, const struct snapshot *s, int ch)
{
	const struct snap_question *qn = &s->questions[q->question];
	if (q->answered) {
		next_question(q, s);
		return false;
	}
	if (!qn->answer_known) {         /* nothing to check against: reveal */
		next_question(q, s);
		return false;
	}
	switch (ch) {
	case '\n': case '\r': case KEY_ENTER: {
		char text[sizeof q->input];
		uint64_t v;
		snprintf(text, sizeof text, "%.*s", (int)q->input_len, q->input);
		if (!ui_quiz_parse(qn, text, &v))
			return false;        /* not a value yet: keep typing */
		q->answered = true;
		q->right = v == qn->answer;
		q->asked++;
		q->right_count += q->right;
		return true;
	}
	case 27:                         /* Esc: skip this question, unscored */
		next_question(q, s);
		return false;
	case KEY_BACKSPACE: case 127: case 8:
		if (q->input_len)
			q->input_len--;
		return false;
	default:
		if (ch > 0x20 && ch < 0x7f && q->input_len + 1 < sizeof q->input)
			q->input[q->input_len++] = (char)ch;
		return false;
	}
}

/* Where wrapped lines go: one screen row each, from y down, never onto the status line. */
struct quiz_lines {
	const struct ui_view *v;
	int y, x, w;
	attr_t a;
};

static void quiz_line(void *arg, const char *line, size_t len)
{
	struct quiz_lines *l = arg;
	if (l->y < LINES - 1)
		ui_putn(l->v, l->y, l->x, l->w, l->a, line, len);
	l->y++;
}

/* TEXT wrapped at the quiz's width from row Y: a question may be 199 characters, and a
 * classroom terminal may be 80 columns wide. Returns the row after the last line. */
static int quiz_wrap(const struct ui_view *v, int y, attr_t a, const char *text)
{
	struct quiz_lines l = { v, y, 2, COLS - 4, a };
	if (l.w > 0)
		ui_text_wrap(text, l.w, v->utf8, quiz_line, &l);
	return l.y;
}

void ui_quiz_draw(const struct ui_quiz *q, const struct ui_view *v, const struct snapshot *s)
{
	const struct snap_question *qn = &s->questions[q->question];
	int h = LINES - 1, w = COLS, y = 1;
	ui_clear_rect((struct ui_rect){ 0, 0, h, w });
	ui_header(v, 0, 0, w, "Predict, then reveal", true, s->location);
	ui_putf(v, y++, 2, w - 4, v->style[UI_ST_LABEL], "Question %d of %d at %s", q->question + 1,
		s->nquestions, s->location);
	y++;
	y = quiz_wrap(v, y, A_BOLD, qn->text) + 1;
	for (int i = 0; i < qn->nchoices; i++)
		ui_putf(v, y++, 4, w - 6, A_NORMAL, "%d) %s", i + 1, qn->choice_label[i]);
	if (qn->nchoices)
		y++;
	if (!qn->answer_known) {
		ui_put(v, y++, 2, w - 4, v->style[UI_ST_ERROR],
		       "The answer could not be computed at this stop; any key reveals it.");
		return;
	}
	if (!q->answered) {
		int used = ui_put(v, y, 2, w - 4, A_BOLD, qn->nchoices ? "Your choice: " : "Your answer: ");
		used += ui_putn(v, y, 2 + used, w - 6 - used, A_NORMAL, q->input, q->input_len);
		ui_put(v, y++, 2 + used, 1, A_REVERSE, " ");
		y++;
		ui_put(v, y++, 2, w - 4, v->style[UI_ST_DIM],
		       qn->nchoices ? "Type the number of a choice, Enter to check, Esc to skip."
				    : "Type a value (0x... hex, or decimal), Enter to check, Esc to skip.");
	} else {
		char answer[80] = "", verdict[200];
		for (int i = 0; i < qn->nchoices; i++)
			if (qn->choice_value[i] == qn->answer)
				snprintf(answer, sizeof answer, " (%d: %s)", i + 1, qn->choice_label[i]);
		snprintf(verdict, sizeof verdict, "%s: the answer is 0x%llx%s, read from the CPU at this stop.",
			 q->right ? "Right" : "Not quite", (unsigned long long)qn->answer, answer);
		y = quiz_wrap(v, y, q->right ? v->style[UI_ST_CURRENT] : v->style[UI_ST_ERROR], verdict) + 1;
		ui_putf(v, y++, 2, w - 4, A_NORMAL, "Score so far: %d of %d. Any key goes on.",
			q->right_count, q->asked);
	}
}
