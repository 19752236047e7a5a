#!/usr/bin/env bash
# trace_schema.sh: docs/trace-schema.json describes what the JSON export really
# writes. A synthetic trace exported through the real API must validate, and a few
# documents the loader refuses must be refused by the schema too (so the schema is
# not vacuous). Needs python3-jsonschema (scripts/install-deps.sh).
source "$(dirname "$0")/../lib/common.sh"
tmpdir

MAKE_TRACE=$BUILD/tests/tools/make_trace
SCHEMA=$ROOT/docs/trace-schema.json
if [ ! -x "$MAKE_TRACE" ]; then
	skip "trace schema" "build/tests/tools/make_trace not built (make test-tools)"
	exit 0
fi
if ! python3 -c 'import jsonschema' 2>/dev/null; then
	skip "trace schema" "python3-jsonschema is not installed (scripts/install-deps.sh)"
	exit 0
fi

check "make_trace writes the JSON export" "$MAKE_TRACE" "$TMP/walk.json"

# validate FILE [MUTATION]: exit 0 when valid, 1 when invalid (message on stderr).
validate() {
	python3 - "$SCHEMA" "$1" "${2:-}" <<'PY'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
doc = json.load(open(sys.argv[2]))
mutation = sys.argv[3]
if mutation:
    exec(mutation, {"doc": doc})
try:
    jsonschema.validate(doc, schema, cls=jsonschema.Draft202012Validator)
except jsonschema.ValidationError as e:
    print(e.message, file=sys.stderr)
    sys.exit(1)
PY
}

check "the schema is a valid JSON Schema and the export validates" validate "$TMP/walk.json"
refuses() {  # refuses NAME MUTATION
	if validate "$TMP/walk.json" "$2" 2>/dev/null; then not_ok "schema refuses $1"; else ok "schema refuses $1"; fi
}
refuses "a register value as a JSON number" 'doc["snapshots"][3]["regs"][2]["value"] = 42'
refuses "65 registers" 'r = doc["snapshots"][0]["regs"]; r.extend([r[0]] * (65 - len(r)))'
refuses "a missing frame base" 'del doc["snapshots"][1]["frame"]["base"]'
refuses "an unknown field" 'doc["snapshots"][0]["colour"] = "red"'
refuses "version 3" 'doc["version"] = 3'
refuses "an empty walk" 'doc["snapshots"] = []'
refuses "an odd number of hex digits in bytes" 'doc["snapshots"][1]["insns"][0]["bytes"] = "0f0"'
exit 0
