/* verify.c: checking the notes' claims and questions against the live CPU (verify.h). */
#include "verify.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"
#include "textsafe.h"

/* The note's check: lines and ask: answers at stop S. */
static void verify_stop(struct walk *w, const struct snapshot *s, bool *reached, FILE *out,
			struct verify_counts *c)
{
	const struct annot_note *note = annot_find_by_addr(&w->notes, s->rip);
	c->stops++;
	if (!note)
		return;
	reached[note - w->notes.notes] = true;
	struct expr_env env;
	walk_expr_env(w, s, &env);
	char err[256];
	uint64_t v;
	for (size_t i = 0; i < note->nchecks; i++) {
		c->checks++;
		if (expr_eval(note->checks[i], &env, &v, err, sizeof(err)) < 0) {
			textsafe_printf(out, "%s:%d: check '%s' cannot be evaluated at %s in %s: %s\n", note->file,
				note->check_lines[i], note->checks[i], s->location, s->syscall, err);
			c->problems++;
		} else if (!v) {
			textsafe_printf(out, "%s:%d: check '%s' is false at %s in %s\n", note->file,
				note->check_lines[i], note->checks[i], s->location, s->syscall);
			c->problems++;
			c->false_claims++;
		}
	}
	for (size_t i = 0; i < note->nquestions; i++) {
		const struct annot_question *q = &note->questions[i];
		c->questions++;
		bool ok = expr_eval(q->expr, &env, &v, err, sizeof(err)) == 0;
		uint64_t answer = v;
		int matches = 0, first = 0;
		for (int k = 0; ok && k < q->nchoices; k++) {
			ok = expr_eval(q->choice_expr[k], &env, &v, err, sizeof(err)) == 0;
			if (ok && v == answer && matches++ == 0)
				first = k;
		}
		bool among = q->nchoices == 0 || matches > 0;
		if (!ok) {
			textsafe_printf(out, "%s:%d: ask: the answer cannot be computed at %s in %s: %s\n", q->file,
				q->line, s->location, s->syscall, err);
			c->problems++;
		} else if (!among) {
			textsafe_printf(out, "%s:%d: ask: no choice equals the answer 0x%llx at %s in %s\n", q->file,
				q->line, (unsigned long long)answer, s->location, s->syscall);
			c->problems++;
		} else if (matches > 1) {
			/* The learner who picks the other one is told "Right" for a wrong reason. */
			textsafe_printf(out, "%s:%d: ask: %d choices equal the answer 0x%llx at %s in %s ('%s' and "
				"others): the question is ambiguous\n", q->file, q->line, matches,
				(unsigned long long)answer, s->location, s->syscall, q->choice_label[first]);
			c->problems++;
		}
	}
}

int verify_walks(struct walk *w, FILE *out, struct verify_counts *c)
{
	memset(c, 0, sizeof(*c));
	bool *reached = calloc(w->notes.nnotes + 1, sizeof(*reached));
	if (!reached)
		return -1;
	const struct kernel_target *kt = w->cfg.kt;
	int rc = 0;
	/* The first walk is under way already; the others are started one by one, each only
	 * when this kernel can take it. */
	for (int i = 0; rc == 0 && i < kt->nsyscalls; i++) {
		const struct demo_syscall *sc = &kt->syscalls[i];
		char why[256];
		if (!walk_syscall_available(w, sc, why, sizeof(why))) {
			textsafe_printf(out, "note: %s\n", why);
			c->skipped_walks++;
			continue;
		}
		if (w->sys.sc != sc && (rc = walk_goto(w, sc)) < 0)
			break;
		verify_stop(w, walk_current(w), reached, out, c);
		while (rc == 0 && !walk_finished(w)) {
			if ((rc = walk_act(w, WALK_NEXT)) == 0)
				verify_stop(w, walk_current(w), reached, out, c);
		}
	}
	for (size_t i = 0; rc == 0 && i < w->notes.nnotes; i++) {
		if (reached[i] || !w->notes.notes[i].resolved)
			continue;
		/* Not an error: some stops exist only in some boots (the CR3 switch only runs
		 * with page-table isolation on). Said, so a teacher can tell a stale anchor. */
		textsafe_printf(out, "%s:%d: warning: note '%s' is not reached by the demo's syscalls in this "
			"boot (%s)\n", w->notes.notes[i].file, w->notes.notes[i].line,
			w->notes.notes[i].anchor_text, w->describe);
		c->unreached++;
	}
	free(reached);
	return rc;
}
