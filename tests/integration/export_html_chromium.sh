#!/usr/bin/env bash
# export_html_chromium.sh: the HTML export of a synthetic trace opened in headless
# Chromium. The DOM Chromium builds must hold every stop, the hostile note must come
# out as text (no element injected), the page must not ask for anything external,
# and a screenshot is left in build/export-screenshot.png for a human to look at.
source "$(dirname "$0")/../lib/common.sh"
tmpdir

MAKE_TRACE=$BUILD/tests/tools/make_trace
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ ! -x "$MAKE_TRACE" ]; then
	skip "html export in chromium" "build/tests/tools/make_trace not built (make test-tools)"
	exit 0
fi
if [ -z "$CHROMIUM" ]; then
	skip "html export in chromium" "chromium is not installed (scripts/install-deps.sh)"
	exit 0
fi

html=$TMP/walk.html
check "make_trace writes the HTML export" "$MAKE_TRACE" "$html"

chromium_run() {  # chromium_run ARGS...: headless, isolated profile, no network chatter
	local profile
	profile=$(mktemp -d "$TMP/profile.XXXXXX")
	timeout -k 5 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --user-data-dir="$profile" "$@" 2>"$TMP/chromium.err"
}

dom=$TMP/dom.html
chromium_run --dump-dom "file://$html" >"$dom"
check "chromium parsed the page" test -s "$dom"

stops=$(grep -o '<section class="stop[^"]*" id="stop-[0-9]*"' "$dom" | wc -l)
check_eq "every stop is a section.stop in the DOM" 8 "$stops"
check "stop ids run from stop-0 to stop-7" grep -q 'id="stop-7"' "$dom"
check "a known location is there" grep -q 'data-location="entry_SYSCALL_64_after_hwframe"' "$dom"
check "the navigation links every stop" test "$(grep -c 'href="#stop-' "$dom")" -ge 8

scripts=$(grep -o '<script' "$dom" | wc -l)
check_eq "only our own inline script element exists" 1 "$scripts"
check "the note's <script> is shown as text" grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$dom"
check "the note's raw <b> is shown as text" grep -q '&lt;b&gt;raw html&lt;/b&gt;' "$dom"
if grep -q '<b>raw html' "$dom"; then not_ok "no raw HTML from a note reaches the DOM"; else ok "no raw HTML from a note reaches the DOM"; fi
# ESC (0x1b) became the visible "\x1b" (textsafe's rule), never a raw byte; so did CSI.
check "control bytes are shown as \\x1b" grep -qF '\x1b[31mred' "$dom"
check "C1 CSI, raw or as an entity, is shown as \\u009b" grep -qF 'csi \u009b2J, entity \u009b[1m' "$dom"
if LC_ALL=C grep -q $'\x1b' "$dom"; then not_ok "no raw ESC byte in the DOM"; else ok "no raw ESC byte in the DOM"; fi
check "changed registers are marked" grep -q 'class="rv changed' "$dom"
check "the current instruction is marked" grep -q '<tr class="current">' "$dom"
check "the frame shows the slot just written" grep -q 'class="slot filled just-written' "$dom"

# Self-contained: no URL that would make the browser fetch anything.
if grep -Eiq '(src|href)="(https?:|//|file:)|@import|url\(' "$html"; then
	not_ok "the page references no external resource" "$(grep -Eio '(src|href)="[^"]*"|@import|url\([^)]*\)' "$html" | head -3)"
else
	ok "the page references no external resource"
fi

shot=$BUILD/export-screenshot.png
rm -f "$shot"
chromium_run --screenshot="$shot" --window-size=1280,2000 "file://$html" >/dev/null
check "a screenshot was written to build/export-screenshot.png" test -s "$shot"
exit 0
