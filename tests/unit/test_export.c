/* test_export.c: the three export formats from the fake trace, escaping of hostile
 * text, format choice by extension, and atomic writes that keep the old file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/fake_trace.h"
#include "atomic_file.h"
#include "export.h"
#include "trace_json.h"

static char *render(int (*fn)(FILE *, const struct trace *, char *, size_t), const struct trace *t)
{
	char err[256] = "", *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(fn(f, t, err, sizeof(err)), 0);
	fclose(f);
	return buf;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = calloc(1, 1 << 20);

	assert_non_null(f);
	assert_non_null(buf);
	assert_true(fread(buf, 1, (1 << 20) - 1, f) < (1 << 20) - 1);
	fclose(f);
	return buf;
}

static void test_html_escape(void **state)
{
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	export_html_escape(f, "a&b<c>\"d'e\x01\x1b\x7f\tz\r\nq\rw\xc2\x9b\xe2\x80\xae\xff\xc3\xa9");
	export_html_escape(f, NULL);
	fclose(f);
	assert_string_equal(buf, "a&amp;b&lt;c&gt;&quot;d&#39;e\\x01\\x1b\\x7f\tz\nq\\x0dw"
			    "\\u009b\\u202e\\xff\xc3\xa9");
	free(buf);
}

static void test_html_page(void **state)
{
	struct trace t;
	char *html;

	(void)state;
	assert_int_equal(fake_trace(&t), 0);
	/* Hostile text where the page puts it in an attribute and in a heading. */
	snprintf(t.snaps[2].location, sizeof(t.snaps[2].location), "\"><script>x()</script>");
	free(t.snaps[3].note_title);
	t.snaps[3].note_title = strdup("<img src=x onerror=alert(2)>");
	html = render(export_html, &t);

	assert_int_equal(count(html, "<section class=\"stop"), FAKE_NSTOPS);
	assert_non_null(strstr(html, "id=\"stop-7\" data-index=\"7\" data-location=\"demo_main+0x2c\""));
	/* Exactly one script element: ours, at the end. */
	assert_int_equal(count(html, "<script"), 1);
	assert_non_null(strstr(html, "<script>\n(function () {"));
	assert_null(strstr(html, "<img"));
	assert_non_null(strstr(html, "&lt;img src=x onerror=alert(2)&gt;"));
	assert_non_null(strstr(html, "data-location=\"&quot;&gt;&lt;script&gt;x()&lt;/script&gt;\""));
	/* The hostile note: raw HTML shown as text, quotes and & escaped, control bytes visible. */
	assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	assert_non_null(strstr(html, "&lt;b&gt;raw html&lt;/b&gt;"));
	assert_non_null(strstr(html, "R&amp;D"));
	assert_null(strchr(html, '\x1b'));
	assert_null(strchr(html, '\x01'));
	assert_non_null(strstr(html, "\\x1b[31mred"));
	assert_non_null(strstr(html, "csi \\u009b2J, entity \\u009b[1m, rtl \\u202etxt"));
	assert_null(strstr(html, "\xc2\x9b"));
	/* Markdown of an ordinary note is rendered. */
	assert_non_null(strstr(html, "<strong>RIP</strong>"));
	assert_non_null(strstr(html, "<code>rcx</code>"));
	/* Marks the reader relies on. */
	assert_non_null(strstr(html, "<td class=\"rv changed"));
	assert_non_null(strstr(html, "<tr class=\"current\">"));
	assert_non_null(strstr(html, "class=\"slot filled just-written"));
	assert_non_null(strstr(html, "href=\"#stop-1\">next &rarr;</a>"));
	/* Self-contained: nothing to fetch. */
	assert_null(strstr(html, "http://"));
	assert_null(strstr(html, "https://"));
	assert_null(strstr(html, "url("));
	assert_non_null(strstr(html, "default-src 'none'"));
	free(html);
	trace_free(&t);
}

static void test_markdown_handout(void **state)
{
	struct trace t;
	char *md;

	(void)state;
	assert_int_equal(fake_trace(&t), 0);
	free(t.snaps[7].console);
	t.snaps[7].console = strdup("a ``` fence inside\n");
	md = render(export_markdown, &t);
	assert_non_null(strstr(md, "# syswalk: getpid on the teaching kernel\n"));
	assert_int_equal(count(md, "\n## "), FAKE_NSTOPS);
	assert_non_null(strstr(md, "## 2. `entry_SYSCALL_64` — SYSCALL lands at LSTAR\n"));
	assert_non_null(strstr(md, "=> ffffffff81000031  50                       pushq %rax\n"));
	assert_non_null(strstr(md, "rcx_ **`0x000000000040102c`**\\*"));
	assert_non_null(strstr(md, "| 128 | ip | `0x000000000040102c` |"));
	assert_non_null(strstr(md, "| LSTAR | `0xffffffff81000000` | "));
	assert_non_null(strstr(md, "read at this stop |"));
	/* STAR's selectors, as the viewer decodes them */
	assert_non_null(strstr(md, "syscall: CS 0010 SS 0018; sysret:  CS 0033 SS 002b"));
	/* no machine path: the kernel by its file name */
	assert_non_null(strstr(md, "Kernel: `syswalk-kernel.elf`"));
	assert_null(strstr(md, "build/kernel/"));
	/* The console fence is longer than the backticks inside it. */
	assert_non_null(strstr(md, "````text\na ``` fence inside\n````\n"));
	assert_null(strchr(md, '\x1b'));
	assert_null(strstr(md, "\xc2\x9b"));
	assert_non_null(strstr(md, "\\x1b[31mred\\x1b[0m, csi \\u009b2J"));
	assert_non_null(strstr(md, "k\\_gs\\_base"));
	free(md);
	trace_free(&t);
}

static void test_format_by_extension(void **state)
{
	struct trace t, empty;
	char err[256];

	(void)state;
	assert_int_equal(export_format_of("a/b.md"), EXPORT_MARKDOWN);
	assert_int_equal(export_format_of("x.HTML"), EXPORT_HTML);
	assert_int_equal(export_format_of("x.htm"), EXPORT_HTML);
	assert_int_equal(export_format_of("x.json"), EXPORT_JSON);
	assert_int_equal(export_format_of("x.txt"), -1);
	assert_int_equal(export_format_of("dir.md/file"), -1);
	assert_int_equal(export_format_of("noext"), -1);
	assert_int_equal(fake_trace(&t), 0);
	assert_int_equal(export_trace(&t, "/tmp/out.pdf", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "export: /tmp/out.pdf: unknown file type (use .md, .html, .htm or .json)");
	trace_init(&empty);
	assert_int_equal(export_trace(&empty, "/tmp/out.md", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "no stops"));
	trace_free(&t);
}

static int dir_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

/* A writer that gets half way and fails, as a full disk would. */
static int half_then_fail(FILE *f, void *arg, char *err, size_t errlen)
{
	(void)arg;
	fputs("partial new content", f);
	fflush(f);
	snprintf(err, errlen, "injected failure");
	return -ENOSPC;
}

static void test_files_and_atomicity(void **state)
{
	char dir[] = "/tmp/test_export.XXXXXX", path[96], bad[128], err[512];
	struct trace t, back;
	struct stat st;
	char *text;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(fake_trace(&t), 0);

	/* JSON written to a file loads back equal. */
	snprintf(path, sizeof(path), "%s/walk.json", dir);
	assert_int_equal(export_trace(&t, path, err, sizeof(err)), 0);
	assert_int_equal(trace_json_load(path, &back, err, sizeof(err)), 0);
	assert_int_equal(back.n, t.n);
	for (size_t i = 0; i < t.n; i++)
		assert_true(snapshot_equal(&t.snaps[i], &back.snaps[i]));
	trace_free(&back);

	/* A failing write keeps the old file, byte for byte, and leaves no temporary. */
	snprintf(path, sizeof(path), "%s/walk.html", dir);
	f = fopen(path, "w");
	fputs("old content", f);
	fclose(f);
	chmod(path, 0640);
	assert_int_equal(atomic_file_write(path, half_then_fail, NULL, err, sizeof(err)), -ENOSPC);
	assert_non_null(strstr(err, "cannot write "));
	assert_non_null(strstr(err, "walk.html: injected failure"));
	text = slurp(path);
	assert_string_equal(text, "old content");
	free(text);
	assert_int_equal(dir_entries(dir), 2);

	/* A successful write replaces it whole and keeps its mode. */
	assert_int_equal(export_trace(&t, path, err, sizeof(err)), 0);
	text = slurp(path);
	assert_non_null(strstr(text, "</html>\n"));
	free(text);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	assert_int_equal(dir_entries(dir), 2);

	/* Unwritable places give a clear message naming the file. */
	snprintf(bad, sizeof(bad), "%s/no/such/dir/x.md", dir);
	assert_true(export_trace(&t, bad, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "export: cannot write "));
	assert_non_null(strstr(err, "x.md: No such file or directory"));
	snprintf(bad, sizeof(bad), "%s/walk.json/x.md", dir);   /* a file used as a directory */
	assert_true(export_trace(&t, bad, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "Not a directory"));
	assert_true(atomic_file_write("somedir/", half_then_fail, NULL, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "not a file name"));

	unlink(path);
	snprintf(path, sizeof(path), "%s/walk.json", dir);
	unlink(path);
	assert_int_equal(rmdir(dir), 0);
	trace_free(&t);
}

/* A symbolic link at the destination is followed (the link stays, its target gets the
 * export), dangling or relative; a loop is refused; a 253-byte name works (its
 * temporary's name is cut to fit NAME_MAX). */
static void test_links_and_long_names(void **state)
{
	char dir[] = "/tmp/test_export.XXXXXX", path[512], link[512], err[512], name[254];
	struct trace t;
	struct stat st;
	char *text;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(fake_trace(&t), 0);
	snprintf(path, sizeof(path), "%s/real.md", dir);
	snprintf(link, sizeof(link), "%s/link.md", dir);
	FILE *f = fopen(path, "w");
	fputs("old content", f);
	fclose(f);
	assert_int_equal(symlink("real.md", link), 0);           /* relative to its directory */
	assert_int_equal(export_trace(&t, link, err, sizeof(err)), 0);
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	text = slurp(path);
	assert_non_null(strstr(text, "# syswalk: getpid"));
	free(text);
	assert_int_equal(dir_entries(dir), 2);
	/* Dangling: the file it names is created. */
	unlink(path);
	assert_int_equal(export_trace(&t, link, err, sizeof(err)), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	unlink(path);
	unlink(link);
	/* A loop of links: refused with a message, nothing written. */
	assert_int_equal(symlink("loop.md", link), 0);
	snprintf(path, sizeof(path), "%s/loop.md", dir);
	assert_int_equal(symlink("link.md", path), 0);
	assert_int_equal(export_trace(&t, link, err, sizeof(err)), -ELOOP);
	assert_non_null(strstr(err, "link.md: Too many levels of symbolic links"));
	unlink(path);
	unlink(link);
	/* The longest legal name. */
	memset(name, 'n', sizeof(name) - 1);
	memcpy(name + sizeof(name) - 4, ".md", 4);
	assert_int_equal(strlen(name), 253);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(export_trace(&t, path, err, sizeof(err)), 0);
	assert_int_equal(dir_entries(dir), 1);
	unlink(path);
	assert_int_equal(rmdir(dir), 0);
	trace_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_html_escape),
		cmocka_unit_test(test_html_page),
		cmocka_unit_test(test_markdown_handout),
		cmocka_unit_test(test_format_by_extension),
		cmocka_unit_test(test_files_and_atomicity),
		cmocka_unit_test(test_links_and_long_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
