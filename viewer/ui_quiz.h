/* ui_quiz.h: predict-then-reveal (--quiz). When the walk reaches a stop whose note asks
 * questions, the screen is covered until the learner has answered: they type a value
 * (or pick a numbered choice), the answer is checked against the value computed from
 * the state at that stop, and only then is the stop revealed with its note. */
#ifndef SYSWALK_UI_QUIZ_H
#define SYSWALK_UI_QUIZ_H

#include <stdbool.h>
#include <stddef.h>
#include "snapshot.h"
#include "ui_draw.h"

struct ui_quiz {
	bool enabled;
	bool active;                 /* a question covers the screen */
	bool answered;               /* its verdict is shown; any key goes on */
	bool right;                  /* the verdict */
	int question;                /* which question of the stop */
	size_t asked_upto;           /* stops before this index were quizzed already */
	int asked, right_count;      /* the score */
	char input[64];
	size_t input_len;
};

/* The viewer shows stop POS (snapshot S): ask its questions if it was never quizzed. */
void ui_quiz_arrive(struct ui_quiz *q, size_t pos, const struct snapshot *s);

/* A key while a question is active. Returns true when the score changed. */
bool ui_quiz_key(struct ui_quiz *q, const struct snapshot *s, int ch);

/* Draw the question (or its verdict) over the screen, above the status line. */
void ui_quiz_draw(const struct ui_quiz *q, const struct ui_view *v, const struct snapshot *s);

/* Parse what the learner typed for question QN of S: a number (hex with 0x, decimal,
 * negative decimal as two's complement) or, with choices, the choice's number.
 * Returns true with *VALUE set when it is well formed. */
bool ui_quiz_parse(const struct snap_question *qn, const char *text, uint64_t *value);

#endif
