/* fuzz_annot.c: arbitrary bytes as an annotation file, then every note's prose through
 * the terminal renderer. Both must end with notes or file:line errors, never a crash,
 * a leak or an escape byte in a rendered span. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "annot.h"
#include "mdrender.h"

/* Return the number of instructions asked for, so mnemonic anchors resolve too. */
static int fake_lookup(void *ctx, const char *name, uint64_t *addr, uint64_t *size)
{
	(void)ctx;
	*addr = 0xffffffff81000000ull + (uint64_t)(unsigned char)name[0] * 0x100;
	*size = name[1] ? 0x100 : 0;
	return name[0] == 'x' ? -1 : 0;
}

static int fake_find(void *ctx, uint64_t func, uint64_t size, const char *mnemonic,
                     const char *operands, uint64_t target, int n, uint64_t *addr)
{
	(void)ctx;
	(void)size;
	(void)operands;
	if ((mnemonic && mnemonic[0] == 'z') || target % 7 == 3)
		return -1;
	*addr = func + (uint64_t)n;
	return n % 3 ? n : n - 1;
}

static int fake_requirement(void *ctx, const char *item, char *why, size_t len)
{
	(void)ctx;
	snprintf(why, len, "%s", item);
	return (int)(strlen(item) % 3) - 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct annot_set set;
	struct annot_resolver r = { .lookup_symbol = fake_lookup, .find_insn = fake_find,
				    .requirement = fake_requirement };
	int width = size ? 1 + data[0] % 100 : 40;

	annot_set_init(&set);
	set.glossary = size > 1 && data[1] == 'G';
	if (annot_load_buffer(&set, "fuzz.md", (const char *)data, size) >= 0 && !set.glossary)
		annot_resolve(&set, &r);
	for (size_t i = 0; i < set.nnotes; i++) {
		struct annot_note *n = &set.notes[i];
		struct md_doc doc;
		if (!n->markdown)
			continue;
		if (mdrender(&doc, n->markdown, strlen(n->markdown), width) == 0)
			for (size_t l = 0; l < doc.nlines; l++)
				for (size_t s = 0; s < doc.lines[l].nspans; s++)
					for (const char *p = doc.lines[l].spans[s].text; *p; p++)
						if ((unsigned char)*p < 0x20 || *p == 0x7f)
							abort();
		md_doc_free(&doc);
	}
	annot_find_by_addr(&set, 0xffffffff81000001ull);
	annot_glossary_find(&set, "pushq", "%rax, %cr3");
	annot_set_free(&set);
	return 0;
}
