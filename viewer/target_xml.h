/* target_xml.h: the register map, read from the stub's target description.
 *
 * GDB stubs describe their registers in XML (qXfer:features:read:target.xml, which
 * may xi:include other files). The order and sizes of the registers fix the layout
 * of the 'g' packet, so syswalk never hard-codes them: QEMU 7.2 serves 66 x86_64
 * core registers, but another QEMU or CPU model may serve a different set.
 *
 * The parser is deliberately tiny and pure (no XML library): it understands
 * comments, <?...?> and <!...> declarations, and picks out <reg .../> and
 * <xi:include href=".."/> tags, ignoring everything else.
 */
#ifndef SYSWALK_TARGET_XML_H
#define SYSWALK_TARGET_XML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "errcode.h"

#define TARGET_MAX_REGS   160
#define TARGET_NAME_LEN   24
#define TARGET_MAX_BITS   1024   /* widest register accepted (zmm would be 512) */

/* Errors are errcode.h's TARGET_XML_ERR_*: SYNTAX; REG, a <reg> with a missing or bad
 * attribute; FULL, more than TARGET_MAX_REGS registers; INCLUDE, the include callback
 * failed (its own message is wherever the callback put it). */

struct target_reg {
	char name[TARGET_NAME_LEN];
	char type[TARGET_NAME_LEN];   /* "int64", "code_ptr", "i387_ext", ... ("" if absent) */
	char group[TARGET_NAME_LEN];  /* "float", "vector", ... ("" if absent) */
	int regnum;                   /* number used by 'p'/'P' and stop replies */
	int bits;
	size_t offset;                /* byte offset in the 'g' packet */
};

struct target_regmap {
	int count;
	struct target_reg regs[TARGET_MAX_REGS];  /* sorted by regnum once finished */
	size_t g_size;                            /* bytes in a full 'g' packet */
	int next_regnum;                          /* for <reg> tags without regnum= */
	char arch[32];                            /* <architecture> text, e.g. "i386:x86-64" */
};

/* Called for each <xi:include href="HREF"/> at its place in the document; it should
 * fetch HREF and feed it to target_xml_parse with the same MAP. Returns 0 or < 0. */
typedef int (*target_xml_include_fn)(void *arg, const char *href, struct target_regmap *map);

/* Start an empty map. */
void target_regmap_init(struct target_regmap *map);

/* Add the registers of one XML document to MAP (INCLUDE may be NULL: includes are
 * then ignored). Returns 0 or a negative TARGET_XML_ERR_* with a message in ERR. */
int target_xml_parse(const char *xml, size_t len, struct target_regmap *map,
		     target_xml_include_fn include, void *arg, char *err, size_t errlen);

/* Sort by regnum and compute each register's offset in 'g'; 0 or < 0 with ERR
 * (duplicate regnums, an empty map). */
int target_regmap_finish(struct target_regmap *map, char *err, size_t errlen);

/* Index in map->regs of the register called NAME, or -1. */
int target_regmap_find(const struct target_regmap *map, const char *name);

/* Index in map->regs of the register numbered REGNUM, or -1. */
int target_regmap_by_regnum(const struct target_regmap *map, int regnum);

#endif
