/* ui_quiz.c: the predict-then-reveal questions (see ui_quiz.h). */
#include "ui_quiz.h"
#include "present.h"
#include "ui_text.h"

#include <ctype.h>
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
	q->confirm_quit = false;
	q->question = 0;
	q->input_len = 0;
	q->why[0] = '\0';
}

void ui_quiz_score(const struct ui_quiz *q, char *buf, size_t cap)
{
	if (q->asked)
		snprintf(buf, cap, "quiz: %d of %d right", q->right_count, q->asked);
	else
		snprintf(buf, cap, "quiz: no question answered");
}

bool ui_quiz_parse(const struct snap_question *qn, const char *text, uint64_t *value,
		   char *why, size_t whylen)
{
	char *end;

	while (*text == ' ')
		text++;
	if (!*text) {
		snprintf(why, whylen, qn->nchoices ? "type the number of a choice, 1 to %d" :
			 "type a value first", qn->nchoices);
		return false;
	}
	errno = 0;
	if (qn->nchoices > 0) {
		unsigned long long c = strtoull(text, &end, 10);
		if (errno || *end || c < 1 || c > (unsigned long long)qn->nchoices) {
			snprintf(why, whylen, "'%s' is not a choice: type a number from 1 to %d", text,
				 qn->nchoices);
			return false;
		}
		*value = qn->choice_value[c - 1];
		return true;
	}
	if (*text == '-')
		*value = (uint64_t)strtoll(text, &end, 10);
	else
		*value = strtoull(text, &end, 0);
	if (errno == ERANGE) {
		snprintf(why, whylen, "'%s' does not fit in 64 bits", text);
		return false;
	}
	if (*end || end == text || (text[0] == '0' && (text[1] == 'x' || text[1] == 'X') && !text[2])) {
		snprintf(why, whylen, "'%s' is not a number: 0x... for hex, digits for decimal, "
			 "-digits for a negative decimal", text);
		return false;
	}
	return true;
}

/* Whether CH may come next in INPUT for question QN; if not, say why. Only what can
 * start or continue a well-formed answer is taken: a choice's number, or a number in
 * hex (0x...), decimal or negative decimal. */
static bool key_allowed(const struct snap_question *qn, const char *in, size_t len, int ch,
			char *why, size_t whylen)
{
	bool hex = len >= 2 && in[0] == '0' && (in[1] == 'x' || in[1] == 'X');

	if (qn->nchoices > 0) {
		if (isdigit(ch))
			return true;
		snprintf(why, whylen, "'%c': this question wants the number of a choice, 1 to %d", ch,
			 qn->nchoices);
		return false;
	}
	if (isdigit(ch))
		return true;
	if (ch == '-' && len == 0)
		return true;
	if ((ch == 'x' || ch == 'X') && len == 1 && in[0] == '0')
		return true;
	if (hex && isxdigit(ch))
		return true;
	if (isxdigit(ch))
		snprintf(why, whylen, "'%c' is a hex digit: start the number with 0x", ch);
	else
		snprintf(why, whylen, "'%c' is not part of a number: 0x... for hex, digits for "
			 "decimal, -digits for a negative decimal", ch);
	return false;
}

/* The question after this one, or the reveal when there is none. */
static void next_question(struct ui_quiz *q, const struct snapshot *s)
{
	q->answered = false;
	q->input_len = 0;
	q->why[0] = '\0';
	if (++q->question >= s->nquestions)
		q->active = false;
}

enum ui_quiz_result ui_quiz_key(struct ui_quiz *q, const struct snapshot *s, int ch)
{
	const struct snap_question *qn = &s->questions[q->question];

	/* q is never part of an answer, and never a silent quit: it asks first. */
	if (ch == 'q' || ch == 'Q') {
		if (q->confirm_quit)
			return UI_QUIZ_QUIT;
		q->confirm_quit = true;
		char score[64];
		ui_quiz_score(q, score, sizeof score);
		snprintf(q->why, sizeof q->why, "q again quits (%s); any other key goes on", score);
		return UI_QUIZ_KEPT;
	}
	if (q->confirm_quit) {
		q->confirm_quit = false;
		q->why[0] = '\0';
		return UI_QUIZ_KEPT;
	}
	if (q->answered || !qn->answer_known) {    /* verdict seen, or nothing to check: go on */
		next_question(q, s);
		return UI_QUIZ_KEPT;
	}
	switch (ch) {
	case '\n': case '\r': case KEY_ENTER: {
		char text[sizeof q->input];
		uint64_t v;
		snprintf(text, sizeof text, "%.*s", (int)q->input_len, q->input);
		if (!ui_quiz_parse(qn, text, &v, q->why, sizeof q->why))
			return UI_QUIZ_KEPT;       /* the reason is on screen: keep typing */
		q->why[0] = '\0';
		q->answered = true;
		q->right = v == qn->answer;
		q->asked++;
		q->right_count += q->right;
		return UI_QUIZ_SCORED;
	}
	case 27:                         /* Esc: skip this question, unscored */
		next_question(q, s);
		return UI_QUIZ_KEPT;
	case KEY_BACKSPACE: case 127: case 8:
		if (q->input_len)
			q->input_len--;
		q->why[0] = '\0';
		return UI_QUIZ_KEPT;
	default:
		if (ch < 0x20 || ch >= 0x7f)
			return UI_QUIZ_KEPT;     /* arrows and other keys: nothing to type */
		if (!key_allowed(qn, q->input, q->input_len, ch, q->why, sizeof q->why))
			return UI_QUIZ_KEPT;
		q->why[0] = '\0';
		if (q->input_len + 1 < sizeof q->input)
			q->input[q->input_len++] = (char)ch;
		return UI_QUIZ_KEPT;
	}
}

bool ui_quiz_hidden(const struct ui_quiz *q, const struct snapshot *s, uint64_t *v)
{
	if (!q->active || q->answered || !s || q->question >= s->nquestions)
		return false;
	const struct snap_question *qn = &s->questions[q->question];
	if (!qn->answer_known)
		return false;
	*v = qn->answer;
	return true;
}

/* Where wrapped lines go: one screen row each inside the box. */
struct quiz_lines {
	const struct ui_view *v;
	int y, x, w, bottom;
	attr_t a;
};

static void quiz_line(void *arg, const char *line, size_t len)
{
	struct quiz_lines *l = arg;
	if (l->y < l->bottom)
		ui_putn(l->v, l->y, l->x, l->w, l->a, line, len);
	l->y++;
}

/* TEXT wrapped inside the box from row Y. Returns the row after the last line. */
static int quiz_wrap(const struct ui_view *v, struct ui_rect r, int y, attr_t a, const char *text)
{
	struct quiz_lines l = { v, y, r.x + 2, r.w - 4, r.y + r.h - 1, a };
	if (l.w > 0)
		ui_text_wrap(text, l.w, v->utf8, quiz_line, &l);
	return l.y;
}

void ui_quiz_draw(const struct ui_quiz *q, const struct ui_view *v, const struct snapshot *s,
		  struct ui_rect r)
{
	const struct snap_question *qn = &s->questions[q->question];
	char title[64];
	int y = r.y + 1, bottom = r.y + r.h - 1;

	snprintf(title, sizeof title, "Predict, then reveal: question %d of %d", q->question + 1,
		 s->nquestions);
	ui_clear_rect(r);
	ui_header(v, r.y, r.x, r.w, title, true, NULL);
	y = quiz_wrap(v, r, y, A_BOLD, qn->text);
	for (int i = 0; i < qn->nchoices && y < bottom; i++)
		ui_putf(v, y++, r.x + 4, r.w - 6, A_NORMAL, "%d) %s", i + 1, qn->choice_label[i]);
	if (y < bottom)
		y++;
	if (!qn->answer_known) {
		quiz_wrap(v, r, y, v->style[UI_ST_ERROR],
			  "The answer could not be computed at this stop; any key reveals it.");
	} else if (!q->answered) {
		if (y < bottom) {
			int used = ui_put(v, y, r.x + 2, r.w - 4, A_BOLD,
					  qn->nchoices ? "Your choice: " : "Your answer: ");
			used += ui_putn(v, y, r.x + 2 + used, r.w - 6 - used, A_NORMAL, q->input, q->input_len);
			ui_put(v, y++, r.x + 2 + used, 1, A_REVERSE, " ");
		}
		if (q->why[0])
			y = quiz_wrap(v, r, y, v->style[UI_ST_ERROR], q->why);
		quiz_wrap(v, r, y, v->style[UI_ST_DIM],
			  qn->nchoices ? "The number of a choice, Enter checks, Esc skips, q quits."
				       : "A value: 0x... hex, decimal or -decimal; Enter checks, Esc skips, q quits.");
	} else {
		char answer[256], verdict[320], score[64];
		present_answer(qn, answer, sizeof answer);
		snprintf(verdict, sizeof verdict, "%s: the answer is %s, read from the CPU at this stop.",
			 q->right ? "Right" : "Not quite", answer);
		y = quiz_wrap(v, r, y, q->right ? v->style[UI_ST_CURRENT] : v->style[UI_ST_ERROR], verdict);
		ui_quiz_score(q, score, sizeof score);
		if (q->why[0])
			y = quiz_wrap(v, r, y, v->style[UI_ST_ERROR], q->why);
		if (y < bottom)
			ui_putf(v, y++, r.x + 2, r.w - 4, A_NORMAL, "Score so far: %s. Any key goes on.", score + 6);
	}
	ui_header(v, r.y + r.h - 1, r.x, r.w, "", false, NULL);
}
