/* walk.c: the walkthrough engine's set-up and services: loading symbols, DWARF and
 * notes, starting the target, reading memory through either page table, the expression
 * environment and the stop source. Running and the actions are in walk_run.c, snapshots
 * in walk_snapshot.c, anchors and breakpoints in walk_anchors.c. See walk.h for the
 * model.
 */
#include "walk.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "expr.h"
#include "walk_internal.h"
#include "snapshot.h"


int walk_fail(struct walk *w, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w->err, sizeof(w->err), fmt, ap);
	va_end(ap);
	return code < 0 ? code : -1;
}

/* What a lost target leaves the user, said after the news when there are stops. */
static const char still_browsable[] = "; the stops already seen can still be browsed and exported";

/* The kernel's own words when it died or hung: its "Kernel panic" line if the console
 * has one, else its last line ("" when the console is silent or not ours). */
static void console_last_words(struct walk *w, char *out, size_t len)
{
	out[0] = '\0';
	if (!w->qemu_started)
		return;
	qemu_console_read(&w->qemu);
	size_t n;
	const char *text = qemu_console_peek(&w->qemu, &n);
	if (!text || n == 0)
		return;
	const char *panic = strstr(text, "Kernel panic");
	const char *line = panic;
	if (!line) {          /* the last non-empty line */
		const char *end = text + n;
		while (end > text && (end[-1] == '\n' || end[-1] == '\r'))
			end--;
		line = end;
		while (line > text && line[-1] != '\n')
			line--;
	}
	size_t l = strcspn(line, "\r\n");
	snprintf(out, len, "%s \"%.*s\"", panic ? "; the kernel panicked:" : "; its console last said",
		 (int)(l > 200 ? 200 : l), line);
}

/* A failed target operation: say what went wrong in plain words. When QEMU itself has
 * gone, that is the news, not the socket error that revealed it. */
int walk_fail_target(struct walk *w, int rc, const char *doing)
{
	/* The socket closes a moment before QEMU is gone: give it half a second to end,
	 * so that its own words ("invalid kernel header") are what the user reads. */
	for (int i = 0; w->qemu_started && (rc == RSP_ERR_EOF || rc == RSP_ERR_IO) && i < 50 &&
			qemu_alive(&w->qemu); i++)
		nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
	if (w->qemu_started && !qemu_alive(&w->qemu)) {
		char how[128], why[512], words[256];
		qemu_describe_exit(&w->qemu, how, sizeof(how));
		qemu_stderr_text(&w->qemu, why, sizeof(why));
		console_last_words(w, words, sizeof(words));
		w->connected = false;
		snprintf(w->gone, sizeof(w->gone), "QEMU is gone (%s)", how);
		return walk_fail(w, rc, "QEMU is gone (%s) while %s%s%s%s%s", how, doing, why[0] ? ": " : "",
				 why, words, w->history.n ? still_browsable : "");
	}
	if (rc == RSP_ERR_EOF || rc == TARGET_ERR_EXITED) {
		w->connected = false;
		snprintf(w->gone, sizeof(w->gone), "%s", target_error(&w->target));
	}
	char words[256] = "";
	if (rc == RSP_ERR_TIMEOUT || rc == TARGET_ERR_EXITED)
		console_last_words(w, words, sizeof(words));
	return walk_fail(w, rc, "%s: %s%s", doing, target_error(&w->target), words);
}

/* The gdbstub's socket, for a poll loop between actions; -1 when not connected. */
int walk_target_fd(const struct walk *w)
{
	return w->connected ? w->target.rsp.fd : -1;
}

/* Between actions the CPU is stopped and the stub has nothing to say: the socket turns
 * readable only when it closes (QEMU has died, or the gdbstub given to --attach went
 * away) or when something arrives unasked. The viewer learns of a death at once this
 * way, even with no serial line to watch (--attach). */
int walk_poll_idle(struct walk *w)
{
	if (!w->connected)
		return 0;
	int rc = target_poll_idle(&w->target);
	if (rc == 0)
		return 0;
	w->connected = false;
	snprintf(w->gone, sizeof(w->gone), "%s", target_error(&w->target));
	rc = walk_fail_target(w, rc, "waiting between actions");
	size_t n = strlen(w->err);
	if (!w->qemu_started && w->history.n && n < sizeof(w->err))   /* --attach: no QEMU branch */
		snprintf(w->err + n, sizeof(w->err) - n, "%s", still_browsable);
	return rc;
}

const char *walk_error(const struct walk *w)
{
	return w->err;
}

/* ---- setting up ---------------------------------------------------------------- */

static int load_symbols(struct walk *w)
{
	symbols_init(&w->syms);
	int rc = 0;
	if (w->cfg.symbols)
		rc = w->cfg.symbols_are_elf ? symbols_load_elf(&w->syms, w->cfg.symbols)
					    : symbols_load_system_map(&w->syms, w->cfg.symbols);
	if (rc < 0)
		return walk_fail(w, rc, "%s", symbols_error(&w->syms));
	w->kernel_symbols = w->cfg.symbols != NULL;
	if (w->cfg.user_symbols && (rc = symbols_load_elf(&w->syms, w->cfg.user_symbols)) < 0)
		return walk_fail(w, rc, "%s", symbols_error(&w->syms));
	const struct sym *lo = symbols_by_name(&w->syms, "__entry_text_start");
	const struct sym *hi = symbols_by_name(&w->syms, "__entry_text_end");
	if (lo && hi) {
		w->entry_text_lo = lo->addr;
		w->entry_text_hi = hi->addr;
	}
	const struct sym *top = symbols_by_name(&w->syms, "cpu_current_top_of_stack");
	if (top) {
		w->percpu_top_sym = top->addr;
		w->have_percpu_top = true;
	}
	return 0;
}

static int load_debuginfo(struct walk *w)
{
	if (w->cfg.debuginfo && debuginfo_open(&w->dbg, w->cfg.debuginfo, w->cfg.srcroot) == 0)
		w->have_dwarf = true;
	srcfile_init(&w->src, w->cfg.srcroot, w->cfg.debuginfo);
	/* Without DWARF the built-in layout serves; debuginfo says which was used. */
	debuginfo_pt_regs(&w->dbg, &w->ptregs);
	return 0;
}

/* Collect every annotation error into one message: a teacher fixes them all at once. */
static int annotation_errors(struct walk *w, const struct annot_set *set, const char *what)
{
	size_t used = (size_t)snprintf(w->err, sizeof(w->err), "%s has %zu error%s:", what,
				       set->nerrors, set->nerrors == 1 ? "" : "s");
	for (size_t i = 0; i < set->nerrors && used < sizeof(w->err); i++)
		used += (size_t)snprintf(w->err + used, sizeof(w->err) - used, "\n  %s", set->errors[i]);
	return -EINVAL;
}

static int load_annotations(struct walk *w)
{
	annot_set_init(&w->notes);
	annot_set_init(&w->glossary);
	int rc = annot_load_dir(&w->notes, w->cfg.annotations);
	if (rc < 0)
		return walk_fail(w, rc, "cannot load annotations from %s", w->cfg.annotations);
	if (w->notes.nerrors)
		return annotation_errors(w, &w->notes, w->cfg.annotations);
	if (w->notes.nnotes == 0)
		return walk_fail(w, -ENOENT, "%s holds no notes (no *.md file with an anchor heading)",
			    w->cfg.annotations);
	if (w->cfg.glossary) {
		rc = annot_load_glossary(&w->glossary, w->cfg.glossary);
		if (rc < 0)
			return walk_fail(w, rc, "cannot load the glossary %s", w->cfg.glossary);
		if (w->glossary.nerrors)
			return annotation_errors(w, &w->glossary, w->cfg.glossary);
	}
	return 0;
}

/* The target's command line, plus a word for each demo syscall this kernel cannot take
 * (our init then leaves it out instead of dying of it: see kernels.h). */
static void compose_command_line(struct walk *w)
{
	const struct kernel_target *kt = w->cfg.kt;
	char extra[400] = "", why[256];
	size_t used = 0;
	if (w->cfg.append && w->cfg.append[0])
		used = (size_t)snprintf(extra, sizeof(extra), "%s", w->cfg.append);
	for (int i = 0; i < kt->nsyscalls; i++) {
		const struct demo_syscall *sc = &kt->syscalls[i];
		if (sc->skip_word && !walk_syscall_available(w, sc, why, sizeof(why)) && used < sizeof(extra))
			used += (size_t)snprintf(extra + used, sizeof(extra) - used, "%s%s", used ? " " : "",
						 sc->skip_word);
	}
	kernels_command_line(kt, w->cfg.pti, extra, w->command_line, sizeof(w->command_line));
}

/* The command line, then QEMU (unless attaching). With the cache, a restored machine
 * loads its saved state while the walk opens the disassembler (vmstate.h);
 * vmstate_ready waits. */
static int launch_qemu(struct walk *w)
{
	compose_command_line(w);
	if (w->cfg.attach)
		return 0;
	struct qemu_config qc;
	qemu_config_init(&qc);
	qc.binary = w->cfg.qemu_binary;
	qc.kernel = w->cfg.kernel;
	qc.append = w->command_line[0] ? w->command_line : NULL;
	qc.initrd = w->cfg.initrd;
	qc.memory = w->cfg.kt->memory;
	qc.accel = w->cfg.accel;
	qc.cpu = w->cfg.cpu;
	qc.interrupt_fd = w->interrupt_fd;
	/* The saved state is taken at the demo's first syscall instruction. */
	const char *label = w->cfg.kt->nsyscalls > 0 ? w->cfg.kt->syscalls[0].user_label : NULL;
	int rc = vmstate_launch(&w->vm, &w->qemu, &qc, w->cfg.use_cache, label, w->cfg.restart_ahead);
	if (rc < 0)
		return walk_fail(w, rc, "%s", qemu_error(&w->qemu));
	w->qemu_started = true;
	return 0;
}

static int start_target(struct walk *w)
{
	const char *where = w->cfg.attach;
	if (!where) {
		const struct sym *stop = w->vm.label[0] ? symbols_by_name(&w->syms, w->vm.label) : NULL;
		int rc = vmstate_ready(&w->vm, &w->qemu, stop ? stop->addr : 0);
		if (rc < 0) {
			w->qemu_started = false;
			return walk_fail(w, rc, "%s", qemu_error(&w->qemu));
		}
		where = qemu_gdb_socket(&w->qemu);
	}
	int rc = target_open_with(&w->target, where, w->cfg.timeout_ms, w->interrupt_fd);
	if (rc < 0)
		return walk_fail_target(w, rc, "connecting to the gdbstub");
	w->connected = true;
	if (w->qemu_started && (rc = vmstate_settle(&w->vm, &w->qemu, &w->target, w->cfg.run_timeout_ms)) < 0)
		return rc == -EINTR ? walk_fail(w, rc, "interrupted while booting the kernel")
				    : walk_fail_target(w, rc, "booting to the demo's first syscall");
	return 0;
}

const char *walk_cache_note(const struct walk *w)
{
	return vmstate_note(&w->vm);
}

void walk_cache_ahead(struct walk *w)
{
	if (w->qemu_started)
		vmstate_prepare_restart(&w->vm);
}

int walk_rewind(struct walk *w)
{
	if (!w->qemu_started || vmstate_restart(&w->vm, &w->qemu) < 0)
		return 0;
	/* A new QEMU: new gdbstub, no breakpoints, the CPU at the saved stop. */
	target_close(&w->target);
	w->anchors_set = false;
	w->regs_valid = false;
	int rc = target_open_with(&w->target, qemu_gdb_socket(&w->qemu), w->cfg.timeout_ms, w->interrupt_fd);
	w->connected = rc == 0;
	return rc < 0 ? walk_fail_target(w, rc, "connecting to the restarted QEMU's gdbstub") : 0;
}


int walk_open(struct walk *w, const struct walk_config *cfg)
{
	memset(w, 0, sizeof(*w));
	w->cfg = *cfg;
	/* 0 (a zeroed config) is taken as "none": the self-pipe is never stdin. */
	w->interrupt_fd = cfg->interrupt_fd > 0 ? cfg->interrupt_fd : -1;
	w->dbg.fd = -1;
	trace_init(&w->history);
	snprintf(w->history.target, sizeof(w->history.target), "%s", cfg->kt->name);
	snprintf(w->describe, sizeof(w->describe), "%s", cfg->kt->name);
	if (w->cfg.timeout_ms <= 0)
		w->cfg.timeout_ms = 10000;
	if (w->cfg.run_timeout_ms <= 0)
		w->cfg.run_timeout_ms = 120000;

	/* The command line may depend on the kernel's options (noint80): with its .config
	 * at hand QEMU starts at once and loads a saved state or boots while the symbols,
	 * DWARF and notes are read; only without one does it wait for the symbols. */
	int rc;
	if (w->cfg.kernel_config && (rc = kconfig_load(&w->kconfig, w->cfg.kernel_config)) < 0)
		return walk_fail(w, rc, "%s", w->kconfig.err);
	bool early = w->kconfig.loaded;
	if (early && (rc = launch_qemu(w)) < 0)
		return rc;
	if ((rc = load_symbols(w)) < 0 || (rc = load_debuginfo(w)) < 0 ||
	    (rc = load_annotations(w)) < 0)
		return rc;
	if (!early && (rc = launch_qemu(w)) < 0)
		return rc;
	rc = disasm_open(&w->dis, walk_read_memory, w, symbols_symbolize, &w->syms);
	if (rc < 0)
		return walk_fail(w, rc, "%s", disasm_error(&w->dis));
	return start_target(w);
}

void walk_close(struct walk *w)
{
	target_close(&w->target);     /* also after a failed handshake or QEMU's death */
	w->connected = false;
	if (w->qemu_started)
		qemu_stop(&w->qemu);
	w->qemu_started = false;
	vmstate_close(&w->vm);
	disasm_close(&w->dis);
	for (int i = 0; i < WALK_CODE_CACHE; i++)
		free(w->code[i].insns);
	memset(w->code, 0, sizeof(w->code));
	annot_set_free(&w->notes);
	annot_set_free(&w->glossary);
	if (w->have_dwarf)
		debuginfo_close(&w->dbg);
	w->have_dwarf = false;
	srcfile_free(&w->src);
	symbols_free(&w->syms);
	kconfig_free(&w->kconfig);
	trace_free(&w->history);
}

/* ---- memory -------------------------------------------------------------------- */

uint64_t walk_reg(const struct walk *w, const char *name)
{
	int i = target_reg_index(&w->target, name);
	return i >= 0 && w->regs_valid ? w->regs.value[i] : 0;
}

int walk_read_memory(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct walk *w = ctx;
	int rc = target_read_mem(&w->target, addr, buf, len);
	if (rc != TARGET_ERR_MEMORY || addr < KERNEL_HALF || !w->regs_valid)
		return rc;
	/* Under page-table isolation the user PGD is loaded from SYSCALL until the CR3
	 * switch, and again from the switch back until SYSRET: it maps only the entry
	 * text and the per-CPU entry area. The kernel PGD is the other half of the same
	 * 8 KiB pair (bit 12 clear, Linux's PTI_USER_PGTABLE_MASK), so read through it. */
	uint64_t kernel_pgd = walk_reg(w, "cr3") & 0x000ffffffffff000ULL & ~0x1000ULL;
	w->stats.phys_reads++;
	return target_read_virt_phys(&w->target, kernel_pgd, addr, buf, len);
}

/* ---- expressions over a stop --------------------------------------------------- */

static int env_symbol(void *ctx, const char *name, size_t len, uint64_t *value)
{
	struct walk *w = ctx;
	char buf[256];
	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, name, len);
	buf[len] = '\0';
	const struct sym *s = symbols_by_name(&w->syms, buf);
	if (!s)
		return -1;
	*value = s->addr;
	return 0;
}

/* $trampoline_top: sp0 of this CPU's TSS, read from memory at the stop. The CPU loads
 * RSP from sp0 when an interrupt or int $0x80 arrives from ring 3, and both kernels
 * point it at the top of the small per-CPU stack that stays mapped in the user page
 * table (Linux's entry stack, the teaching kernel's entry_stack_page). Read, not
 * computed from a layout, so a note that names this stack is checked against what
 * the CPU would really use. In the hardware TSS, sp0 follows a 4-byte reserved word. */
static int trampoline_top(struct walk *w, uint64_t *value)
{
	const struct sym *tss = symbols_by_name(&w->syms, "cpu_tss_rw");
	if (!tss || !w->regs_valid)
		return -1;
	return walk_read_memory(w, walk_percpu_address(w, tss->addr) + 4, value, sizeof(*value)) < 0 ? -1 : 0;
}

int walk_env_variable(void *ctx, const char *name, size_t len, uint64_t *value)
{
	struct walk *w = ctx;
	const struct walk_syscall_state *sys = &w->sys;
	char buf[64];
	if (len >= sizeof(buf) || !sys->sc)
		return -1;
	memcpy(buf, name, len);
	buf[len] = '\0';
	const struct sym *user = symbols_by_name(&w->syms, sys->sc->user_label);
	if (strcmp(buf, "nr") == 0)
		*value = sys->sc->rax;
	else if (strcmp(buf, "user_rip") == 0 && user)
		*value = user->addr;
	else if (strcmp(buf, "user_return") == 0 && user)
		*value = user->addr + 2;      /* syscall (0f 05) and int $0x80 (cd 80) are 2 bytes */
	else if (strcmp(buf, "frame") == 0 && sys->frame_known)
		*value = sys->frame_base;
	else if (strcmp(buf, "frame_top") == 0 && sys->frame_known)
		*value = sys->frame_base + w->ptregs.size;
	else if (strcmp(buf, "percpu") == 0 && w->regs_valid)
		*value = walk_percpu_address(w, 0);      /* offset 0: the per-CPU base itself */
	else if (strcmp(buf, "trampoline_top") == 0)
		return trampoline_top(w, value);
	else if (strncmp(buf, "user.", 5) == 0 && sys->have_user_regs) {
		int i = target_reg_index(&w->target, buf + 5);
		if (i < 0)
			return -1;
		*value = sys->user_regs.value[i];
	} else
		return -1;
	return 0;
}

void walk_expr_env(struct walk *w, const struct snapshot *s, struct expr_env *env)
{
	*env = (struct expr_env){ .snap = s, .ctx = w, .symbol = env_symbol, .variable = walk_env_variable };
}

/* ---- the stop source over the walk --------------------------------------------- */

static int src_act(void *ctx, enum walk_action a) { return walk_act(ctx, a); }
static size_t src_count(void *ctx) { return ((struct walk *)ctx)->history.n; }
static size_t src_position(void *ctx) { return ((struct walk *)ctx)->pos; }
static const char *src_error(void *ctx) { return ((struct walk *)ctx)->err; }
static bool src_live(void *ctx)
{
	struct walk *w = ctx;
	return w->connected && (!w->qemu_started || qemu_alive(&w->qemu));
}
static const char *src_describe(void *ctx) { return ((struct walk *)ctx)->describe; }

static const struct snapshot *src_at(void *ctx, size_t i)
{
	struct walk *w = ctx;
	return i < w->history.n ? &w->history.snaps[i] : NULL;
}

static void src_set_interrupt_fd(void *ctx, int fd)
{
	struct walk *w = ctx;
	w->interrupt_fd = fd;
	target_set_interrupt_fd(&w->target, fd);
}

static const struct stop_source_ops walk_source_ops = {
	.act = src_act,
	.count = src_count,
	.position = src_position,
	.at = src_at,
	.error = src_error,
	.live = src_live,
	.describe = src_describe,
	.set_interrupt_fd = src_set_interrupt_fd,
};

struct stop_source walk_source(struct walk *w)
{
	return (struct stop_source){ .ops = &walk_source_ops, .ctx = w };
}
