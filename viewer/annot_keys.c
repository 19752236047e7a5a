/* annot_keys.c: the key lines under a note's heading: "show:" (what to highlight),
 * "check:" (the machine twin of a claim about a value) and "ask:" (a predict-then-reveal
 * question for --quiz). Each is checked at load time with "file:line:" errors.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "annot.h"
#include "annot_internal.h"
#include "expr.h"
#include "present.h"

/* Names that "show:" accepts. Registers use QEMU's target.xml names; pt_regs fields
 * use Linux's names (struct pt_regs in arch/x86/include/asm/ptrace.h). */
static const char *const show_names[] = {
	"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
	"rip", "eflags", "cs", "ss", "ds", "es", "fs", "gs",
	"fs_base", "gs_base", "k_gs_base", "cr0", "cr2", "cr3", "cr4", "cr8",
	"msr.lstar", "msr.star", "msr.fmask", "msr.efer", "msr.gs_base",
	"msr.kernel_gs_base", "msr.cstar",
	"pt_regs.r15", "pt_regs.r14", "pt_regs.r13", "pt_regs.r12", "pt_regs.bp",
	"pt_regs.bx", "pt_regs.r11", "pt_regs.r10", "pt_regs.r9", "pt_regs.r8",
	"pt_regs.ax", "pt_regs.cx", "pt_regs.dx", "pt_regs.si", "pt_regs.di",
	"pt_regs.orig_ax", "pt_regs.ip", "pt_regs.cs", "pt_regs.flags", "pt_regs.sp",
	"pt_regs.ss",
};

/* Hints name only candidates within this many edits. */
#define HINT_EDITS 2

/* Edit distance counting a swap of two neighbours as one edit (optimal string
 * alignment), for "did you mean" hints: "rxc" is one edit from "rcx". Exact when it
 * is at most HINT_EDITS; otherwise only "more than HINT_EDITS" is promised, and the
 * answer is (size_t)-1.
 *
 * Every unknown word is compared with all 60 names, so the cheap exits matter: the
 * distance is at least the difference in length, and once two rows in a row exceed
 * HINT_EDITS no later row can come back under it (a cell comes from its own row,
 * the row above, or, by a swap, the row two above plus one). */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t d[33][33];
	size_t prev_min = 0;

	if (la > 32 || lb > 32 || (la > lb ? la - lb : lb - la) > HINT_EDITS)
		return (size_t)-1;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t row_min = d[i][0];
		for (size_t j = 1; j <= lb; j++) {
			size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
			if (best < row_min)
				row_min = best;
		}
		if (row_min > HINT_EDITS && prev_min > HINT_EDITS)
			return (size_t)-1;
		prev_min = row_min;
	}
	return d[la][lb] > HINT_EDITS ? (size_t)-1 : d[la][lb];
}

/* Check the "show:" names in TEXT and return them normalised (one space apart). */
char *annot_parse_show(struct src *s, int line, const char *text)
{
	size_t cap = strlen(text) + 1;
	char *out = calloc(1, cap);
	char *copy = strdup(text);
	int count = 0;

	if (!out || !copy) {
		free(out);
		free(copy);
		s->oom = true;
		return NULL;
	}
	for (char *save = NULL, *written = strtok_r(copy, " \t,", &save); written;
	     written = strtok_r(NULL, " \t,", &save)) {
		/* The one spelling every output matches with (present.h): any case, rflags
		 * for QEMU's eflags. The note may say either; the snapshot keeps this one. */
		char canon[48];
		const char *w = present_show_canonical(written, strlen(written), canon, sizeof canon);
		const char *best = NULL;
		size_t best_d = HINT_EDITS + 1;
		bool known = false;

		/* An exact match first: the distances are only needed for a hint. */
		for (size_t i = 0; i < sizeof(show_names) / sizeof(show_names[0]) && !known; i++)
			known = strcmp(w, show_names[i]) == 0;
		for (size_t i = 0; i < sizeof(show_names) / sizeof(show_names[0]) && !known; i++) {
			size_t d = edit_distance(w, show_names[i]);
			if (d < best_d) {
				best_d = d;
				best = show_names[i];
			}
		}
		if (!known) {
			if (best)
				serr(s, line, "unknown show name '%s' (did you mean %s?)", written, best);
			else
				serr(s, line, "unknown show name '%s' (see docs/annotations.md)", written);
			continue;
		}
		/* Match whole words in the names kept so far. */
		size_t wl = strlen(w);
		bool dup = false;
		for (const char *p = out; (p = strstr(p, w)); p += wl)
			if ((p == out || p[-1] == ' ') && (p[wl] == ' ' || p[wl] == '\0'))
				dup = true;
		if (dup) {
			serr(s, line, "show name '%s' listed twice", written);
			continue;
		}
		if (count++)
			strcat(out, " ");
		strcat(out, w);
	}
	if (count == 0 && s->errors == 0)
		serr(s, line, "empty show: line");
	free(copy);
	return out;
}

/* The $VARIABLEs a check may use: those the walk provides (walk_expr_env in walk.c).
 * "$user.REG" is checked as a register name after its prefix. */
static const char *const check_variables[] = {
	"nr", "user_rip", "user_return", "frame", "frame_top", "percpu", "trampoline_top",
};

/* The closest show name (registers and pt_regs fields) to NAME within two edits, or NULL. */
static const char *closest_name(const char *name, const char *prefix)
{
	const char *best = NULL;
	size_t best_d = HINT_EDITS + 1, plen = strlen(prefix);

	for (size_t i = 0; i < sizeof(show_names) / sizeof(show_names[0]); i++) {
		if (strncmp(show_names[i], prefix, plen) != 0 ||
		    (plen == 0 && strchr(show_names[i], '.')))
			continue;
		size_t d = edit_distance(name, show_names[i] + plen);
		if (d < best_d) {
			best_d = d;
			best = show_names[i] + plen;
		}
	}
	return best;
}

/* Whether NAME (LEN bytes) is a register or pt_regs field that show: accepts too. */
static bool known_value_name(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(show_names) / sizeof(show_names[0]); i++)
		if (strlen(show_names[i]) == len && !strncmp(show_names[i], name, len) &&
		    strncmp(name, "msr.", 4) != 0)
			return true;
	return false;
}

/* expr_check_syntax knows the grammar but not which registers and variables exist (the
 * walk decides that at run time): a misspelt name would only fail when the check is
 * evaluated against a live kernel. Catch it here, with the column in the line. */
static bool check_names(struct src *s, int line, const char *key, const char *text, size_t col0)
{
	for (size_t i = 0; text[i]; ) {
		char c = text[i];
		if (!isalpha((unsigned char)c) && c != '_' && c != '$' && c != '&' && !isdigit((unsigned char)c)) {
			i++;
			continue;
		}
		size_t start = i + (c == '$' || c == '&');
		size_t end = start;
		while (isalnum((unsigned char)text[end]) || text[end] == '_' || text[end] == '.')
			end++;
		const char *name = text + start;
		size_t len = end - start;
		char word[64];
		snprintf(word, sizeof(word), "%.*s", (int)(len < 63 ? len : 63), name);
		size_t col = col0 + start + 1;
		i = end > i ? end : i + 1;
		if (c == '&' || isdigit((unsigned char)c) || len == 0 || !strncmp(word, "msr.", 4))
			continue;    /* symbols, numbers and MSRs: expr_check_syntax's business */
		if (c == '$') {
			bool known = false;
			for (size_t k = 0; k < sizeof(check_variables) / sizeof(check_variables[0]); k++)
				known = known || !strcmp(word, check_variables[k]);
			if (known)
				continue;
			if (!strncmp(word, "user.", 5)) {
				if (known_value_name(word + 5, strlen(word + 5)) && strchr(word + 5, '.') == NULL)
					continue;
				const char *hint = closest_name(word + 5, "");
				serr(s, line, "%s: column %zu: no register '%s' for $user.REG%s%s%s", key, col,
				     word + 5, hint ? " (did you mean " : "", hint ? hint : "", hint ? "?)" : "");
				return false;
			}
			serr(s, line, "%s: column %zu: unknown variable '$%s' (known: $nr $user_rip "
			     "$user_return $frame $frame_top $percpu $trampoline_top $user.REG)", key, col, word);
			return false;
		}
		if (known_value_name(name, len))
			continue;
		bool field = !strncmp(word, "pt_regs.", 8);
		const char *hint = field ? closest_name(word + 8, "pt_regs.") : closest_name(word, "");
		serr(s, line, "%s: column %zu: unknown %s '%s'%s%s%s", key, col,
		     field ? "pt_regs field" : "register", field ? word + 8 : word,
		     hint ? " (did you mean " : "", hint ? hint : "", hint ? "?)" : "");
		return false;
	}
	return true;
}

/* A "check: EXPR" line: its syntax and names checked, kept on NOTE. COL0 is where EXPR
 * starts in the line, so that columns in messages count from the line's start. */
/* The expression in TEXT[0..LEN) (COL0: its column on the line), its syntax and names
 * checked, as a new string; NULL after an error was reported. KEY names the line. */
static char *valid_expr(struct src *s, int line, const char *key, const char *text, size_t len,
			size_t col0)
{
	char err[256];
	size_t lead = strspn(text, " \t");
	while (len > lead && isspace((unsigned char)text[len - 1]))
		len--;
	if (len == lead) {
		serr(s, line, "%s: an expression is missing (such as 'rcx == $user_return')", key);
		return NULL;
	}
	char *expr = dup_range(text + lead, len - lead, &s->oom);
	if (!expr)
		return NULL;
	col0 += lead;
	if (expr_check_syntax(expr, err, sizeof(err)) < 0) {
		int col = 0, used = 0;
		/* expr counts columns from the expression's start; say where in the line. */
		if (sscanf(err, "column %d: %n", &col, &used) == 1 && used > 0)
			serr(s, line, "%s: column %zu: %s", key, col0 + (size_t)col, err + used);
		else
			serr(s, line, "%s: %s", key, err);
		free(expr);
		return NULL;
	}
	if (!check_names(s, line, key, expr, col0)) {
		free(expr);
		return NULL;
	}
	return expr;
}

/* Append VALUE (taken over) and its LINE to a note's list of key values. */
static void push_keyed(struct src *s, char ***values, int **lines, size_t *n, char *value, int line)
{
	char **v = realloc(*values, (*n + 1) * sizeof(*v));
	if (v)
		*values = v;
	int *l = v ? realloc(*lines, (*n + 1) * sizeof(*l)) : NULL;
	if (l)
		*lines = l;
	if (!v || !l) {
		free(value);
		s->oom = true;
		return;
	}
	(*values)[*n] = value;
	(*lines)[(*n)++] = line;
}

void annot_parse_check(struct src *s, struct annot_note *note, int line, const char *text,
                        size_t col0)
{
	if (strspn(text, " \t") == strlen(text)) {
		serr(s, line, "empty check: line (expected an expression such as 'rcx == $user_return')");
		return;
	}
	char *expr = valid_expr(s, line, "check", text, strlen(text), col0);
	if (!expr)
		return;
	push_keyed(s, &note->checks, &note->check_lines, &note->nchecks, expr, line);
}

/* "ask: QUESTION => EXPR" or "ask: QUESTION => EXPR ; LABEL = EXPR ; LABEL = EXPR ...":
 * the question, how its answer is computed at the stop, and optional choices. */
void annot_parse_ask(struct src *s, struct annot_note *note, int line, const char *text,
		     size_t col0)
{
	const char *arrow = strstr(text, "=>");
	if (!arrow) {
		serr(s, line, "ask: expected 'QUESTION => EXPR' (the answer is computed at the stop)");
		return;
	}
	if (note->nquestions == ANNOT_MAX_QUESTIONS) {
		serr(s, line, "ask: more than %d questions on one note", ANNOT_MAX_QUESTIONS);
		return;
	}
	struct annot_question q = { .line = line };  /* .file is set when the note is closed */
	size_t qlen = (size_t)(arrow - text), lead = strspn(text, " \t");
	while (qlen > lead && isspace((unsigned char)text[qlen - 1]))
		qlen--;
	if (qlen == lead) {
		serr(s, line, "ask: the question before '=>' is empty");
		return;
	}
	if (qlen - lead >= ANNOT_MAX_QUESTION_LEN) {
		serr(s, line, "ask: the question is longer than %d characters", ANNOT_MAX_QUESTION_LEN - 1);
		return;
	}
	const char *after = arrow + 2;
	const char *semi = strchr(after, ';');
	size_t elen = semi ? (size_t)(semi - after) : strlen(after);
	q.text = dup_range(text + lead, qlen - lead, &s->oom);
	q.expr = valid_expr(s, line, "ask", after, elen, col0 + (size_t)(after - text));
	bool ok = q.text && q.expr;
	while (ok && semi) {
		const char *c = semi + 1;
		semi = strchr(c, ';');
		size_t clen = semi ? (size_t)(semi - c) : strlen(c);
		const char *eq = memchr(c, '=', clen);
		size_t llead = strspn(c, " \t"), llen = eq ? (size_t)(eq - c) : 0;
		while (llen > llead && isspace((unsigned char)c[llen - 1]))
			llen--;
		if (!eq || llen == llead || llen - llead >= ANNOT_MAX_LABEL_LEN) {
			serr(s, line, "ask: choice %d: expected 'LABEL = EXPR' with a label of 1 to %d "
			     "characters", q.nchoices + 1, ANNOT_MAX_LABEL_LEN - 1);
			ok = false;
		} else if (q.nchoices == ANNOT_MAX_CHOICES) {
			serr(s, line, "ask: more than %d choices", ANNOT_MAX_CHOICES);
			ok = false;
		} else {
			q.choice_label[q.nchoices] = dup_range(c + llead, llen - llead, &s->oom);
			q.choice_expr[q.nchoices] = valid_expr(s, line, "ask", eq + 1,
							       clen - (size_t)(eq + 1 - c),
							       col0 + (size_t)(eq + 1 - text));
			ok = q.choice_label[q.nchoices] && q.choice_expr[q.nchoices];
			q.nchoices++;
		}
	}
	if (ok && q.nchoices == 1) {
		serr(s, line, "ask: give at least two choices, or none (the learner types a value)");
		ok = false;
	}
	if (!ok) {
		annot_question_free(&q);
		return;
	}
	note->questions[note->nquestions++] = q;
}

const char *annot_requirement_syntax(const char *item)
{
	const char *p = item + (item[0] == '!');
	if (strcmp(p, "pti") == 0)
		return NULL;
	if (strncmp(p, "CONFIG_", 7) == 0) {
		if (!p[7])
			return "expected an option name after CONFIG_";
		for (const char *q = p + 7; *q; q++)
			if (!isupper((unsigned char)*q) && !isdigit((unsigned char)*q) && *q != '_')
				return "a kernel option is CONFIG_ and upper-case letters, digits and '_'";
		return NULL;
	}
	if (strncmp(p, "symbol ", 7) == 0) {
		const char *name = p + 7;
		if (!*name || isdigit((unsigned char)*name))
			return "expected a symbol name after 'symbol '";
		for (const char *q = name; *q; q++)
			if (!isalnum((unsigned char)*q) && *q != '_' && *q != '.' && *q != '$')
				return "a symbol name is letters, digits, '_', '.' and '$'";
		return NULL;
	}
	return "expected CONFIG_NAME, 'symbol NAME' or 'pti', each optionally after '!'";
}

void annot_parse_requires(struct src *s, struct annot_note *note, int line, const char *text)
{
	size_t lead = strspn(text, " \t"), len = strlen(text + lead);
	while (len && isspace((unsigned char)text[lead + len - 1]))
		len--;
	char *item = dup_range(text + lead, len, &s->oom);
	if (!item)
		return;
	const char *why = annot_requirement_syntax(item);
	if (why) {
		serr(s, line, "requires: '%s': %s", item, why);
		free(item);
		return;
	}
	push_keyed(s, &note->requires, &note->requires_lines, &note->nrequires, item, line);
}
