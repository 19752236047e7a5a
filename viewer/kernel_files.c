/* kernel_files.c: finding a kernel image's symbols, DWARF and .config (kernel_files.h). */
#include "kernel_files.h"
#include "infile.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Debian's -dbg packages put the unstripped kernel here (and the image packages a
 * placeholder System.map in /boot that points at it). */
#define DEBUG_BOOT_DIR "/usr/lib/debug/boot"

static bool readable_file(const char *path)
{
	struct stat st;
	return path[0] && stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, R_OK) == 0;
}

bool kernel_files_is_elf(const char *path)
{
	unsigned char magic[4];
	char why[160];
	int fd = infile_open(path, NULL, why, sizeof(why));
	if (fd < 0)
		return false;
	bool elf = read(fd, magic, 4) == 4 && memcmp(magic, "\177ELF", 4) == 0;
	close(fd);
	return elf;
}

bool kernel_files_has_dwarf(const char *path)
{
	if (elf_version(EV_CURRENT) == EV_NONE)
		return false;
	char why[160];
	int fd = infile_open(path, NULL, why, sizeof(why));
	if (fd < 0)
		return false;
	bool found = false;
	Elf *e = elf_begin(fd, ELF_C_READ, NULL);
	size_t shstrndx;
	if (e && elf_kind(e) == ELF_K_ELF && elf_getshdrstrndx(e, &shstrndx) == 0) {
		for (Elf_Scn *scn = NULL; !found && (scn = elf_nextscn(e, scn));) {
			GElf_Shdr sh;
			const char *name = gelf_getshdr(scn, &sh) ? elf_strptr(e, shstrndx, sh.sh_name) : NULL;
			found = name && (strcmp(name, ".debug_info") == 0 || strcmp(name, ".zdebug_info") == 0);
		}
	}
	if (e)
		elf_end(e);
	close(fd);
	return found;
}

/* Debian's image packages ship a System.map that only says where the real one is. */
static bool is_placeholder_map(const char *path)
{
	char head[128] = "";
	FILE *f = fopen(path, "re");
	if (!f)
		return true;
	size_t n = fread(head, 1, sizeof(head) - 1, f);
	fclose(f);
	head[n] = '\0';
	return strstr(head, "The real System.map is in") != NULL;
}

/* The places where IMAGE's companion called NAME ("vmlinux", "System.map", ".config")
 * may be, most specific first, written into CAND; returns how many. DIR is IMAGE's
 * directory, REL the release after "vmlinuz-" (or ""), ROOT the build tree when IMAGE
 * is DIR/arch/x86/boot/bzImage (or ""). */
static int candidates(const char *name, const char *dir, const char *rel, const char *root,
		      char cand[][KERNEL_FILES_LEN])
{
	int n = 0;
	const char *versioned = strcmp(name, ".config") == 0 ? "config" : name;
	if (root[0])
		snprintf(cand[n++], KERNEL_FILES_LEN, "%s/%s", root, name);
	if (rel[0]) {
		snprintf(cand[n++], KERNEL_FILES_LEN, "%s/%s-%s", dir, versioned, rel);
		if (strcmp(name, ".config") != 0)
			snprintf(cand[n++], KERNEL_FILES_LEN, "%s/%s-%s", DEBUG_BOOT_DIR, versioned, rel);
		else
			snprintf(cand[n++], KERNEL_FILES_LEN, "/boot/config-%s", rel);
	}
	snprintf(cand[n++], KERNEL_FILES_LEN, "%s/%s", dir, name);
	return n;
}

/* The first usable companion NAME of the image, into OUT ("" when none); WHERE says
 * which rule found it. */
static void find_companion(const char *name, const char *dir, const char *rel, const char *root,
			   char *out, const char **where)
{
	char cand[4][KERNEL_FILES_LEN];
	int n = candidates(name, dir, rel, root, cand);
	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (!readable_file(cand[i]))
			continue;
		if (strcmp(name, "vmlinux") == 0 && !kernel_files_is_elf(cand[i]))
			continue;
		if (strcmp(name, "System.map") == 0 && is_placeholder_map(cand[i]))
			continue;
		memcpy(out, cand[i], KERNEL_FILES_LEN);
		*where = strncmp(cand[i], DEBUG_BOOT_DIR "/", strlen(DEBUG_BOOT_DIR) + 1) == 0
			 ? "from " DEBUG_BOOT_DIR : root[0] && i == 0 ? "from the build tree" : "beside the image";
		return;
	}
}

/* A file the user named: readable, and a regular file (a FIFO would block us). */
static int need_file(const char *path, const char *what, char *err, size_t errlen)
{
	char why[160];
	int fd = infile_open(path, NULL, why, sizeof(why));
	if (fd < 0) {
		snprintf(err, errlen, "%s %s: %s", what, path, why);
		return -1;
	}
	close(fd);
	return 0;
}

/* PATH (an ELF or a System.map, chosen as FROM says) as the symbol file, and as the
 * DWARF file too when it is an ELF that has DWARF. */
static void take_symbols(struct kernel_files *kf, const char *path, const char *from)
{
	snprintf(kf->symbols, sizeof(kf->symbols), "%s", path);
	snprintf(kf->symbols_from, sizeof(kf->symbols_from), "%s", from);
	kf->symbols_are_elf = kernel_files_is_elf(path);
	if (kf->symbols_are_elf && kernel_files_has_dwarf(path))
		snprintf(kf->debuginfo, sizeof(kf->debuginfo), "%s", path);
}

int kernel_files_given(struct kernel_files *kf, const char *image, const char *symbols,
		       char *err, size_t errlen)
{
	memset(kf, 0, sizeof(*kf));
	snprintf(kf->image, sizeof(kf->image), "%s", image);
	if (symbols && need_file(symbols, "symbol file", err, errlen) < 0)
		return -1;
	if (symbols)
		take_symbols(kf, symbols, "--symbols");
	return 0;
}

int kernel_files_find(struct kernel_files *kf, const char *image, const char *symbols,
		      const char *config, char *err, size_t errlen)
{
	memset(kf, 0, sizeof(*kf));
	snprintf(kf->image, sizeof(kf->image), "%s", image);
	if (need_file(image, "kernel image", err, errlen) < 0)
		return -1;
	if (symbols && need_file(symbols, "symbol file", err, errlen) < 0)
		return -1;
	if (config && need_file(config, "kernel config", err, errlen) < 0)
		return -1;

	/* Symlinks (cache/linux/vmlinuz -> vmlinuz-REL, /boot/vmlinuz) name the release. */
	char real[PATH_MAX], dir[PATH_MAX], rel[256] = "", root[PATH_MAX] = "";
	if (!realpath(image, real))
		snprintf(real, sizeof(real), "%s", image);
	const char *base = strrchr(real, '/') ? strrchr(real, '/') + 1 : real;
	if (base == real)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", base - 1 == real ? 1 : (int)(base - 1 - real), real);
	if (strncmp(base, "vmlinuz-", 8) == 0)
		snprintf(rel, sizeof(rel), "%s", base + 8);
	static const char tree_tail[] = "/arch/x86/boot/bzImage";
	size_t rl = strlen(real), tl = sizeof(tree_tail) - 1;
	if (rl > tl && strcmp(real + rl - tl, tree_tail) == 0)
		snprintf(root, sizeof(root), "%.*s", (int)(rl - tl), real);

	const char *where = "";
	bool image_is_elf = kernel_files_is_elf(image);
	char vmlinux[KERNEL_FILES_LEN] = "", map[KERNEL_FILES_LEN] = "";
	const char *vmlinux_where = "";
	if (!image_is_elf)
		find_companion("vmlinux", dir, rel, root, vmlinux, &vmlinux_where);

	if (symbols)
		take_symbols(kf, symbols, "--symbols");
	else if (image_is_elf)
		take_symbols(kf, image, "the image itself");
	else if (vmlinux[0])
		take_symbols(kf, vmlinux, vmlinux_where);
	else if (find_companion("System.map", dir, rel, root, map, &where), map[0])
		take_symbols(kf, map, where);

	/* DWARF: from the symbol file when it has it (take_symbols), else from the image
	 * (an ELF given with a System.map) or the image's own vmlinux. */
	if (!kf->debuginfo[0] && image_is_elf && kernel_files_has_dwarf(image))
		snprintf(kf->debuginfo, sizeof(kf->debuginfo), "%s", image);
	else if (!kf->debuginfo[0] && vmlinux[0] && kernel_files_has_dwarf(vmlinux))
		snprintf(kf->debuginfo, sizeof(kf->debuginfo), "%s", vmlinux);

	/* make O=DIR links DIR/source to the tree the build came from: DWARF names files
	 * there, and they read best from it ("arch/x86/entry/entry_64.S"). In-tree, the
	 * build tree is the source tree. */
	char source[PATH_MAX + 8];
	snprintf(source, sizeof(source), "%s/source", root);
	if (root[0] && !realpath(source, kf->srcroot) && access(source, F_OK) != 0)
		snprintf(kf->srcroot, sizeof(kf->srcroot), "%s", root);
	if (config)
		snprintf(kf->config, sizeof(kf->config), "%s", config);
	else
		find_companion(".config", dir, rel, root, kf->config, &where);
	return 0;
}

static const char *file_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

const char *kernel_files_describe(const struct kernel_files *kf, char *buf, size_t len)
{
	size_t used = (size_t)snprintf(buf, len, "kernel %s; ", file_name(kf->image));
	if (used < len && kf->symbols[0])
		used += (size_t)snprintf(buf + used, len - used, "symbols %s (%s, %s); ", file_name(kf->symbols),
					 kf->symbols_are_elf ? "ELF" : "System.map", kf->symbols_from);
	else if (used < len)
		used += (size_t)snprintf(buf + used, len - used, "no symbols (the path is found from the CPU); ");
	if (used < len)
		used += (size_t)snprintf(buf + used, len - used, "DWARF %s; ",
					 kf->debuginfo[0] ? file_name(kf->debuginfo) : "none (built-in pt_regs layout)");
	if (used < len)
		snprintf(buf + used, len - used, "config %s", kf->config[0] ? file_name(kf->config) : "none");
	return buf;
}
