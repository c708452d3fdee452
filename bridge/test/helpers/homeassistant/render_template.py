"""Renders Home Assistant MQTT templates the way its MQTT integration does, with real Jinja.

Reads JSON lines {"template": ..., "value": ...} (or {"template": ..., "variables": {...}}, as a
script's templates see its fields) on stdin and writes one JSON line per input:
{"ok": rendered} or {"error": message}. Like Home Assistant: a sandboxed environment, `value`
holds the payload (or a notify message), `value_json` the payload parsed as JSON when it is JSON,
and `to_json` is its compact, non-ASCII-preserving JSON filter.
"""
import json
import sys

from jinja2.sandbox import ImmutableSandboxedEnvironment


def to_json(value, ensure_ascii=False, pretty_print=False, sort_keys=False):
    return json.dumps(value, ensure_ascii=ensure_ascii, sort_keys=sort_keys,
                      indent=2 if pretty_print else None,
                      separators=None if pretty_print else (",", ":"))


def from_json(value):
    return json.loads(value)


env = ImmutableSandboxedEnvironment()
env.filters["to_json"] = to_json
env.filters["from_json"] = from_json

for line in sys.stdin:
    request = json.loads(line)
    if "variables" in request:
        variables = request["variables"]
    else:
        variables = {"value": request["value"]}
        try:
            variables["value_json"] = json.loads(request["value"])
        except (TypeError, ValueError):
            pass
    try:
        result = {"ok": env.from_string(request["template"]).render(**variables)}
    except Exception as error:  # Home Assistant logs a template error and drops the message
        result = {"error": f"{type(error).__name__}: {error}"}
    sys.stdout.write(json.dumps(result) + "\n")
