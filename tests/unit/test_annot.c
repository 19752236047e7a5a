/* test_annot.c: the annotation loader on good and broken files, directories, the
 * glossary lookup, and resolution against a fake kernel. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "annot.h"

/* Load TEXT as a file called "t.md" into a fresh set. */
static int load(struct annot_set *set, const char *text)
{
	annot_set_init(set);
	return annot_load_buffer(set, "t.md", text, strlen(text));
}

/* TEXT must give exactly one error, equal to EXPECTED. */
static void expect_one_error(const char *text, const char *expected)
{
	struct annot_set set;
	int n = load(&set, text);
	if (n != 1 || set.nerrors != 1 || strcmp(set.errors[0], expected) != 0) {
		print_error("expected 1 error \"%s\", got %d:\n", expected, n);
		annot_print_errors(&set, stderr);
		annot_set_free(&set);
		fail();
	}
	annot_set_free(&set);
}

static void test_good_file(void **state)
{
	(void)state;
	const char *text =
		"# The entry\n"
		"\n"
		"Intro text.\n"
		"\n"
		"## entry_SYSCALL_64 \xe2\x80\x94 Arriving in the kernel\n"
		"show: rcx r11 msr.lstar\n"
		"\n"
		"RCX holds the *user* RIP.\n"
		"\n"
		"## entry_SYSCALL_64/swapgs#2\n"
		"The second `swapgs`.\n"
		"\n"
		"- a list\n"
		"\n"
		"### A sub-heading stays prose\n"
		"## do_syscall_64+0x1C -- Into C\n"
		"show: pt_regs.orig_ax, rdi\n"
		"More prose on the line after the keys.\n";
	struct annot_set set;

	assert_int_equal(load(&set, text), 0);
	assert_int_equal(set.nnotes, 3);
	assert_int_equal(set.nintros, 1);
	assert_string_equal(set.intros[0].markdown, "# The entry\n\nIntro text.");

	const struct annot_note *n = &set.notes[0];
	assert_string_equal(n->anchor_text, "entry_SYSCALL_64");
	assert_int_equal(n->anchor.kind, ANNOT_AT_SYMBOL);
	assert_string_equal(n->title, "Arriving in the kernel");
	assert_string_equal(n->show, "rcx r11 msr.lstar");
	assert_string_equal(n->markdown, "RCX holds the *user* RIP.");
	assert_string_equal(n->file, "t.md");
	assert_int_equal(n->line, 5);

	n = &set.notes[1];
	assert_int_equal(n->anchor.kind, ANNOT_AT_MNEMONIC);
	assert_string_equal(n->anchor.symbol, "entry_SYSCALL_64");
	assert_string_equal(n->anchor.mnemonic, "swapgs");
	assert_int_equal(n->anchor.nth, 2);
	assert_string_equal(n->title, "entry_SYSCALL_64/swapgs#2");   /* no title: the anchor */
	assert_string_equal(n->show, "");
	assert_string_equal(n->markdown,
	                    "The second `swapgs`.\n\n- a list\n\n### A sub-heading stays prose");
	assert_int_equal(n->line, 10);

	n = &set.notes[2];
	assert_int_equal(n->anchor.kind, ANNOT_AT_OFFSET);
	assert_string_equal(n->anchor.symbol, "do_syscall_64");
	assert_int_equal(n->anchor.offset, 0x1c);
	assert_string_equal(n->title, "Into C");
	assert_string_equal(n->show, "pt_regs.orig_ax rdi");
	assert_string_equal(n->markdown, "More prose on the line after the keys.");
	assert_int_equal(n->line, 16);

	assert_ptr_equal(annot_find_by_anchor(&set, "do_syscall_64+0x1C"), &set.notes[2]);
	assert_null(annot_find_by_anchor(&set, "do_syscall_64"));
	annot_set_free(&set);
}

static void test_crlf_and_backticks(void **state)
{
	(void)state;
	struct annot_set set;
	/* Windows line ends, and an anchor in backticks (so Markdown cannot touch it). */
	assert_int_equal(load(&set, "intro\r\n\r\n## `__x64_sys_getpid` - The handler\r\n"
	                      "show: rax\r\nIt returns.\r\nTwo lines.\r\n"), 0);
	assert_int_equal(set.nnotes, 1);
	assert_string_equal(set.notes[0].anchor_text, "__x64_sys_getpid");
	assert_string_equal(set.notes[0].title, "The handler");
	assert_string_equal(set.notes[0].markdown, "It returns.\nTwo lines.");
	assert_int_equal(set.notes[0].line, 3);
	annot_set_free(&set);
}

static void test_error_show_name(void **state)
{
	(void)state;
	expect_one_error("# T\n\n## entry_SYSCALL_64\nshow: rxc\n\nProse.\n",
	                 "t.md:4: unknown show name 'rxc' (did you mean rcx?)");
	expect_one_error("## x\nshow: pt_regs.rcx\nProse.\n",
	                 "t.md:2: unknown show name 'pt_regs.rcx' (did you mean pt_regs.cx?)");
	expect_one_error("## x\nshow: banana\nProse.\n",
	                 "t.md:2: unknown show name 'banana' (see docs/annotations.md)");
	/* Hints skip names whose length differs by more than two: the edge of that cut. */
	expect_one_error("## x\nshow: eflagsxx\nProse.\n",
	                 "t.md:2: unknown show name 'eflagsxx' (did you mean eflags?)");
	expect_one_error("## x\nshow: eflagsxxx\nProse.\n",
	                 "t.md:2: unknown show name 'eflagsxxx' (see docs/annotations.md)");
	expect_one_error("## x\nshow: rcx rcx\nProse.\n", "t.md:2: show name 'rcx' listed twice");
	expect_one_error("## x\nshow:\nProse.\n", "t.md:2: empty show: line");
	expect_one_error("## x\nshow: rax\nshow: rbx\nProse.\n",
	                 "t.md:3: second show: line (the first is at line 2)");
}

static void test_ask_lines(void **state)
{
	(void)state;
	struct annot_set set;
	assert_int_equal(load(&set, "## x\nask: What does RCX hold? => rcx\n"
			      "ask: Which CS? => cs ; kernel = 0x10 ; user = 0x33\nProse.\n"), 0);
	const struct annot_note *n = &set.notes[0];
	assert_int_equal(n->nquestions, 2);
	assert_string_equal(n->questions[0].text, "What does RCX hold?");
	assert_string_equal(n->questions[0].expr, "rcx");
	assert_int_equal(n->questions[0].nchoices, 0);
	assert_int_equal(n->questions[1].nchoices, 2);
	assert_string_equal(n->questions[1].choice_label[1], "user");
	assert_string_equal(n->questions[1].choice_expr[1], "0x33");
	assert_string_equal(n->questions[1].file, "t.md");
	assert_int_equal(n->questions[1].line, 3);
	annot_set_free(&set);
}

static void test_error_ask(void **state)
{
	(void)state;
	expect_one_error("## x\nask: no arrow here\nProse.\n",
	                 "t.md:2: ask: expected 'QUESTION => EXPR' (the answer is computed at the stop)");
	expect_one_error("## x\nask:  => rcx\nProse.\n", "t.md:2: ask: the question before '=>' is empty");
	expect_one_error("## x\nask: Which? => rxc\nProse.\n",
	                 "t.md:2: ask: column 16: unknown register 'rxc' (did you mean rcx?)");
	expect_one_error("## x\nask: Which? => cs ; only = 0x10\nProse.\n",
	                 "t.md:2: ask: give at least two choices, or none (the learner types a value)");
	expect_one_error("## x\nask: Which? => cs ; 0x10 ; b = 1\nProse.\n",
	                 "t.md:2: ask: choice 1: expected 'LABEL = EXPR' with a label of 1 to 31 characters");
}

static void test_error_unknown_key(void **state)
{
	(void)state;
	expect_one_error("## x\nhint: why?\nProse.\n",
	                 "t.md:2: unknown key 'hint:' under the heading (show:, check:, ask: and requires: are "
	                 "known; put prose after a blank line)");
	/* After a blank line, "note: ..." is prose, not a key. */
	struct annot_set set;
	assert_int_equal(load(&set, "## x\n\nnote: this is prose.\n"), 0);
	assert_string_equal(set.notes[0].markdown, "note: this is prose.");
	annot_set_free(&set);
}

/* check: lines are kept with their line numbers, in order, next to show:. */
static void test_check_lines(void **state)
{
	(void)state;
	struct annot_set set;
	const char *text =
		"## entry_SYSCALL_64 \xe2\x80\x94 Arriving\n"
		"check: rcx == $user_return\n"
		"show: rcx r11\n"
		"check:   r11 == $user.eflags && (eflags & msr.fmask) == 0  \n"
		"check: pt_regs.orig_ax == $nr || rip == &entry_SYSCALL_64\n"
		"\n"
		"check: after a blank line this is prose.\n"
		"\n"
		"## do_syscall_64\n"
		"\n"
		"No checks here.\n";
	assert_int_equal(load(&set, text), 0);
	assert_int_equal(set.nnotes, 2);
	const struct annot_note *n = &set.notes[0];
	assert_int_equal(n->nchecks, 3);
	assert_string_equal(n->checks[0], "rcx == $user_return");
	assert_string_equal(n->checks[1], "r11 == $user.eflags && (eflags & msr.fmask) == 0");
	assert_string_equal(n->checks[2], "pt_regs.orig_ax == $nr || rip == &entry_SYSCALL_64");
	assert_int_equal(n->check_lines[0], 2);
	assert_int_equal(n->check_lines[1], 4);
	assert_int_equal(n->check_lines[2], 5);
	assert_string_equal(n->show, "rcx r11");
	assert_string_equal(n->markdown, "check: after a blank line this is prose.");
	assert_int_equal(set.notes[1].nchecks, 0);
	assert_null(set.notes[1].checks);
	annot_set_free(&set);
}

/* Every $variable the walk provides is accepted at load time (walk.c's
 * walk_env_variable and annot_keys.c's list must not drift apart). */
static void test_check_variables(void **state)
{
	(void)state;
	struct annot_set set;
	const char *text =
		"## x\n"
		"check: rsi == $nr && rcx == $user_return && rcx == $user_rip + 2\n"
		"check: rsp == $frame && $frame_top - $frame == 168 && gs_base == $percpu\n"
		"check: rsp == $trampoline_top - 40 && r11 == $user.eflags\n"
		"Prose.\n";
	assert_int_equal(load(&set, text), 0);
	assert_int_equal(set.nerrors, 0);
	assert_int_equal(set.notes[0].nchecks, 3);
	annot_set_free(&set);
}

/* A broken check: says what and where, with the column counted in the line. */
static void test_error_check(void **state)
{
	(void)state;
	expect_one_error("## x\ncheck: rcx == \nProse.\n",
	                 "t.md:2: check: column 14: expression ends too early");
	expect_one_error("## x\nshow: rcx\ncheck: rcx == (1 + 2\nProse.\n",
	                 "t.md:3: check: column 21: ')' expected");
	expect_one_error("## x\ncheck:\nProse.\n",
	                 "t.md:2: empty check: line (expected an expression such as "
	                 "'rcx == $user_return')");
	expect_one_error("## x\ncheck: rxc == $user_return\nProse.\n",
	                 "t.md:2: check: column 8: unknown register 'rxc' (did you mean rcx?)");
	expect_one_error("## x\ncheck: pt_regs.orig_rax == $nr\nProse.\n",
	                 "t.md:2: check: column 8: unknown pt_regs field 'orig_rax' (did you mean orig_ax?)");
	expect_one_error("## x\ncheck: rsi == $number\nProse.\n",
	                 "t.md:2: check: column 16: unknown variable '$number' (known: $nr $user_rip "
	                 "$user_return $frame $frame_top $percpu $trampoline_top $user.REG)");
	expect_one_error("## x\ncheck: r11 == $user.elfags\nProse.\n",
	                 "t.md:2: check: column 16: no register 'elfags' for $user.REG (did you mean eflags?)");
	expect_one_error("## x\ncheck: msr.lstr == rip\nProse.\n",
	                 "t.md:2: check: column 8: no MSR 'lstr' (lstar star fmask efer gs_base "
	                 "kernel_gs_base cstar)");
}

static void test_error_anchors(void **state)
{
	(void)state;
	expect_one_error("## x\nok\n## sym+0xZZ\nProse.\n",
	                 "t.md:3: bad offset '+0xZZ' in anchor 'sym+0xZZ' (expected +0x and hex digits)");
	expect_one_error("## sym+12\nProse.\n",
	                 "t.md:1: bad offset '+12' in anchor 'sym+12' (expected +0x and hex digits)");
	expect_one_error("##\nProse.\n", "t.md:1: empty anchor");
	expect_one_error("## 9lives\nProse.\n", "t.md:1: bad symbol name '9lives' in anchor '9lives'");
	expect_one_error("## sym/SWAPGS\nProse.\n",
	                 "t.md:1: bad mnemonic 'SWAPGS' in anchor 'sym/SWAPGS' (expected lower-case "
	                 "letters and digits, as the disassembly shows it)");
	expect_one_error("## sym/swapgs#0\nProse.\n",
	                 "t.md:1: bad instruction number '#0' in anchor 'sym/swapgs#0' (expected #1, #2, ...)");
	expect_one_error("## sym Swapping GS\nProse.\n",
	                 "t.md:1: expected ' \xe2\x80\x94 ' between anchor 'sym' and the title 'Swapping GS'");
	expect_one_error("## sym \xe2\x80\x94\nProse.\n", "t.md:1: empty title after '\xe2\x80\x94'");
	expect_one_error("## __a_b__ \xe2\x80\x94 t\nProse.\n",
	                 "t.md:1: anchor 'a_b' contains Markdown formatting; write it in backticks");
}

static void test_error_prose_and_duplicates(void **state)
{
	(void)state;
	expect_one_error("## a\nshow: rcx\n\n## b\nProse.\n", "t.md:1: note has no prose");
	expect_one_error("## a\nProse.\n## b\nProse.\n## a\nAgain.\n",
	                 "t.md:5: duplicate anchor 'a' (first at t.md:1)");
	/* Different spellings of one place are duplicates too. */
	expect_one_error("## a/nop\nP.\n## a/nop#1\nP.\n", "t.md:3: duplicate anchor 'a/nop#1' (first at t.md:1)");
	expect_one_error("## a\nP.\n## a+0x0\nP.\n", "t.md:3: duplicate anchor 'a+0x0' (first at t.md:1)");
}

static void test_error_encoding(void **state)
{
	(void)state;
	static const char bad[] = "## a\nline two\nlatin-1 caf\xe9 here\n";
	struct annot_set set;
	annot_set_init(&set);
	assert_int_equal(annot_load_buffer(&set, "t.md", bad, sizeof(bad) - 1), 1);
	assert_string_equal(set.errors[0],
	                    "t.md:3: not valid UTF-8 (byte 0xe9); save the file as UTF-8");
	assert_int_equal(set.nnotes, 0);
	annot_set_free(&set);

	static const char nul[] = "## a\n\nProse\0.\n";
	annot_set_init(&set);
	assert_int_equal(annot_load_buffer(&set, "t.md", nul, sizeof(nul) - 1), 1);
	assert_string_equal(set.errors[0], "t.md:3: NUL byte in the file");
	annot_set_free(&set);
}

/* A file's bytes are not NUL-terminated: the loader must not read past LEN
 * (run under ASan, this fails on any overread). */
static void test_unterminated_buffer(void **state)
{
	(void)state;
	static const char text[] = "## a\nshow: rcx\nProse.\n\n   \t";
	size_t len = sizeof(text) - 1;
	char *buf = malloc(len);
	assert_non_null(buf);
	memcpy(buf, text, len);
	struct annot_set set;
	annot_set_init(&set);
	assert_int_equal(annot_load_buffer(&set, "t.md", buf, len), 0);
	assert_string_equal(set.notes[0].markdown, "Prose.");
	annot_set_free(&set);
	free(buf);
}

/* Every error of a file is reported, not only the first. */
static void test_collects_all_errors(void **state)
{
	(void)state;
	struct annot_set set;
	assert_int_equal(load(&set, "## a+0xZZ\nshow: rxc\nP.\n## b\n\n## c\nP.\n## c\nP.\n"), 4);
	assert_string_equal(set.errors[0], "t.md:1: bad offset '+0xZZ' in anchor 'a+0xZZ' "
	                    "(expected +0x and hex digits)");
	assert_string_equal(set.errors[1], "t.md:2: unknown show name 'rxc' (did you mean rcx?)");
	assert_string_equal(set.errors[2], "t.md:4: note has no prose");
	assert_string_equal(set.errors[3], "t.md:8: duplicate anchor 'c' (first at t.md:6)");
	annot_set_free(&set);
}

/* Write NAME in DIR with TEXT. */
static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_directory(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_annot.XXXXXX";
	assert_non_null(mkdtemp(dir));
	write_file(dir, "20-exit.md", "# Exit\n\n## sysret_here\nBack.\n## entry\nDup.\n");
	write_file(dir, "10-entry.md", "# Entry\n\n## entry\nIn.\n");
	write_file(dir, "notes.txt", "## ignored\n");
	write_file(dir, ".hidden.md", "## ignored\n");

	struct annot_set set;
	annot_set_init(&set);
	assert_int_equal(annot_load_dir(&set, dir), 1);
	char expect[600];
	snprintf(expect, sizeof(expect), "%s/20-exit.md:5: duplicate anchor 'entry' (first at "
	         "%s/10-entry.md:3)", dir, dir);
	assert_string_equal(set.errors[0], expect);
	assert_int_equal(set.nnotes, 3);
	assert_string_equal(set.notes[0].anchor_text, "entry");         /* 10- before 20- */
	assert_string_equal(set.notes[1].anchor_text, "sysret_here");
	assert_int_equal(set.nintros, 2);
	assert_string_equal(set.intros[1].markdown, "# Exit");
	annot_set_free(&set);

	/* An unreadable file and an empty directory are errors, named. */
	char path[600];
	snprintf(path, sizeof(path), "%s/missing.md", dir);
	annot_set_init(&set);
	assert_int_equal(annot_load_file(&set, path), 1);
	assert_non_null(strstr(set.errors[0], "cannot read: No such file or directory"));
	annot_set_free(&set);

	/* A directory or a FIFO named *.md next to a valid note: each refused by name, at
	 * once, no crash (a directory used to double-free), the valid note still loaded. */
	char odd[] = "/tmp/test_annot_odd.XXXXXX";
	assert_non_null(mkdtemp(odd));
	snprintf(path, sizeof(path), "%s/10-ok.md", odd);
	FILE *ok = fopen(path, "w");
	fputs("## entry\n\nfine\n", ok);
	fclose(ok);
	snprintf(path, sizeof(path), "%s/20-dir.md", odd);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/30-fifo.md", odd);
	assert_int_equal(mkfifo(path, 0600), 0);
	annot_set_init(&set);
	assert_int_equal(annot_load_dir(&set, odd), 2);
	assert_int_equal(set.nerrors, 2);
	assert_non_null(strstr(set.errors[0], "20-dir.md:1: cannot read: a directory, not a regular file"));
	assert_non_null(strstr(set.errors[1], "30-fifo.md:1: cannot read: a FIFO, not a regular file"));
	assert_int_equal(set.nnotes, 1);
	annot_set_free(&set);
	unlink(path);
	snprintf(path, sizeof(path), "%s/20-dir.md", odd);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/10-ok.md", odd);
	unlink(path);
	rmdir(odd);

	char empty[] = "/tmp/test_annot_empty.XXXXXX";
	assert_non_null(mkdtemp(empty));
	annot_set_init(&set);
	assert_int_equal(annot_load_dir(&set, empty), 1);
	snprintf(expect, sizeof(expect), "%s: no *.md files in the directory", empty);
	assert_string_equal(set.errors[0], expect);
	annot_set_free(&set);
	rmdir(empty);

	const char *names[] = { "20-exit.md", "10-entry.md", "notes.txt", ".hidden.md" };
	for (size_t i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
}

/* A fake kernel: two functions, entry (0x1000, 0x40 bytes, swapgs at +0 and +0x30, a
 * "mov %rsp,%rdi" at +0x10, a call to exit_fn at +0x20) and empty_fn (0x2000, unknown
 * size, cannot be disassembled); exit_fn at 0x3000. */
static int fake_lookup(void *ctx, const char *name, uint64_t *addr, uint64_t *size)
{
	(void)ctx;
	if (strcmp(name, "entry") == 0) {
		*addr = 0x1000, *size = 0x40;
		return 0;
	}
	if (strcmp(name, "empty_fn") == 0) {
		*addr = 0x2000, *size = 0;
		return 0;
	}
	if (strcmp(name, "exit_fn") == 0) {
		*addr = 0x3000, *size = 0x10;
		return 0;
	}
	return -ENOENT;
}

static int fake_find(void *ctx, uint64_t func, uint64_t size, const char *mnemonic,
                     const char *operands, uint64_t target, int n, uint64_t *addr)
{
	int *calls = ctx;
	(*calls)++;
	if (func == 0x2000)
		return -EINVAL;
	assert_int_equal(size, 0x40);
	if (target) {
		if (target == 0x3000 && n == 1)
			*addr = func + 0x20;
		return target == 0x3000 ? 1 : 0;
	}
	if (strcmp(mnemonic, "mov") == 0 && operands && strcmp(operands, "%rsp,%rdi") == 0) {
		*addr = func + 0x10;
		return 1;
	}
	if (strcmp(mnemonic, "swapgs") != 0 || operands)
		return 0;
	if (n <= 2)
		*addr = func + (n == 1 ? 0 : 0x30);
	return n <= 2 ? n : 2;
}

/* Requirements: CONFIG_YES holds, CONFIG_NO does not, anything else cannot be told. */
static int fake_requirement(void *ctx, const char *item, char *why, size_t len)
{
	(void)ctx;
	bool negate = item[0] == '!';
	const char *p = item + negate;
	if (strcmp(p, "CONFIG_YES") != 0 && strcmp(p, "CONFIG_NO") != 0)
		return -1;
	bool holds = strcmp(p, "CONFIG_YES") == 0;
	snprintf(why, len, "%s is %s", p, holds ? "set" : "not set");
	return negate ? !holds : holds;
}

static void test_resolve(void **state)
{
	(void)state;
	struct annot_set set;
	int calls = 0;
	struct annot_resolver r = { .ctx = &calls, .lookup_symbol = fake_lookup,
	                            .find_insn = fake_find, .requirement = fake_requirement };

	assert_int_equal(load(&set,
		"## entry+0x8\nA.\n## entry/swapgs#2\nB.\n## entry/swapgs#3\nC.\n"
		"## entry/sysretq\nD.\n## nosuch\nE.\n## entry+0x40\nF.\n## empty_fn/nop\nG.\n"
		"## entry\nH.\n## entry/swapgs\nI.\n"
		"## entry/mov:%rsp,%rdi\nJ.\n## entry->exit_fn\nK.\n## entry->nosuch\nL.\n"
		"## entry+0x4\nrequires: CONFIG_NO\n\nM.\n"
		"## entry+0x5\nrequires: !CONFIG_NO\nrequires: CONFIG_YES\nrequires: CONFIG_MAYBE\n\nN.\n"), 0);
	/* Nothing is an error: a kernel without these places is not a mistake in the notes. */
	assert_int_equal(annot_resolve(&set, &r), 8);
	assert_int_equal(set.nerrors, 0);
	assert_int_equal(calls, 7);
	assert_string_equal(set.notes[2].not_applicable, "only 2 'swapgs' in entry");
	assert_string_equal(set.notes[3].not_applicable, "found 0 'sysretq' in entry");
	assert_string_equal(set.notes[4].not_applicable, "this kernel has no symbol 'nosuch'");
	assert_string_equal(set.notes[5].not_applicable, "offset 0x40 is past the end of entry (size 0x40)");
	assert_string_equal(set.notes[6].not_applicable, "cannot disassemble empty_fn");
	assert_string_equal(set.notes[8].not_applicable, "in this kernel it is the same instruction "
	                    "(0x1000) as 'entry' (t.md:15)");
	assert_false(set.notes[8].requirement_unmet);
	assert_int_equal(set.notes[9].addr, 0x1010);
	assert_int_equal(set.notes[10].addr, 0x1020);
	assert_string_equal(set.notes[11].not_applicable, "this kernel has no symbol 'nosuch'");
	assert_string_equal(set.notes[12].not_applicable, "requires CONFIG_NO: CONFIG_NO is not set");
	assert_true(set.notes[12].requirement_unmet);
	assert_true(set.notes[13].resolved);   /* !CONFIG_NO and CONFIG_YES hold, MAYBE is unknown */
	assert_int_equal(set.notes[13].addr, 0x1005);

	assert_true(set.notes[0].resolved);
	assert_int_equal(set.notes[0].addr, 0x1008);
	assert_int_equal(set.notes[1].addr, 0x1030);
	assert_false(set.notes[2].resolved);
	assert_ptr_equal(annot_find_by_addr(&set, 0x1030), &set.notes[1]);
	assert_ptr_equal(annot_find_by_addr(&set, 0x1000), &set.notes[7]);
	assert_null(annot_find_by_addr(&set, 0x1001));
	annot_set_free(&set);
}

/* The new anchor forms and requires: lines are checked when loading. */
static void test_error_new_forms(void **state)
{
	(void)state;
	struct annot_set set;
	assert_int_equal(load(&set, "## entry->\nA.\n## entry/mov:\nB.\n## entry->9x\nC.\n"
	                      "## entry\nrequires: CONFIG_lower\n\nD.\n## entry+0x1\nrequires: symbol\n\nE.\n"
	                      "## entry+0x2\nrequires: maybe\n\nF.\n## entry+0x3\nrequires: symbol a_b\n"
	                      "requires: !pti\n\nG.\n"), 6);
	assert_non_null(strstr(set.errors[0], "t.md:1: bad branch target '' in anchor 'entry->'"));
	assert_non_null(strstr(set.errors[1], "t.md:3: empty operands after ':'"));
	assert_non_null(strstr(set.errors[2], "t.md:5: bad branch target '9x'"));
	assert_non_null(strstr(set.errors[3], "t.md:8: requires: 'CONFIG_lower': a kernel option is"));
	assert_non_null(strstr(set.errors[4], "t.md:12: requires: 'symbol': expected"));
	assert_non_null(strstr(set.errors[5], "t.md:16: requires: 'maybe': expected CONFIG_NAME"));
	assert_int_equal(set.notes[6].nrequires, 2);
	assert_string_equal(set.notes[6].requires[0], "symbol a_b");
	assert_string_equal(set.notes[6].requires[1], "!pti");
	annot_set_free(&set);
}

static void test_glossary(void **state)
{
	(void)state;
	char path[] = "/tmp/test_glossary.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char *text = "# Glossary\n\n## sysretq \xe2\x80\x94 Return\nR.\n## push/pop\nStack.\n"
	                   "## mov-cr3\nCR3.\n## mov\nMove.\n## Bad_Name\nX.\n";
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);

	struct annot_set g;
	annot_set_init(&g);
	assert_int_equal(annot_load_glossary(&g, path), 1);
	assert_non_null(strstr(g.errors[0], ":11: bad glossary name 'Bad_Name' in 'Bad_Name'"));
	assert_string_equal(annot_glossary_find(&g, "sysretq", NULL)->title, "Return");
	assert_string_equal(annot_glossary_find(&g, "pushq", "%rax")->anchor_text, "push/pop");
	assert_string_equal(annot_glossary_find(&g, "pop", "%rdi")->anchor_text, "push/pop");
	assert_string_equal(annot_glossary_find(&g, "movq", "%rax, %cr3")->anchor_text, "mov-cr3");
	assert_string_equal(annot_glossary_find(&g, "movq", "%rax, %rbx")->anchor_text, "mov");
	assert_null(annot_glossary_find(&g, "lfence", NULL));
	assert_null(annot_glossary_find(&g, "pu", NULL));
	annot_set_free(&g);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_file),
		cmocka_unit_test(test_crlf_and_backticks),
		cmocka_unit_test(test_error_show_name),
		cmocka_unit_test(test_error_unknown_key),
		cmocka_unit_test(test_ask_lines),
		cmocka_unit_test(test_error_ask),
		cmocka_unit_test(test_check_lines),
		cmocka_unit_test(test_check_variables),
		cmocka_unit_test(test_error_check),
		cmocka_unit_test(test_error_anchors),
		cmocka_unit_test(test_error_prose_and_duplicates),
		cmocka_unit_test(test_error_encoding),
		cmocka_unit_test(test_unterminated_buffer),
		cmocka_unit_test(test_collects_all_errors),
		cmocka_unit_test(test_directory),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_error_new_forms),
		cmocka_unit_test(test_glossary),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
