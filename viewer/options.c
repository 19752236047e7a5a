/* options.c: command-line parsing. Long options only, each documented once, here and
 * in docs/syswalk.1; a test checks that the two lists agree. */
#include "options.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rsp.h"

static const char usage_text[] =
	"Usage: syswalk [OPTION]...\n"
	"Watch a real x86_64 system call happen, one step at a time.\n"
	"\n"
	"Modes (default: the interactive viewer on the teaching kernel):\n"
	"  --batch                  print the walk as text, stop by stop\n"
	"  --export FILE            write the walk to FILE (.md, .html or .json)\n"
	"  --replay FILE            open the viewer on a trace exported as JSON (no QEMU)\n"
	"  --trace                  print every instruction of one syscall, with changed registers\n"
	"  --check-annotations DIR  load and resolve the notes in DIR, report every error\n"
	"  --list                   list the walks available on each target\n"
	"  --kernel-command-line    print the command line the target's kernel boots with\n"
	"  --help                   show this help and exit\n"
	"  --version                show the version and exit\n"
	"\n"
	"Walk:\n"
	"  --target NAME            teach (default) or linux (see --list)\n"
	"  --syscall NAME|NR|all    which of the demo's syscalls to walk (default: write)\n"
	"  --quiz                   ask a question before each reveal (predict-then-reveal)\n"
	"  --intel                  show Intel syntax first (default AT&T, as entry_64.S)\n"
	"\n"
	"Target:\n"
	"  --kernel FILE            kernel image to boot instead of the target's own; its\n"
	"                           vmlinux, System.map and .config are looked for beside it\n"
	"  --symbols FILE           ELF (vmlinux) or System.map with the kernel's symbols\n"
	"  --kernel-config FILE     the kernel's .config, for notes that need an option\n"
	"  --annotations DIR        notes to show instead of the target's own\n"
	"  --data-dir DIR           where syswalk's kernel and annotations are (env SYSWALK_DATADIR)\n"
	"  --attach ADDR            use a gdbstub already running: unix:PATH or 127.0.0.1:PORT\n"
	"  --qemu BINARY            QEMU to run (default qemu-system-x86_64)\n"
	"  --accel NAME             tcg (default) or kvm\n"
	"  --pti                    Linux target: turn page-table isolation on (pti=on)\n"
	"  --append WORDS           add WORDS to the kernel command line (norandmaps, ...)\n"
	"  --no-cache               boot the kernel; do not start from (or save) a machine state\n"
	"  --timeout SECONDS        how long to wait for each gdbstub answer (default 10)\n"
	"\n"
	"Exit status: 0 success, 1 error, 2 usage error or no terminal.\n";

const char *options_usage(void)
{
	return usage_text;
}

enum {
	OPT_BATCH = 256, OPT_EXPORT, OPT_REPLAY, OPT_TRACE, OPT_CHECK, OPT_LIST, OPT_HELP,
	OPT_VERSION, OPT_TARGET, OPT_SYSCALL, OPT_QUIZ, OPT_INTEL, OPT_KERNEL, OPT_SYMBOLS,
	OPT_ANNOTATIONS, OPT_DATA_DIR, OPT_ATTACH, OPT_QEMU, OPT_ACCEL, OPT_PTI, OPT_TIMEOUT,
	OPT_KERNEL_CONFIG, OPT_COMMAND_LINE, OPT_APPEND, OPT_NO_CACHE,
};

static const struct option long_options[] = {
	{ "batch", no_argument, NULL, OPT_BATCH },
	{ "export", required_argument, NULL, OPT_EXPORT },
	{ "replay", required_argument, NULL, OPT_REPLAY },
	{ "trace", no_argument, NULL, OPT_TRACE },
	{ "check-annotations", required_argument, NULL, OPT_CHECK },
	{ "list", no_argument, NULL, OPT_LIST },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "target", required_argument, NULL, OPT_TARGET },
	{ "syscall", required_argument, NULL, OPT_SYSCALL },
	{ "quiz", no_argument, NULL, OPT_QUIZ },
	{ "intel", no_argument, NULL, OPT_INTEL },
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "symbols", required_argument, NULL, OPT_SYMBOLS },
	{ "annotations", required_argument, NULL, OPT_ANNOTATIONS },
	{ "data-dir", required_argument, NULL, OPT_DATA_DIR },
	{ "attach", required_argument, NULL, OPT_ATTACH },
	{ "qemu", required_argument, NULL, OPT_QEMU },
	{ "accel", required_argument, NULL, OPT_ACCEL },
	{ "pti", no_argument, NULL, OPT_PTI },
	{ "no-cache", no_argument, NULL, OPT_NO_CACHE },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "kernel-config", required_argument, NULL, OPT_KERNEL_CONFIG },
	{ "kernel-command-line", no_argument, NULL, OPT_COMMAND_LINE },
	{ "append", required_argument, NULL, OPT_APPEND },
	{ NULL, 0, NULL, 0 },
};

/* Two modes on one command line are a mistake worth naming, not a silent last-wins. */
static int set_mode(struct options *o, enum syswalk_mode m, const char *flag, char *err, size_t errlen)
{
	if (o->mode != MODE_INTERACTIVE && o->mode != m) {
		snprintf(err, errlen, "%s cannot be combined with another mode option", flag);
		return -1;
	}
	o->mode = m;
	return 0;
}

int options_parse(struct options *o, int argc, char **argv, char *err, size_t errlen)
{
	memset(o, 0, sizeof(*o));
	o->target = kernels_default();
	o->accel = "tcg";
	o->timeout_ms = 10000;
	optind = 1;
	opterr = 0;

	int c;
	while ((c = getopt_long(argc, argv, ":", long_options, NULL)) != -1) {
		int rc = 0;
		switch (c) {
		case OPT_BATCH: rc = set_mode(o, MODE_BATCH, "--batch", err, errlen); break;
		case OPT_EXPORT:
			rc = set_mode(o, MODE_EXPORT, "--export", err, errlen);
			o->export_path = optarg;
			break;
		case OPT_REPLAY:
			rc = set_mode(o, MODE_REPLAY, "--replay", err, errlen);
			o->replay_path = optarg;
			break;
		case OPT_TRACE: rc = set_mode(o, MODE_TRACE, "--trace", err, errlen); break;
		case OPT_CHECK:
			rc = set_mode(o, MODE_CHECK_ANNOTATIONS, "--check-annotations", err, errlen);
			o->check_dir = optarg;
			break;
		case OPT_LIST: rc = set_mode(o, MODE_LIST, "--list", err, errlen); break;
		case OPT_HELP: o->mode = MODE_HELP; return 0;
		case OPT_VERSION: o->mode = MODE_VERSION; return 0;
		case OPT_TARGET:
			if (!(o->target = kernels_find(optarg))) {
				int n;
				const struct kernel_target *all = kernels_all(&n);
				size_t used = (size_t)snprintf(err, errlen, "--target: unknown target '%s' (known:", optarg);
				for (int i = 0; i < n && used < errlen; i++)
					used += (size_t)snprintf(err + used, errlen - used, " %s", all[i].name);
				if (used < errlen)
					snprintf(err + used, errlen - used, ")");
				return -1;
			}
			break;
		case OPT_SYSCALL: o->syscall = optarg; break;
		case OPT_QUIZ: o->quiz = true; break;
		case OPT_INTEL: o->intel = true; break;
		case OPT_KERNEL: o->kernel = optarg; break;
		case OPT_SYMBOLS: o->symbols = optarg; break;
		case OPT_KERNEL_CONFIG: o->kernel_config = optarg; break;
		case OPT_APPEND:
			if (strlen(optarg) > 256 || strpbrk(optarg, "\n\r")) {
				snprintf(err, errlen, "--append: at most 256 characters on one line");
				return -1;
			}
			o->append = optarg;
			break;
		case OPT_COMMAND_LINE:
			rc = set_mode(o, MODE_COMMAND_LINE, "--kernel-command-line", err, errlen);
			break;
		case OPT_ANNOTATIONS: o->annotations = optarg; break;
		case OPT_DATA_DIR: o->data_dir = optarg; break;
		case OPT_ATTACH: {
			struct rsp_address a;
			char why[200];
			/* Its form is the command line's business: a usage error, before anything. */
			if (rsp_parse_address(optarg, &a, why, sizeof(why)) < 0) {
				snprintf(err, errlen, "--attach: %s", why);
				return -1;
			}
			o->attach = optarg;
			break;
		}
		case OPT_QEMU: o->qemu = optarg; break;
		case OPT_ACCEL:
			if (strcmp(optarg, "tcg") != 0 && strcmp(optarg, "kvm") != 0) {
				snprintf(err, errlen, "--accel: unknown accelerator '%s' (tcg or kvm)", optarg);
				return -1;
			}
			o->accel = optarg;
			break;
		case OPT_PTI: o->pti = true; break;
		case OPT_NO_CACHE: o->no_cache = true; break;
		case OPT_TIMEOUT: {
			char *end;
			double s = strtod(optarg, &end);
			if (end == optarg || *end != '\0' || s <= 0 || s > 3600) {
				snprintf(err, errlen, "--timeout: '%s' is not a number of seconds (0 < s <= 3600)",
					 optarg);
				return -1;
			}
			o->timeout_ms = (int)(s * 1000);
			break;
		}
		case ':':
			snprintf(err, errlen, "%s needs an argument", argv[optind - 1]);
			return -1;
		default:
			snprintf(err, errlen, "unknown option '%s' (see --help)", argv[optind - 1]);
			return -1;
		}
		if (rc < 0)
			return -1;
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s' (see --help)", argv[optind]);
		return -1;
	}
	if (o->replay_path && o->target != kernels_default()) {
		snprintf(err, errlen, "--replay shows a saved trace: --target does not apply");
		return -1;
	}
	return 0;
}
