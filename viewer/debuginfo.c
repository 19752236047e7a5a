/* debuginfo.c: struct layouts and source lines from DWARF with libdw (see debuginfo.h). */
#include "debuginfo.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwelf.h>
#include <libelf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "infile.h"

/* Linux's order (arch/x86/include/asm/ptrace.h): the callee-saved registers the entry
 * code pushes last come first, then the syscall arguments, then the hardware frame. */
static const char *const builtin_pt_regs[] = {
	"r15", "r14", "r13", "r12", "bp", "bx", "r11", "r10", "r9", "r8",
	"ax", "cx", "dx", "si", "di", "orig_ax", "ip", "cs", "flags", "sp", "ss",
};

static int fail(struct debuginfo *d, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct debuginfo *d, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->err, sizeof d->err, fmt, ap);
	va_end(ap);
	return code;
}

int debuginfo_open(struct debuginfo *d, const char *path, const char *srcroot)
{
	memset(d, 0, sizeof *d);
	d->fd = -1;
	snprintf(d->path, sizeof d->path, "%s", path);
	snprintf(d->srcroot, sizeof d->srcroot, "%s", srcroot ? srcroot : "");
	size_t n = strlen(d->srcroot);
	while (n > 1 && d->srcroot[n - 1] == '/')
		d->srcroot[--n] = '\0';
	char why[128];
	d->fd = infile_open(path, NULL, why, sizeof why);
	if (d->fd < 0) {
		int rc = fail(d, d->fd, "%s: %s", path, why);
		d->fd = -1;
		return rc;
	}
	Dwarf *dw = dwarf_begin(d->fd, DWARF_C_READ);
	if (!dw) {
		int rc = fail(d, -ENODATA, "%s: no usable DWARF debug info: %s", path, dwarf_errmsg(-1));
		close(d->fd);
		d->fd = -1;
		return rc;
	}
	d->dwarf = dw;
	return 0;
}

void debuginfo_close(struct debuginfo *d)
{
	if (d->dwarf)
		dwarf_end(d->dwarf);
	d->dwarf = NULL;
	/* A zeroed struct has fd 0, which is not ours: only close what debuginfo_open set. */
	if (d->path[0] && d->fd >= 0)
		close(d->fd);
	d->fd = -1;
	d->path[0] = '\0';
}

/* DW_AT_data_member_location: a constant in DWARF 3+, DW_OP_plus_uconst in older units. */
static int member_offset(Dwarf_Die *member, Dwarf_Word *off)
{
	Dwarf_Attribute attr;
	if (!dwarf_attr_integrate(member, DW_AT_data_member_location, &attr)) {
		*off = 0;       /* union members have none: they all start at 0 */
		return 0;
	}
	if (dwarf_formudata(&attr, off) == 0)
		return 0;
	Dwarf_Op *ops;
	size_t nops;
	if (dwarf_getlocation(&attr, &ops, &nops) == 0 && nops == 1 && ops[0].atom == DW_OP_plus_uconst) {
		*off = ops[0].number;
		return 0;
	}
	return -1;
}

static int member_size(Dwarf_Die *member, Dwarf_Word *size)
{
	Dwarf_Attribute attr;
	Dwarf_Die type;
	if (!dwarf_attr_integrate(member, DW_AT_type, &attr) || !dwarf_formref_die(&attr, &type))
		return -1;
	return dwarf_aggregate_size(&type, size);
}

/* For an anonymous union/struct member, the name of its first named member. */
static const char *inner_name(Dwarf_Die *member)
{
	Dwarf_Attribute attr;
	Dwarf_Die type, child;
	if (!dwarf_attr_integrate(member, DW_AT_type, &attr) || !dwarf_formref_die(&attr, &type)
	    || dwarf_peel_type(&type, &type) != 0 || dwarf_child(&type, &child) != 0)
		return NULL;
	do {
		const char *n = dwarf_diename(&child);
		if (dwarf_tag(&child) == DW_TAG_member && n)
			return n;
	} while (dwarf_siblingof(&child, &child) == 0);
	return NULL;
}

static int read_layout(struct debuginfo *d, Dwarf_Die *st, const char *name,
		       struct debuginfo_layout *out)
{
	Dwarf_Word size;
	if (dwarf_aggregate_size(st, &size) != 0)
		return fail(d, -EINVAL, "%s: struct %s has no size in the DWARF", d->path, name);
	memset(out, 0, sizeof *out);
	snprintf(out->source, sizeof out->source, "dwarf");
	out->size = (uint32_t)size;
	Dwarf_Die m;
	if (dwarf_child(st, &m) != 0)
		return fail(d, -EINVAL, "%s: struct %s has no members in the DWARF", d->path, name);
	do {
		if (dwarf_tag(&m) != DW_TAG_member)
			continue;
		if (out->nfields == DEBUGINFO_MAX_FIELDS)
			return fail(d, -E2BIG, "%s: struct %s has more than %d members", d->path, name,
				    DEBUGINFO_MAX_FIELDS);
		Dwarf_Word off, msize;
		const char *mname = dwarf_diename(&m);
		if (!mname)
			mname = inner_name(&m);
		if (!mname)
			mname = "?";
		if (member_offset(&m, &off) != 0 || member_size(&m, &msize) != 0)
			return fail(d, -EINVAL, "%s: struct %s: member %s has no usable offset or size",
				    d->path, name, mname);
		struct debuginfo_field *f = &out->fields[out->nfields++];
		snprintf(f->name, sizeof f->name, "%s", mname);
		f->offset = (uint32_t)off;
		f->size = (uint32_t)msize;
	} while (dwarf_siblingof(&m, &m) == 0);
	return 0;
}

int debuginfo_struct_layout(struct debuginfo *d, const char *name, struct debuginfo_layout *out)
{
	if (!d->dwarf)
		return fail(d, -EBADF, "no DWARF open");
	Dwarf_Off off = 0, next;
	size_t hsize;
	/* C structs are defined at the top level of a compile unit: no deeper walk needed. */
	while (dwarf_nextcu(d->dwarf, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, die;
		if (dwarf_offdie(d->dwarf, off + hsize, &cu) && dwarf_child(&cu, &die) == 0) {
			do {
				const char *n;
				if (dwarf_tag(&die) == DW_TAG_structure_type
				    && !dwarf_hasattr(&die, DW_AT_declaration)
				    && (n = dwarf_diename(&die)) && !strcmp(n, name))
					return read_layout(d, &die, name, out);
			} while (dwarf_siblingof(&die, &die) == 0);
		}
		off = next;
	}
	return fail(d, -ENOENT, "%s: no compile unit defines struct %s", d->path, name);
}

void debuginfo_builtin_pt_regs(struct debuginfo_layout *out)
{
	memset(out, 0, sizeof *out);
	snprintf(out->source, sizeof out->source, "builtin");
	for (size_t i = 0; i < sizeof builtin_pt_regs / sizeof builtin_pt_regs[0]; i++) {
		struct debuginfo_field *f = &out->fields[out->nfields++];
		snprintf(f->name, sizeof f->name, "%s", builtin_pt_regs[i]);
		f->offset = (uint32_t)(i * 8);
		f->size = 8;
	}
	out->size = (uint32_t)(out->nfields * 8);
}

void debuginfo_pt_regs(struct debuginfo *d, struct debuginfo_layout *out)
{
	if (d && d->dwarf && debuginfo_struct_layout(d, "pt_regs", out) == 0)
		return;
	if (d && !d->dwarf && !d->err[0])
		fail(d, -EBADF, "no DWARF open");
	debuginfo_builtin_pt_regs(out);
}

void debuginfo_fill_frame(const struct debuginfo_layout *layout, struct snap_frame *frame)
{
	frame->size = layout->size;
	snprintf(frame->layout_source, sizeof frame->layout_source, "%s", layout->source);
	frame->nslots = 0;
	for (int i = 0; i < layout->nfields && i < SNAP_MAX_SLOTS; i++) {
		struct snap_slot *s = &frame->slots[frame->nslots++];
		memset(s, 0, sizeof *s);
		snprintf(s->name, sizeof s->name, "%s", layout->fields[i].name);
		s->offset = layout->fields[i].offset;
	}
}

/* PATH relative to ROOT when it lies under it, else PATH. */
static const char *relative_to(const char *path, const char *root)
{
	size_t n = root ? strlen(root) : 0;
	while (n > 1 && root[n - 1] == '/')
		n--;
	if (n && !strncmp(path, root, n) && path[n] == '/')
		return path + n + 1;
	return path;
}

int debuginfo_source_line(struct debuginfo *d, uint64_t addr, char *file, size_t len, int *line)
{
	if (!d->dwarf)
		return fail(d, -EBADF, "no DWARF open");
	Dwarf_Die cu;
	Dwarf_Line *l;
	if (!dwarf_addrdie(d->dwarf, addr, &cu) || !(l = dwarf_getsrc_die(&cu, addr)))
		return fail(d, -ENOENT, "%s: no source line for 0x%" PRIx64, d->path, addr);
	const char *src = dwarf_linesrc(l, NULL, NULL);
	int lineno = 0;
	if (!src || dwarf_lineno(l, &lineno) != 0)
		return fail(d, -ENOENT, "%s: no source line for 0x%" PRIx64, d->path, addr);
	/* libdw may give a DWARF 5 file name relative to the compile directory: make it
	 * absolute first, so that it can be shortened against the source root. */
	Dwarf_Attribute attr;
	const char *comp_dir = dwarf_formstring(dwarf_attr(&cu, DW_AT_comp_dir, &attr));
	char full[1024];
	if (src[0] != '/' && comp_dir && comp_dir[0] == '/') {
		snprintf(full, sizeof full, "%s/%s", comp_dir, src);
		src = full;
	}
	const char *shown = relative_to(src, d->srcroot);
	if (shown == src)
		shown = relative_to(src, comp_dir);
	/* Out-of-tree builds (Debian's kernel) compile in a subdirectory of the source
	 * tree, so the sources sit next to an ancestor of the compile directory: try
	 * those, down to two levels ("/build/linux-6.1.192/arch/x86/..."). */
	char root[1024];
	snprintf(root, sizeof root, "%s", comp_dir ? comp_dir : "");
	for (char *slash; shown == src && (slash = strrchr(root, '/')) && slash != root;) {
		*slash = '\0';
		if (!strchr(root + 1, '/'))
			break;
		shown = relative_to(src, root);
	}
	snprintf(file, len, "%s", shown);
	*line = lineno;
	return 0;
}

const char *debuginfo_error(const struct debuginfo *d)
{
	return d->err;
}

int debuginfo_build_id(const char *path, char *hex, size_t cap)
{
	int fd, n = -ENOENT;
	Elf *elf;
	const void *id = NULL;

	if (cap)
		hex[0] = '\0';
	if (!path || !*path || (fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
		return -ENOENT;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (elf && elf_kind(elf) == ELF_K_ELF)
		n = (int)dwelf_elf_gnu_build_id(elf, &id);
	if (n > 0 && (size_t)n * 2 < cap) {
		for (int i = 0; i < n; i++)
			snprintf(hex + 2 * i, 3, "%02x", ((const unsigned char *)id)[i]);
	} else {
		n = -ENOENT;
	}
	if (elf)
		elf_end(elf);
	close(fd);
	return n > 0 ? 0 : -ENOENT;
}
