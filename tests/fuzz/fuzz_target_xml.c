/* fuzz_target_xml: random target descriptions, including ones that include
 * themselves, into the register-map parser; the finished map must be consistent.
 *
 * Every xi:include parses the whole input again, so a document with K includes
 * nested three deep cost K + K^2 + K^3 parses: a mutant with 16 includes took half a
 * second, and the corpus filled up with such inputs (340 executions a second). The
 * parser is linear; the blow-up was the harness's. So besides the depth, the harness
 * caps the includes it follows per input (MAX_INCLUDES): nesting three deep and
 * several includes side by side are still reached, at a bounded cost. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "target_xml.h"

#define MAX_DEPTH    3
#define MAX_INCLUDES 8

struct doc {
	const char *xml;
	size_t len;
	int depth;
	int includes;     /* followed so far for this input */
};

static int include_self(void *arg, const char *href, struct target_regmap *map)
{
	struct doc *d = arg;
	char err[128];

	if (strlen(href) == 0 || d->depth >= MAX_DEPTH || d->includes >= MAX_INCLUDES)
		return 0;
	d->includes++;
	d->depth++;
	int rc = target_xml_parse(d->xml, d->len, map, include_self, d, err, sizeof(err));
	d->depth--;
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct target_regmap *map = malloc(sizeof(*map));
	struct doc d = { (const char *)data, size, 0, 0 };
	char err[200];

	target_regmap_init(map);
	int rc = target_xml_parse(d.xml, size, map, include_self, &d, err, sizeof(err));
	if (rc < 0 && err[0] == '\0')
		abort();
	if (map->count < 0 || map->count > TARGET_MAX_REGS)
		abort();
	if (target_regmap_finish(map, err, sizeof(err)) == 0) {
		size_t off = 0;
		for (int i = 0; i < map->count; i++) {
			const struct target_reg *r = &map->regs[i];
			if (r->offset != off || r->bits <= 0 || r->bits > TARGET_MAX_BITS || r->bits % 8 ||
			    strlen(r->name) == 0 || strlen(r->name) >= TARGET_NAME_LEN)
				abort();
			if (i > 0 && r->regnum <= map->regs[i - 1].regnum)
				abort();
			off += (size_t)r->bits / 8;
		}
		if (off != map->g_size)
			abort();
	}
	free(map);
	return 0;
}
