#!/usr/bin/env bash
# tests/integration/export_live.sh: `--export --syscall all` of the real walk (teaching
# kernel under QEMU) to JSON, HTML and Markdown. The JSON validates against
# docs/trace-schema.json and holds the six demo syscalls, each ending in user mode after
# sysretq (iretq for the iret and int80 paths); the HTML, opened in headless Chromium,
# has one section.stop per stop (screenshot: build/export-live.png); the Markdown has one
# heading per stop, in order. A second export over the same path replaces the file
# atomically, watched by a reader. Time and peak RSS of `--export all`: TAP comments.
source "$(dirname "$0")/../lib/common.sh"
tmpdir
source "$ROOT/tests/lib/live.sh"
live_require "live export"
SCHEMA=$ROOT/docs/trace-schema.json

export_all() {  # export_all FILE [ARGS...]
	local f=$1; shift
	timeout 300 "$SYSWALK" "${ANN_ARGS[@]}" --export "$f" "$@" >"$TMP/export.out" 2>&1
}

json=$TMP/all.json
if ! export_all "$json" --syscall all; then
	not_ok "--export all to JSON" "$(tail -3 "$TMP/export.out")"
	exit 0
fi
ok "--export all to JSON"

if python3 -c 'import jsonschema' 2>/dev/null; then
	if why=$(python3 - "$SCHEMA" "$json" 2>&1 <<-'PY'
	import json, sys, jsonschema
	schema = json.load(open(sys.argv[1]))
	jsonschema.Draft202012Validator.check_schema(schema)
	jsonschema.validate(json.load(open(sys.argv[2])), schema, cls=jsonschema.Draft202012Validator)
	PY
	); then ok "the JSON validates against docs/trace-schema.json"; else not_ok "the JSON validates against docs/trace-schema.json" "$(tail -1 <<<"$why")"; fi
else
	skip "the JSON validates against docs/trace-schema.json" "python3-jsonschema is not installed"
fi

# The six walks, in the demo's order, each one: entered through its entry point, left by
# its return instruction, ending with the user-mode stop.
facts=$(python3 - "$json" <<-'PY'
	import json, sys
	d = json.load(open(sys.argv[1]))
	walks = {}
	for s in d["snapshots"]:
	    walks.setdefault(s["syscall"], []).append(s)
	def cur(s):
	    return next((i["att"].split()[0] for i in s["insns"] if i["current"]), "?")
	order = list(walks)
	print("order", " ".join(order))
	leave = {"iret": "iretq", "int80": "iretq"}
	entry = {"int80": "entry_INT80_compat"}
	for name, stops in walks.items():
	    last, kernel = stops[-1], stops[-2] if len(stops) > 1 else None
	    print("walk", name, len(stops),
	          stops[0]["location"] == entry.get(name, "entry_SYSCALL_64"),
	          last["kind"] == "user" and last["cpl"] == 3,
	          kernel is not None and kernel["cpl"] == 0 and cur(kernel) == leave.get(name, "sysretq"),
	          cur(kernel) if kernel else "-")
	PY
)
check_eq "the six syscalls, in the demo's order" "order write getpid enosys x32 iret int80" "$(grep '^order' <<<"$facts")"
while read -r _ name n entry_ok user_ok leave_ok insn; do
	want=sysretq; case $name in iret|int80) want=iretq ;; esac
	check_eq "$name: first stop at its entry point" True "$entry_ok"
	check_eq "$name: last stop is the user-mode stop (ring 3)" True "$user_ok"
	check_eq "$name: the last kernel stop is at $want" "$want" "$insn"
done < <(grep '^walk' <<<"$facts")
nstops=$(json_py "$json" 'len(d["snapshots"])')

# HTML in headless Chromium
html=$TMP/all.html
check "--export all to HTML" export_all "$html" --syscall all
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
	skip "the HTML in Chromium" "chromium is not installed (scripts/install-deps.sh)"
else
	chromium_run() {  # as in export_html_chromium.sh: headless, isolated profile, quiet
		local profile
		profile=$(mktemp -d "$TMP/profile.XXXXXX")
		timeout -k 5 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
			--no-first-run --disable-background-networking --disable-component-update \
			--disable-sync --user-data-dir="$profile" "$@" 2>"$TMP/chromium.err"
	}
	chromium_run --dump-dom "file://$html" >"$TMP/dom.html"
	check "Chromium built a DOM from the page" test -s "$TMP/dom.html"
	check_eq "one section.stop per stop of the JSON" "$nstops" \
		"$(grep -o '<section class="stop[^"]*" id="stop-[0-9]*"' "$TMP/dom.html" | wc -l)"
	check_eq "the first section is at entry_SYSCALL_64" "entry_SYSCALL_64" \
		"$(grep -o '<section class="stop[^>]*data-location="[^"]*"' "$TMP/dom.html" | head -1 | sed 's/.*data-location="//; s/"$//')"
	check_eq "the sections' locations are the JSON's, in order" \
		"$(json_py "$json" '" ".join(s["location"] for s in d["snapshots"])')" \
		"$(grep -o '<section class="stop[^>]*data-location="[^"]*"' "$TMP/dom.html" | sed 's/.*data-location="//; s/"$//' | tr '\n' ' ' | sed 's/ $//')"
	shot=$BUILD/export-live.png
	rm -f "$shot"
	chromium_run --screenshot="$shot" --window-size=1280,2000 "file://$html" >/dev/null
	check "a screenshot is written to build/export-live.png" test -s "$shot"
fi

# Markdown: one "## N. `location`" heading per stop, in order
md=$TMP/all.md
check "--export all to Markdown" export_all "$md" --syscall all
check_eq "one Markdown heading per stop, in the JSON's order" \
	"$(json_py "$json" '" ".join(s["location"] for s in d["snapshots"])')" \
	"$(grep -oE '^## [0-9]+\. `[^`]*`' "$md" | sed 's/.*`\(.*\)`/\1/' | tr '\n' ' ' | sed 's/ $//')"

# Atomic replacement: write's walk first, then all over it, with a reader watching.
target=$TMP/replace.json
export_all "$target" --syscall write
old=$(sha256sum <"$target" | cut -d' ' -f1)
ino_old=$(stat -c %i "$target")
: >"$TMP/seen"
( while [ ! -e "$TMP/stop-reader" ]; do sha256sum <"$target" >>"$TMP/seen" 2>/dev/null; done ) &
reader=$!
on_exit "kill $reader"
export_all "$target" --syscall all
touch "$TMP/stop-reader"
wait "$reader"
new=$(sha256sum <"$target" | cut -d' ' -f1)
check "the second export wrote the new walk" test "$old" != "$new"
# the demo is deterministic: read back, the stops are those of the first export of all
# (The serial output is compared as a whole: QEMU writes it from its own side of a pipe,
# so which stop a line lands in may differ by one between runs; everything else may not.)
check_eq "read back, the file holds the same stops as the first export of all" "same" \
	"$(python3 - "$target" "$json" <<'PY' 2>&1
import json, sys
a, b = (json.load(open(p))["snapshots"] for p in sys.argv[1:3])
if len(a) != len(b):
    print(f"{len(a)} stops vs {len(b)}")
    sys.exit()
for i, (x, y) in enumerate(zip(a, b)):
    for key in x:
        if key != "console" and x[key] != y[key]:
            print(f"stop {i} ({x['location']}): {key} differs: {str(x[key])[:160]} | {str(y[key])[:160]}")
            sys.exit()
joined = lambda s: "".join(st["console"] or "" for st in s)
print("same" if joined(a) == joined(b) else "the serial output differs")
PY
)"
others=$(cut -d' ' -f1 "$TMP/seen" | grep -cvxF -e "$old" -e "$new")
check_eq "every read during the export saw the old file or the new one ($(wc -l <"$TMP/seen") reads)" 0 "$others"
check "the file was replaced by a rename (new inode)" test "$ino_old" != "$(stat -c %i "$target")"

# Time and peak memory of --export all (JSON), median of 5
if [ -x /usr/bin/time ]; then
	for i in 1 2 3 4 5; do
		/usr/bin/time -f '%e %M' -o "$TMP/time.$i" "$SYSWALK" "${ANN_ARGS[@]}" --export "$TMP/t$i.json" --syscall all >/dev/null 2>&1
	done
	cat "$TMP"/time.? | sort -n -k1 | awk 'NR == 3 { printf "# --export all: median of 5, %s s elapsed", $1 }'
	cat "$TMP"/time.? | sort -n -k2 | awk 'NR == 3 { printf ", %s KiB peak RSS", $2 } END { print "" }'
	echo "# command: /usr/bin/time -f '%e %M' $SYSWALK ${ANN_ARGS[*]} --export F.json --syscall all"
fi
exit 0
