#!/usr/bin/env bash
# manpage.sh: docs/syswalk.1 is a real manual page: groff renders it without a single
# warning, man(1) shows every section the issue asks for, and it describes exactly the
# options that --help lists, with the same argument names.
source "$(dirname "$0")/../lib/common.sh"
tmpdir
PAGE=${PAGE:-$ROOT/docs/syswalk.1}   # PAGE=... checks another copy (an installed one)

command -v groff >/dev/null || { skip "man page checks" "groff is not installed"; exit 0; }
[ -x "$SYSWALK" ] || { skip "man page checks" "no $SYSWALK (make viewer)"; exit 0; }

# -ww turns on every warning; -z renders without output, so anything printed is a warning.
warnings=$(groff -ww -z -man "$PAGE" 2>&1)
check_eq "groff -ww -z -man prints no warning" "" "$warnings"

MANWIDTH=100 man -P cat -l "$PAGE" 2>"$TMP/man.err" | col -b >"$TMP/man.txt"
check_eq "man -l renders without a message" "" "$(cat "$TMP/man.err")"
for section in NAME SYNOPSIS DESCRIPTION OPTIONS KEYS FILES ENVIRONMENT "EXIT STATUS" EXAMPLES; do
	check "man -l shows the $section section" grep -qx "$section" "$TMP/man.txt"
done
check "NAME has the whatis form lexgrog reads" \
	bash -c "lexgrog '$PAGE' | grep -qF 'syswalk - watch a real x86_64 system call'"

# --help: "  --name ARG     text" (the first two-space gap ends the option).
"$SYSWALK" --help | sed -nE 's/^  (--[a-z-]+( [^ ]+)?)  .*/\1/p' | sort >"$TMP/help.opts"
# The page: in OPTIONS, the tag line after each .TP (".B \-\-name" or ".BI \-\-name " ARG"").
awk '/^\.SH /{in_opts = ($0 ~ /^\.SH OPTIONS/)} in_opts && tp {print; tp = 0} in_opts && /^\.TP/{tp = 1}' "$PAGE" |
	sed -E 's/\\-/-/g; s/^\.BI? //; s/"//g; s/ +/ /g; s/ $//' | sort >"$TMP/man.opts"

n_help=$(wc -l <"$TMP/help.opts")
if [ "$n_help" -ge 20 ]; then ok "--help lists $n_help options"; else not_ok "--help lists the options" "only $n_help parsed"; fi
if diff -u "$TMP/help.opts" "$TMP/man.opts" >"$TMP/opts.diff"; then
	ok "the man page and --help list the same options, with the same arguments"
else
	not_ok "the man page and --help list the same options, with the same arguments" \
		"$(grep -E '^[-+]--[a-z]' "$TMP/opts.diff" | tr '\n' ' ')"
fi
# Every one of them is also in the rendered page, where a reader looks.
missing=""
while read -r opt _; do
	grep -qE "^ +$opt( |$)" "$TMP/man.txt" || missing+=" $opt"
done <"$TMP/help.opts"
check_eq "every option is rendered in the page" "" "$missing"

# The keys the viewer's own help lists are in KEYS (viewer/ui.c keeps that list): each
# key starts a tag line, or follows a comma in one.
keys=$(sed -n '/^KEYS$/,/^FILES$/p' "$TMP/man.txt")
missing=""
for k in n Space s c b Left f Right r Tab Shift-Tab Up Down j k PgUp PgDn Home End a e '?' F1 \
	Ctrl-L q Ctrl-C; do
	grep -qE -- "^ +([^ ]+, )*${k//\?/\\?}(,|[[:space:]]|$)" <<<"$keys" || missing+=" [$k]"
done
check_eq "KEYS names every key of the viewer" "" "$missing"

# EXIT STATUS agrees with the last line of --help.
for code in 0 1 2 128+N; do
	check "EXIT STATUS explains $code" grep -qE "^ +${code//+/\\+}([[:space:]]|$)" "$TMP/man.txt"
done
check "--help states the same exit statuses" bash -c \
	"'$SYSWALK' --help | grep -qF 'Exit status: 0 success, 1 error, 2 usage error'"
exit 0
