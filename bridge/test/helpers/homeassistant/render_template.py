"""Renders Home Assistant MQTT templates the way its MQTT integration does, with real Jinja.

Reads JSON lines {"template": ..., "value": ...} (or {"template": ..., "variables": {...}}, as a
script's templates see its fields) on stdin and writes one JSON line per input:
{"ok": rendered} or {"error": message}. Like Home Assistant: a sandboxed environment, `value`
holds the payload (or a notify message), `value_json` the payload parsed as JSON when it is JSON,
and `to_json` is its compact, non-ASCII-preserving JSON filter.

A request with "states" ({entity_id: {"state", "attributes"}}) renders as the websocket API's
render_template does: `states()`, `is_state()`, `state_attr()` and the forgiving `round`, `float`
and `int` filters read those states, an undefined variable is a warning (rendered empty), the
output is stripped and parsed like Home Assistant parses a template result (a Python literal
becomes that value), and the answer names the entities read (`entities`, `all`) and the warnings.
"""
import ast
import json
import re
import sys

from jinja2 import Undefined
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

_NO_DEFAULT = object()
_IS_NUMERIC = re.compile(r"^[+-]?(?!0\d)\d*(?:\.\d*)?$")


class WarningUndefined(Undefined):
    """Home Assistant renders an undefined variable as empty and reports a warning."""

    warnings = []

    def __str__(self):
        WarningUndefined.warnings.append(
            f"Template variable warning: {self._undefined_message} when rendering '{WarningUndefined.source}'")
        return ""


def render_like_home_assistant(request):
    states = request["states"]
    read = {"entities": set(), "all": False}
    WarningUndefined.warnings = []
    WarningUndefined.source = request["template"]

    def state_of(entity_id):
        read["entities"].add(entity_id)
        entity = states.get(entity_id)
        return entity["state"] if entity else "unknown"

    def no_default(name, value):
        raise ValueError(f"Template error: {name} got invalid input '{value}' when rendering template "
                         f"'{request['template']}' but no default was specified")

    def forgiving_round(value, precision=0, method="common", default=_NO_DEFAULT):
        try:
            value = round(float(value), precision)
            return int(value) if precision == 0 else value
        except (ValueError, TypeError):
            if default is _NO_DEFAULT:
                no_default("round", value)
            return default

    def forgiving_float(value, default=_NO_DEFAULT):
        try:
            return float(value)
        except (ValueError, TypeError):
            if default is _NO_DEFAULT:
                no_default("float", value)
            return default

    def forgiving_int(value, default=_NO_DEFAULT):
        try:
            return int(float(value))
        except (ValueError, TypeError):
            if default is _NO_DEFAULT:
                no_default("int", value)
            return default

    def state_attr(entity_id, name):
        read["entities"].add(entity_id)
        entity = states.get(entity_id)
        return entity["attributes"].get(name) if entity else None

    ha = ImmutableSandboxedEnvironment(undefined=WarningUndefined)
    ha.filters.update(env.filters)
    ha.filters.update({"round": forgiving_round, "float": forgiving_float, "int": forgiving_int})
    ha.globals.update({
        "states": state_of,
        "is_state": lambda entity_id, state: state_of(entity_id) == state,
        "state_attr": state_attr,
        "float": forgiving_float,
        "int": forgiving_int,
    })
    answer = {"entities": [], "all": False}
    try:
        rendered = ha.from_string(request["template"]).render(**request.get("variables", {})).strip()
        answer["result"] = parse_result(rendered)
    except Exception as error:  # Home Assistant's TemplateError text: the exception's class and message
        answer["error"] = f"{type(error).__name__}: {error}"
    answer["entities"] = sorted(read["entities"])
    answer["all"] = read["all"]
    answer["warnings"] = WarningUndefined.warnings
    return answer


def parse_result(rendered):
    """A result that reads as a Python literal (number, bool, None, list, dict) is sent as that value."""
    try:
        value = ast.literal_eval(rendered)
    except (ValueError, TypeError, SyntaxError, MemoryError):
        return rendered
    if isinstance(value, (str, complex)):
        return rendered
    if isinstance(value, (int, float)) and not isinstance(value, bool) and not _IS_NUMERIC.match(rendered):
        return rendered
    return value


for line in sys.stdin:
    request = json.loads(line)
    if "states" in request:
        sys.stdout.write(json.dumps(render_like_home_assistant(request)) + "\n")
        sys.stdout.flush()
        continue
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
    sys.stdout.flush()
