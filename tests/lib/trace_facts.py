"""trace_facts.py: read a syswalk JSON trace and answer questions about its stops.

Used by the integration tests to assert architectural facts on what syswalk recorded
from live state. Values in the trace are hex strings (64-bit values never pass through
floating point), so everything here works on Python ints.
"""
import json


def load(path):
    with open(path) as f:
        trace = json.load(f)
    assert trace["format"] == "syswalk-trace", "not a syswalk trace"
    return trace


def value(text):
    return int(text, 16) if isinstance(text, str) else int(text)


def reg(stop, name):
    for r in stop["regs"]:
        if r["name"] == name:
            return value(r["value"])
    raise KeyError(f"no register {name} at {stop['location']}")


def slot(stop, name):
    for s in stop["frame"]["slots"]:
        if s["name"] == name:
            return value(s["value"])
    raise KeyError(f"no pt_regs slot {name} at {stop['location']}")


def msr(stop, name):
    """Value of MSR NAME ("LSTAR", ...) and where it came from ("live", "carried")."""
    m = stop["msrs"][name.upper()]
    return value(m["value"]), m["source"]


def current_insn(stop):
    for i in stop["insns"]:
        if i["current"]:
            return i["att"]
    return ""


def walks(trace):
    """The stops grouped by syscall, in order: {"write": [stop, ...], ...}."""
    out = {}
    for s in trace["snapshots"]:
        out.setdefault(s["syscall"], []).append(s)
    return out


def first_at(stops, location):
    for s in stops:
        if s["location"] == location:
            return s
    raise KeyError(f"no stop at {location}")
