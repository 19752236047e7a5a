/* test_kernel_files.c: finding a kernel image's companions (kernel_files.c), reading
 * a .config (kconfig.c), and System.map as make and nm write it (symbols.c). Layouts are
 * built in a temporary folder: a make O= build tree, Debian's versioned names beside
 * the image, an image alone, an ELF image. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kconfig.h"
#include "kernel_files.h"
#include "symbols.h"

static char dir[] = "/tmp/test_kernel_files.XXXXXX";

static void put(const char *rel, const char *text)
{
	char path[512], sub[600];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	snprintf(sub, sizeof(sub), "mkdir -p \"$(dirname '%s')\"", path);
	assert_int_equal(system(sub), 0);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static const char *at(const char *rel)
{
	static char path[4][512];
	static int k;
	k = (k + 1) % 4;
	snprintf(path[k], sizeof(path[k]), "%s/%s", dir, rel);
	return path[k];
}

static const char *base(const char *p)
{
	return strrchr(p, '/') ? strrchr(p, '/') + 1 : p;
}

/* A file that starts like an ELF (enough for kernel_files_is_elf). */
static const char elf_head[] = "\177ELF not really";

static void test_build_tree(void **state)
{
	(void)state;
	put("tree/arch/x86/boot/bzImage", "compressed kernel");
	put("tree/vmlinux", elf_head);
	put("tree/System.map", "ffffffff81000000 T _text\n");
	put("tree/.config", "CONFIG_SMP=y\n");
	assert_int_equal(symlink("/usr/src", at("tree/source")), 0);
	struct kernel_files kf;
	char err[256];
	assert_int_equal(kernel_files_find(&kf, at("tree/arch/x86/boot/bzImage"), NULL, NULL, err, sizeof(err)), 0);
	assert_string_equal(kf.symbols, at("tree/vmlinux"));
	assert_true(kf.symbols_are_elf);
	assert_string_equal(kf.symbols_from, "from the build tree");
	assert_string_equal(kf.config, at("tree/.config"));
	assert_string_equal(kf.srcroot, "/usr/src");
	assert_string_equal(kf.debuginfo, "");       /* not a real ELF: no DWARF found */

	/* The build tree's System.map when there is no vmlinux. */
	unlink(at("tree/vmlinux"));
	assert_int_equal(kernel_files_find(&kf, at("tree/arch/x86/boot/bzImage"), NULL, NULL, err, sizeof(err)), 0);
	assert_string_equal(kf.symbols, at("tree/System.map"));
	assert_false(kf.symbols_are_elf);

	/* What the user gives wins, and must be a readable regular file. */
	assert_int_equal(kernel_files_find(&kf, at("tree/arch/x86/boot/bzImage"), at("tree/.config"),
					   at("tree/System.map"), err, sizeof(err)), 0);
	assert_string_equal(kf.symbols_from, "--symbols");
	assert_int_equal(kernel_files_find(&kf, at("tree/arch/x86/boot/bzImage"), at("tree"), NULL,
					   err, sizeof(err)), -1);
	assert_non_null(strstr(err, "a directory, not a regular file"));
	assert_int_equal(kernel_files_find(&kf, at("tree/nosuch"), NULL, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "kernel image"));
	assert_non_null(strstr(err, "No such file"));
}

static void test_debian_names(void **state)
{
	(void)state;
	put("boot/vmlinuz-6.1.0-57-cloud-amd64", "compressed kernel");
	put("boot/System.map-6.1.0-57-cloud-amd64",
	    "The real System.map is in the linux-image-<version>-dbg package\n");
	put("boot/config-6.1.0-57-cloud-amd64", "CONFIG_X=y\n");
	assert_int_equal(symlink("vmlinuz-6.1.0-57-cloud-amd64", at("boot/vmlinuz")), 0);
	struct kernel_files kf;
	char err[256], line[512];
	/* Through the link: the release names the companions; the placeholder map is no map. */
	assert_int_equal(kernel_files_find(&kf, at("boot/vmlinuz"), NULL, NULL, err, sizeof(err)), 0);
	assert_string_equal(kf.symbols, "");
	assert_string_equal(base(kf.config), "config-6.1.0-57-cloud-amd64");
	kernel_files_describe(&kf, line, sizeof(line));
	assert_string_equal(line, "kernel vmlinuz; no symbols (the path is found from the CPU); DWARF none "
			    "(built-in pt_regs layout); config config-6.1.0-57-cloud-amd64");

	put("boot/vmlinux-6.1.0-57-cloud-amd64", elf_head);
	assert_int_equal(kernel_files_find(&kf, at("boot/vmlinuz"), NULL, NULL, err, sizeof(err)), 0);
	assert_string_equal(base(kf.symbols), "vmlinux-6.1.0-57-cloud-amd64");
	assert_string_equal(kf.symbols_from, "beside the image");

	/* An image alone finds nothing, and never another kernel's files. */
	put("alone/bzImage", "compressed kernel");
	assert_int_equal(kernel_files_find(&kf, at("alone/bzImage"), NULL, NULL, err, sizeof(err)), 0);
	assert_string_equal(kf.symbols, "");
	assert_string_equal(kf.config, "");
}

static void test_elf_image(void **state)
{
	(void)state;
	const char *kernel = SYSWALK_SRCDIR "/build/kernel/syswalk-kernel.elf";
	if (access(kernel, R_OK) != 0) {
		print_message("# SKIP no %s (make kernel)\n", kernel);
		return;
	}
	struct kernel_files kf;
	char err[256];
	assert_int_equal(kernel_files_find(&kf, kernel, NULL, NULL, err, sizeof(err)), 0);
	assert_string_equal(kf.symbols, kernel);
	assert_string_equal(kf.debuginfo, kernel);       /* built with -g */
	assert_string_equal(kf.symbols_from, "the image itself");
	assert_true(kernel_files_has_dwarf(kernel));
}

static void test_kconfig(void **state)
{
	(void)state;
	struct kconfig kc;
	kconfig_init(&kc);
	assert_int_equal(kconfig_state(&kc, "CONFIG_SMP"), KCONFIG_UNKNOWN);
	const char good[] = "#\n# Automatically generated file; DO NOT EDIT.\n#\nCONFIG_SMP=y\n"
			    "CONFIG_HZ=250\r\n# CONFIG_PAGE_TABLE_ISOLATION is not set\nCONFIG_M=m\n"
			    "CONFIG_OFF=n\n\nCONFIG_LOCALVERSION=\"\"";
	assert_int_equal(kconfig_load_buffer(&kc, "good", good, sizeof(good) - 1), 0);
	assert_int_equal(kconfig_state(&kc, "CONFIG_SMP"), KCONFIG_YES);
	assert_int_equal(kconfig_state(&kc, "CONFIG_HZ"), KCONFIG_YES);
	assert_int_equal(kconfig_state(&kc, "CONFIG_M"), KCONFIG_YES);
	assert_int_equal(kconfig_state(&kc, "CONFIG_LOCALVERSION"), KCONFIG_YES);
	assert_int_equal(kconfig_state(&kc, "CONFIG_PAGE_TABLE_ISOLATION"), KCONFIG_NO);
	assert_int_equal(kconfig_state(&kc, "CONFIG_OFF"), KCONFIG_NO);
	assert_int_equal(kconfig_state(&kc, "CONFIG_ABSENT"), KCONFIG_NO);

	const char bad[] = "CONFIG_SMP=y\nthis is not a config\n";
	assert_int_equal(kconfig_load_buffer(&kc, "bad", bad, sizeof(bad) - 1), -EINVAL);
	assert_string_equal(kc.err, "bad:2: expected CONFIG_NAME=VALUE or a # comment: \"this is not a config\"");
	assert_int_equal(kconfig_state(&kc, "CONFIG_SMP"), KCONFIG_UNKNOWN);   /* nothing kept */
	const char nul[] = "CONFIG_A=y\nCONFIG_B\0=y\n";
	assert_int_equal(kconfig_load_buffer(&kc, "nul", nul, sizeof(nul) - 1), -EINVAL);
	assert_non_null(strstr(kc.err, "nul:2: a NUL byte"));
	assert_int_equal(kconfig_load(&kc, "/nonexistent/.config"), -ENOENT);
	kconfig_free(&kc);
}

/* System.map exactly as the kernel's make and nm -n write it. */
static void test_system_map_as_written(void **state)
{
	(void)state;
	put("map", "                 U undefined_sym\n"
		   "                 w weak_undef\n"
		   "0000000000000000 D __per_cpu_start\n"
		   "ffffffff81000000 T _text\n"
		   "ffffffff81000010 t local_fn\n"
		   "ffffffff81000020 W weak_fn\n"
		   "ffffffff81936000 ? __init_end\n"
		   "ffffffff81936010 r rodata_thing\n"
		   "ffffffff81936020 N debug_thing\n");
	struct symbols s;
	symbols_init(&s);
	assert_int_equal(symbols_load_system_map(&s, at("map")), 6);
	assert_non_null(symbols_by_name(&s, "__init_end"));
	assert_non_null(symbols_by_name(&s, "weak_fn"));
	assert_null(symbols_by_name(&s, "undefined_sym"));
	assert_null(symbols_by_name(&s, "debug_thing"));
	symbols_free(&s);

	put("badmap", "ffffffff81000000 T _text\nffffffff81000010 % nope\n");
	symbols_init(&s);
	assert_true(symbols_load_system_map(&s, at("badmap")) < 0);
	assert_non_null(strstr(symbols_error(&s), "badmap:2: expected a symbol type letter"));
	symbols_free(&s);
}

static int cleanup(void **state)
{
	(void)state;
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_tree),
		cmocka_unit_test(test_debian_names),
		cmocka_unit_test(test_elf_image),
		cmocka_unit_test(test_kconfig),
		cmocka_unit_test(test_system_map_as_written),
	};
	return cmocka_run_group_tests(tests, NULL, cleanup);
}
