/* expr.c: a recursive-descent evaluator for the expressions of expr.h.
 *
 * One parser serves both evaluation and syntax checking: with no snapshot in the
 * environment, names are checked for their form only and evaluate to 0.
 */
#include "expr.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define EXPR_MAX_DEPTH 64   /* nesting bound: hostile input cannot exhaust the stack */

struct parser {
	const char *text;
	const char *p;
	const struct expr_env *env;
	bool failed;
	int depth;
	char *err;
	size_t errlen;
};

static uint64_t parse_expr(struct parser *ps);

static uint64_t error_at(struct parser *ps, const char *where, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static uint64_t error_at(struct parser *ps, const char *where, const char *fmt, ...)
{
	if (ps->failed)
		return 0;
	ps->failed = true;
	int n = snprintf(ps->err, ps->errlen, "column %d: ", (int)(where - ps->text) + 1);
	va_list ap;
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < ps->errlen)
		vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return 0;
}

static void skip_space(struct parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t')
		ps->p++;
}

/* Consume OP when it comes next (and is not the start of a longer operator). */
static bool accept(struct parser *ps, const char *op)
{
	skip_space(ps);
	size_t n = strlen(op);
	if (strncmp(ps->p, op, n) != 0)
		return false;
	/* "&" must not eat "&&", "<" must not eat "<<" or "<=", and so on. */
	if (n == 1 && ps->p[1] && strchr("&|<>=", ps->p[1]) && ps->p[1] == ps->p[0])
		return false;
	if (n == 1 && (*op == '<' || *op == '>' || *op == '!') && ps->p[1] == '=')
		return false;
	ps->p += n;
	return true;
}

static bool is_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.';
}

static size_t name_length(const char *p)
{
	size_t n = 0;
	while (is_name_char(p[n]))
		n++;
	return n;
}

static uint64_t lookup_name(struct parser *ps, const char *name, size_t len)
{
	const struct snapshot *s = ps->env ? ps->env->snap : NULL;
	char buf[64];
	if (len >= sizeof(buf))
		return error_at(ps, name, "name too long");
	memcpy(buf, name, len);
	buf[len] = '\0';

	if (strncmp(buf, "pt_regs.", 8) == 0) {
		if (!s)
			return 0;
		const struct snap_slot *slot = snapshot_slot(s, buf + 8);
		if (!slot)
			return error_at(ps, name, "no pt_regs field '%s' at this stop", buf + 8);
		return slot->value;
	}
	if (strncmp(buf, "msr.", 4) == 0) {
		for (int i = 0; i < SNAP_MSR_COUNT; i++) {
			if (strcasecmp(snapshot_msr_name(i), buf + 4) != 0)
				continue;
			if (!s)
				return 0;
			if (s->msrs[i].source == SNAP_MSR_UNKNOWN)
				return error_at(ps, name, "%s has not been read at this stop", buf);
			return s->msrs[i].value;
		}
		return error_at(ps, name, "no MSR '%s' (lstar star fmask efer gs_base kernel_gs_base cstar)",
				buf + 4);
	}
	if (!s)
		return 0;
	uint64_t v;
	if (!snapshot_reg_value(s, buf, &v))
		return error_at(ps, name, "no register '%s'", buf);
	return v;
}

static uint64_t parse_number(struct parser *ps)
{
	const char *start = ps->p;
	char *end;
	uint64_t v = strtoull(start, &end, 0);
	if (end == start || is_name_char(*end))
		return error_at(ps, start, "bad number");
	ps->p = end;
	return v;
}

static uint64_t parse_primary(struct parser *ps)
{
	skip_space(ps);
	const char *start = ps->p;
	if (isdigit((unsigned char)*start))
		return parse_number(ps);
	if (*start == '(') {
		ps->p++;
		uint64_t v = parse_expr(ps);
		if (!accept(ps, ")"))
			return error_at(ps, ps->p, "')' expected");
		return v;
	}
	if (*start == '&' || *start == '$') {
		size_t len = name_length(start + 1);
		if (len == 0)
			return error_at(ps, start, "a name must follow '%c'", *start);
		ps->p = start + 1 + len;
		if (!ps->env || !ps->env->snap)
			return 0;
		uint64_t v = 0;
		int (*fn)(void *, const char *, size_t, uint64_t *) =
			*start == '&' ? ps->env->symbol : ps->env->variable;
		if (!fn || fn(ps->env->ctx, start + 1, len, &v) < 0)
			return error_at(ps, start, "%s '%.*s' is not known here",
					*start == '&' ? "symbol" : "variable", (int)len, start + 1);
		return v;
	}
	size_t len = name_length(start);
	if (len == 0)
		return error_at(ps, start, *start ? "unexpected '%c'" : "expression ends too early", *start);
	ps->p = start + len;
	return lookup_name(ps, start, len);
}

static uint64_t parse_unary(struct parser *ps)
{
	if (++ps->depth > EXPR_MAX_DEPTH)
		return error_at(ps, ps->p, "nested too deeply");
	uint64_t v;
	if (accept(ps, "-"))
		v = -parse_unary(ps);
	else if (accept(ps, "~"))
		v = ~parse_unary(ps);
	else if (accept(ps, "!"))
		v = !parse_unary(ps);
	else
		v = parse_primary(ps);
	ps->depth--;
	return v;
}

static uint64_t parse_sum(struct parser *ps)
{
	uint64_t v = parse_unary(ps);
	for (;;) {
		if (accept(ps, "+"))
			v += parse_unary(ps);
		else if (accept(ps, "-"))
			v -= parse_unary(ps);
		else
			return v;
	}
}

static uint64_t parse_shift(struct parser *ps)
{
	uint64_t v = parse_sum(ps);
	for (;;) {
		const char *at = ps->p;
		bool left = accept(ps, "<<");
		if (!left && !accept(ps, ">>"))
			return v;
		uint64_t n = parse_sum(ps);
		if (n > 63)
			return error_at(ps, at, "shift by %llu", (unsigned long long)n);
		v = left ? v << n : v >> n;
	}
}

static uint64_t parse_bits(struct parser *ps)
{
	uint64_t v = parse_shift(ps);
	for (;;) {
		if (accept(ps, "&"))
			v &= parse_shift(ps);
		else if (accept(ps, "|"))
			v |= parse_shift(ps);
		else if (accept(ps, "^"))
			v ^= parse_shift(ps);
		else
			return v;
	}
}

static uint64_t parse_cmp(struct parser *ps)
{
	uint64_t a = parse_bits(ps);
	if (accept(ps, "=="))
		return a == parse_bits(ps);
	if (accept(ps, "!="))
		return a != parse_bits(ps);
	if (accept(ps, "<="))
		return a <= parse_bits(ps);
	if (accept(ps, ">="))
		return a >= parse_bits(ps);
	if (accept(ps, "<"))
		return a < parse_bits(ps);
	if (accept(ps, ">"))
		return a > parse_bits(ps);
	return a;
}

static uint64_t parse_expr(struct parser *ps)
{
	if (++ps->depth > EXPR_MAX_DEPTH)
		return error_at(ps, ps->p, "nested too deeply");
	uint64_t v = parse_cmp(ps);
	for (;;) {
		if (accept(ps, "&&")) {
			uint64_t b = parse_cmp(ps);
			v = v && b;
		} else if (accept(ps, "||")) {
			uint64_t b = parse_cmp(ps);
			v = v || b;
		} else {
			break;
		}
	}
	ps->depth--;
	return v;
}

static int run(const char *text, const struct expr_env *env, uint64_t *value, char *err, size_t errlen)
{
	struct parser ps = { .text = text, .p = text, .env = env, .err = err, .errlen = errlen };
	if (errlen)
		err[0] = '\0';
	uint64_t v = parse_expr(&ps);
	skip_space(&ps);
	if (!ps.failed && *ps.p)
		error_at(&ps, ps.p, "unexpected '%c'", *ps.p);
	if (ps.failed)
		return -1;
	if (value)
		*value = v;
	return 0;
}

int expr_eval(const char *text, const struct expr_env *env, uint64_t *value, char *err, size_t errlen)
{
	return run(text, env, value, err, errlen);
}

int expr_check_syntax(const char *text, char *err, size_t errlen)
{
	return run(text, NULL, NULL, err, errlen);
}
