/* fuzz_stop_reply: random answers into the stop-reply parser and the 'g' decoder
 * (against a small fixed register map with a wide and a narrow register). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "rsp.h"
#include "target_parse.h"
#include "target_xml.h"

static const char xml[] =
	"<target><reg name=\"rax\" bitsize=\"64\"/><reg name=\"eflags\" bitsize=\"32\"/>"
	"<reg name=\"st0\" bitsize=\"80\"/><reg name=\"xmm0\" bitsize=\"128\"/></target>";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct target_regmap map;
	static struct target_regs regs;
	static int ready;
	struct target_stop st;
	char err[200];
	const char *p = (const char *)data;

	if (!ready) {
		target_regmap_init(&map);
		if (target_xml_parse(xml, sizeof(xml) - 1, &map, NULL, NULL, err, sizeof(err)) < 0 ||
		    target_regmap_finish(&map, err, sizeof(err)) < 0)
			abort();
		ready = 1;
	}
	err[0] = '\0';
	int rc = target_stop_parse(p, size, &st, err, sizeof(err));
	if (rc < 0 && err[0] == '\0')
		abort();
	if (rc == 0 && !rsp_is_stop_reply(p, size))
		abort();   /* whatever parses as a stop must also be queued as one */
	err[0] = '\0';
	rc = target_regs_decode(&map, p, size, &regs, err, sizeof(err));
	if (rc < 0 && err[0] == '\0')
		abort();
	if (rc == 0 && regs.raw_len > map.g_size)
		abort();
	(void)rsp_is_console(p, size);
	return 0;
}
