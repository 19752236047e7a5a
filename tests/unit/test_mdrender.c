/* test_mdrender.c: Markdown laid out as styled terminal lines: spans, lists, quotes,
 * code blocks, wrapping at a width, and hostile text that must not reach a terminal raw. */
#include <errno.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mdrender.h"

/* Render MD at WIDTH and return the plain text (caller frees); DOC is kept for spans. */
static char *render(struct md_doc *doc, const char *md, int width)
{
	assert_int_equal(mdrender(doc, md, strlen(md), width), 0);
	char *text = md_doc_text(doc);
	assert_non_null(text);
	return text;
}

static void expect_text(const char *md, int width, const char *expected)
{
	struct md_doc doc;
	char *text = render(&doc, md, width);
	assert_string_equal(text, expected);
	free(text);
	md_doc_free(&doc);
}

static void test_inline_styles(void **state)
{
	(void)state;
	struct md_doc doc;
	char *text = render(&doc, "Saves `rip` in *RCX* and **R11**.", 80);
	assert_string_equal(text, "Saves rip in RCX and R11.\n");
	assert_int_equal(doc.nlines, 1);
	const struct md_line *l = &doc.lines[0];
	assert_int_equal(l->nspans, 7);
	assert_string_equal(l->spans[0].text, "Saves ");
	assert_int_equal(l->spans[0].style, MD_PLAIN);
	assert_string_equal(l->spans[1].text, "rip");
	assert_int_equal(l->spans[1].style, MD_CODE);
	assert_string_equal(l->spans[3].text, "RCX");
	assert_int_equal(l->spans[3].style, MD_EMPH);
	assert_string_equal(l->spans[5].text, "R11");
	assert_int_equal(l->spans[5].style, MD_STRONG);
	assert_int_equal(l->width, 25);
	free(text);
	md_doc_free(&doc);

	/* Styles combine: strong code, and a link shows where it points. */
	text = render(&doc, "**`swapgs`** see [SDM](https://intel.com)", 80);
	assert_string_equal(text, "swapgs see SDM <https://intel.com>\n");
	assert_int_equal(doc.lines[0].spans[0].style, MD_STRONG | MD_CODE);
	assert_string_equal(doc.lines[0].spans[2].text, "SDM");
	assert_int_equal(doc.lines[0].spans[2].style, MD_LINK);
	assert_string_equal(doc.lines[0].spans[3].text, " ");
	assert_string_equal(doc.lines[0].spans[4].text, "<https://intel.com>");
	assert_int_equal(doc.lines[0].spans[4].style, MD_URL);
	free(text);
	md_doc_free(&doc);
}

static void test_blocks(void **state)
{
	(void)state;
	expect_text("# Title\n\nOne.\n\nTwo.", 80, "Title\n\nOne.\n\nTwo.\n");
	expect_text("- a\n- b\n  - c\n- d", 80,
	            "\u2022 a\n\u2022 b\n  \u25e6 c\n\u2022 d\n");
	expect_text("3. three\n4. four", 80, "3. three\n4. four\n");
	expect_text("- loose\n\n- list", 80, "\u2022 loose\n\n\u2022 list\n");
	expect_text("> quoted\n> text", 80, "\u2502 quoted text\n");
	expect_text("```\nmov %rsp, %gs:0x6014\n\tpushq $0x2b\n```", 80,
	            "mov %rsp, %gs:0x6014\n        pushq $0x2b\n");
	expect_text("a\n\n---\n\nb", 5, "a\n\n\u2500\u2500\u2500\u2500\u2500\n\nb\n");
	expect_text("line one  \nline two", 80, "line one\nline two\n");

	struct md_doc doc;
	char *text = render(&doc, "# Head\n\n- item", 80);
	assert_int_equal(doc.lines[0].spans[0].style, MD_HEADING);
	assert_int_equal(doc.lines[2].spans[0].style, MD_MARKER);
	assert_string_equal(doc.lines[2].spans[0].text, "\u2022 ");
	free(text);
	md_doc_free(&doc);
	text = render(&doc, "```\ncode\n```", 80);
	assert_int_equal(doc.lines[0].spans[0].style, MD_CODEBLOCK);
	free(text);
	md_doc_free(&doc);
}

static void test_wrapping(void **state)
{
	(void)state;
	/* Words move whole to the next line; no line is wider than asked. */
	expect_text("The CPU saves the return address in RCX.", 12,
	            "The CPU\nsaves the\nreturn\naddress in\nRCX.\n");
	/* A word longer than the line is cut at the width. */
	expect_text("entry_SYSCALL_64_after_hwframe", 10, "entry_SYSC\nALL_64_aft\ner_hwframe\n");
	/* Continuation lines of a list item line up under its text. */
	expect_text("- one two three four", 10, "\u2022 one two\n  three\n  four\n");
	expect_text("> one two three", 9, "\u2502 one two\n\u2502 three\n");
	/* Code blocks are not reflowed, only cut where they would overflow. */
	expect_text("    movq %rax, %cr3", 8, "movq %ra\nx, %cr3\n");

	struct md_doc doc;
	char *text = render(&doc, "Wide \xe6\xbc\xa2\xe5\xad\x97 and caf\xc3\xa9 text here", 9);
	assert_string_equal(text, "Wide \xe6\xbc\xa2\xe5\xad\x97\nand caf\xc3\xa9\ntext here\n");
	assert_int_equal(doc.lines[0].width, 9);     /* two double-width characters */
	for (size_t i = 0; i < doc.nlines; i++)
		assert_true(doc.lines[i].width <= 9);
	free(text);
	md_doc_free(&doc);

	/* Tiny widths never loop or overflow, whatever the nesting. */
	for (int w = 1; w < 6; w++) {
		text = render(&doc, "- > - deep \xe6\xbc\xa2 `code` words", w);
		for (size_t i = 0; i < doc.nlines; i++)
			assert_true(doc.lines[i].width <= (w < 2 ? 2 : w));
		free(text);
		md_doc_free(&doc);
	}
	assert_int_equal(mdrender(&doc, "x", 1, 0), -EINVAL);
	md_doc_free(&doc);
}

/* Nothing that a terminal interprets may come out: every byte of every span is
 * printable UTF-8, and the hostile bytes are shown as visible text. */
static void assert_all_printable(const struct md_doc *doc)
{
	for (size_t i = 0; i < doc->nlines; i++)
		for (size_t j = 0; j < doc->lines[i].nspans; j++)
			for (const unsigned char *p = (const unsigned char *)doc->lines[i].spans[j].text;
			     *p; p++) {
				assert_true(*p >= 0x20 && *p != 0x7f);
				if (p[0] == 0xc2)
					assert_true(p[1] >= 0xa0);    /* no C1 control (U+0080..U+009F) */
			}
}

static void test_hostile(void **state)
{
	(void)state;
	struct md_doc doc;
	static const char hostile[] =
		"Red \x1b[31mALERT\x1b[0m bell\x07 csi\xc2\x9b" "2J "
		"entity &#27;]0;title&#7; `code\x1b[2J` bad\xff byte "
		"rtl\xe2\x80\xae" "txt cr\rend";
	char *text = render(&doc, hostile, 200);
	assert_all_printable(&doc);
	assert_non_null(strstr(text, "Red \\x1b[31mALERT\\x1b[0m bell\\x07 csi\\u009b2J"));
	assert_non_null(strstr(text, "entity \\x1b]0;title\\x07"));
	assert_non_null(strstr(text, "code\\x1b[2J"));
	assert_non_null(strstr(text, "bad\\xff byte"));
	assert_non_null(strstr(text, "rtl\\u202etxt"));
	assert_non_null(strstr(text, "cr end"));   /* a lone CR ends a line in Markdown */
	free(text);
	md_doc_free(&doc);

	text = render(&doc, "```\nraw\x1b[H\x9b\x01\n```\n<div>\x1b[5m</div>", 80);
	assert_all_printable(&doc);
	assert_string_equal(text, "raw\\x1b[H\\x9b\\x01\n\n<div>\\x1b[5m</div>\n");
	free(text);
	md_doc_free(&doc);
}

int main(void)
{
	/* Widths come from wcwidth, which needs a UTF-8 locale, as syswalk's main sets. */
	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		return 77;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inline_styles),
		cmocka_unit_test(test_blocks),
		cmocka_unit_test(test_wrapping),
		cmocka_unit_test(test_hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
