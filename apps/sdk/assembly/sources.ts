// Reads of outside data the manifest's permissions allow: latest MQTT values and Home
// Assistant entity states, as the bridge last saw them.
import { blockFromString, takeString } from "./block";
import { free, mb_ha_state, mb_mqtt_get } from "./host";
import { JsonKind, JsonValue } from "./json";

export class ReadResult {
  /** False when the read failed; `error` says why. */
  ok: bool = false;
  /** "unavailable" (no value yet) or "denied: ..." (not in the manifest's permissions). */
  error: string = "";
  /** MQTT: the payload as text. Home Assistant: the entity's state. */
  value: string = "";
  /** Home Assistant: the entity's attributes (an empty object for MQTT). */
  attributes: JsonValue = JsonValue.object();

  get denied(): bool { return this.error.startsWith("denied"); }
  get unavailable(): bool { return this.error == "unavailable"; }
  /** The value as a number; NaN when it is not one. */
  get number(): f64 { return this.ok ? parseNumber(this.value) : NaN; }
}

function request(reply: string | null, valueKey: string): ReadResult {
  const r = new ReadResult();
  const parsed = reply !== null ? JsonValue.parse(reply) : null;
  if (parsed === null || !parsed.isObject) {
    r.error = "bad reply from host";
    return r;
  }
  r.ok = parsed.getBool("ok");
  if (!r.ok) {
    r.error = parsed.getString("error", "unknown error");
    return r;
  }
  const v = parsed.get(valueKey);
  r.value = v === null ? "" : v.kind == JsonKind.String ? v.asString() : v.stringify();
  const attrs = parsed.get("attributes");
  if (attrs !== null && attrs.isObject) r.attributes = attrs;
  return r;
}

/** Latest value of an MQTT topic listed in permissions.mqtt. */
export function mqtt(topic: string): ReadResult {
  const t = blockFromString(topic);
  const reply = takeString(mb_mqtt_get(t));
  free(t);
  return request(reply, "value");
}

/** State of a Home Assistant entity listed in permissions.homeassistant. */
export function homeAssistant(entityId: string): ReadResult {
  const e = blockFromString(entityId);
  const reply = takeString(mb_ha_state(e));
  free(e);
  return request(reply, "state");
}

function parseNumber(text: string): f64 {
  const v = JsonValue.parse(text.trim());
  return v !== null && v.kind == JsonKind.Number ? v.asNumber() : NaN;
}
