/* ui_quiz.h: predict-then-reveal (--quiz). When the walk reaches a stop whose note asks
 * questions, a box over the note asks them one by one while the registers, MSRs,
 * pt_regs and code stay on screen (with the answer's own value hidden). The learner
 * types a value or a choice's number; what the question's kind does not allow is
 * refused with the reason; the answer is checked against the value computed from the
 * state at that stop; then the note is revealed. */
#ifndef SYSWALK_UI_QUIZ_H
#define SYSWALK_UI_QUIZ_H

#include <stdbool.h>
#include <stddef.h>
#include "snapshot.h"
#include "ui_draw.h"

struct ui_quiz {
	bool enabled;
	bool active;                 /* a question is on screen */
	bool answered;               /* its verdict is shown; any key goes on */
	bool right;                  /* the verdict */
	bool confirm_quit;           /* q was pressed once: q again quits */
	int question;                /* which question of the stop */
	size_t asked_upto;           /* stops before this index were quizzed already */
	int asked, right_count;      /* the score */
	char input[64];
	size_t input_len;
	char why[160];               /* why the last key or Enter was refused, "" when none */
};

/* What ui_quiz_key did. */
enum ui_quiz_result {
	UI_QUIZ_KEPT = 0,            /* the key was taken (or refused, with why set) */
	UI_QUIZ_SCORED,              /* an answer was judged: the score changed */
	UI_QUIZ_QUIT,                /* q twice: the learner wants to leave */
};

/* The viewer shows stop POS (snapshot S): ask its questions if it was never quizzed. */
void ui_quiz_arrive(struct ui_quiz *q, size_t pos, const struct snapshot *s);

/* A key while a question is active. */
enum ui_quiz_result ui_quiz_key(struct ui_quiz *q, const struct snapshot *s, int ch);

/* Whether a value must be hidden now (the answer of the question on screen), into *V. */
bool ui_quiz_hidden(const struct ui_quiz *q, const struct snapshot *s, uint64_t *v);

/* Draw the question (or its verdict) in a box over R. */
void ui_quiz_draw(const struct ui_quiz *q, const struct ui_view *v, const struct snapshot *s,
		  struct ui_rect r);

/* Check what the learner typed for question QN: a number (hex with 0x, decimal, a
 * negative decimal as two's complement) or, with choices, a choice's number (its value
 * into *VALUE). Returns true when it is well formed; otherwise false with the reason
 * in WHY. */
bool ui_quiz_parse(const struct snap_question *qn, const char *text, uint64_t *value,
		   char *why, size_t whylen);

/* The score line: "quiz: 3 of 5 right" (or "quiz: no question answered"). */
void ui_quiz_score(const struct ui_quiz *q, char *buf, size_t cap);

#endif
