#!/usr/bin/env bash
# handout_print.sh: the handouts a teacher prints, from a real walk of write on the
# teaching kernel (20 stops). Chromium prints the HTML export with --print-to-pdf: at
# most one A4 page per stop, the stop list left out. The page takes the viewer's keys
# (n f space, b, a; the older j p k i too), checked by key events in Chromium. A
# question's revealed answer names the right choice and its value, never an expression.
# No export (HTML, Markdown, JSON) carries a machine path; the kernel is named by its
# file name and GNU build id. MSRs are decoded as in the viewer, code bytes are spaced.
source "$(dirname "$0")/../lib/common.sh"
tmpdir
source "$ROOT/tests/lib/live.sh"
live_require "printed handouts"
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROMIUM" ] || { skip "printed handouts" "chromium is not installed (scripts/install-deps.sh)"; exit 0; }

chromium_run() {  # headless, isolated profile, no network chatter
	local profile
	profile=$(mktemp -d "$TMP/profile.XXXXXX")
	timeout -k 5 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --user-data-dir="$profile" "$@" 2>>"$TMP/chromium.err"
}

for ext in html md json; do
	check "the write walk exports to .$ext" "$SYSWALK" --export "$TMP/write.$ext"
done
nstops=$(json_py "$TMP/write.json" 'len(d["snapshots"])')
check "the walk has 20 stops" test "$nstops" = 20

# Print: one page per stop or less.
chromium_run --no-pdf-header-footer --print-to-pdf="$TMP/write.pdf" "file://$TMP/write.html" >/dev/null
check "chromium printed the page" test -s "$TMP/write.pdf"
pages=$(python3 -c 'import re, sys; print(len(re.findall(rb"/Type\s*/Page[^s]", open(sys.argv[1], "rb").read())))' "$TMP/write.pdf")
echo "# printed: $nstops stops on $pages pages"
check "the $nstops stops print on at most $nstops pages (got $pages)" test "$pages" -le "$nstops" -a "$pages" -ge 1
check "the stop list is left out of print" grep -q '@media print{nav.toc' "$TMP/write.html"

# The keys, as the viewer's: events sent to the page in Chromium, the stop reached read back.
{
	sed '$d' "$TMP/write.html" | sed '$d'
	cat <<-'JS'
	<script>
	(function () {
	  var out = [];
	  function k(key) {
	    document.dispatchEvent(new KeyboardEvent('keydown', { key: key, bubbles: true }));
	    out.push(key.replace(' ', 'space') + '=' + location.hash + (document.body.classList.contains('intel') ? '+intel' : ''));
	  }
	  ['n', 'f', ' ', 'b', 'a', 'a', 'j', 'p', 'k', 'i'].forEach(k);
	  document.body.setAttribute('data-keys', out.join(' '));
	})();
	</script>
	</body>
	</html>
	JS
} >"$TMP/keys.html"
chromium_run --dump-dom "file://$TMP/keys.html" >"$TMP/keys.dom"
keys=$(grep -o 'data-keys="[^"]*"' "$TMP/keys.dom")
check_eq "n f space b a a j p k i move and toggle as in the viewer" \
	'data-keys="n=#stop-1 f=#stop-2 space=#stop-3 b=#stop-2 a=#stop-2+intel a=#stop-2 j=#stop-3 p=#stop-2 k=#stop-1 i=#stop-1+intel"' "$keys"
check "the page says the viewer's keys" grep -q 'Keys, as in the viewer: <kbd>n</kbd>' "$TMP/write.html"

# Answers: the right choice by its number and label, with the value; never an expression.
rcx=$(json_py "$TMP/write.json" 'd["snapshots"][0]["regs"][[r["name"] for r in d["snapshots"][0]["regs"]].index("rcx")]["value"]')
check "HTML: the return-address question names its choice and value" \
	grep -q "Answer, read from the CPU at this stop: <strong>([0-9]) in RCX: $rcx</strong>" "$TMP/write.html"
check "Markdown: the same answer" grep -q "Answer, read from the CPU at this stop:\* ([0-9]) in RCX: $rcx" "$TMP/write.md"
for ext in html md; do
	if grep -qE 'Answer[^<]*\$[a-z_]+' "$TMP/write.$ext" || grep -q '(<code>\$' "$TMP/write.$ext"; then
		not_ok "$ext: no answer shows an expression (\$name)"
	else
		ok "$ext: no answer shows an expression (\$name)"
	fi
done

# No machine path in any export; the kernel by file name and build id.
build_id=$(readelf -n "$KERNEL" | awk '/Build ID/ { print $3 }')
check "the teaching kernel has a GNU build id" test -n "$build_id"
for ext in html md json; do
	if grep -qE "$ROOT|/tmp/|/home/|/root/" "$TMP/write.$ext" 2>/dev/null; then
		not_ok "$ext: no machine path" "$(grep -oE "($ROOT|/tmp/|/home/|/root/)[^ \"<]*" "$TMP/write.$ext" | head -3 | tr '\n' ' ')"
	else
		ok "$ext: no machine path"
	fi
	check "$ext: the kernel by file name and build id" grep -q "$build_id" "$TMP/write.$ext"
done
check_eq "JSON: kernel.path is the file name" "syswalk-kernel.elf" "$(json_py "$TMP/write.json" 'd["kernel"]["path"]')"

# MSRs decoded as in the viewer; code bytes spaced.
check "HTML: STAR decoded" grep -q 'syscall: CS 0010 SS 0018' "$TMP/write.html"
check "HTML: FMASK decoded" grep -q 'clears: TF IF DF IOPL NT AC' "$TMP/write.html"
check "Markdown: EFER decoded" grep -q 'bits: SCE LME LMA' "$TMP/write.md"
check "HTML: swapgs's bytes spaced (0f 01 f8)" grep -q '<td class="bytes">0f 01 f8</td>' "$TMP/write.html"
check "HTML: the source lines of a stop (entry_64.S, swapgs)" grep -q 'class="src-line current"' "$TMP/write.html"
exit 0
