// Shows one value from Home Assistant or MQTT next to an icon. The manifest's permissions list
// what it may read; config picks which one ("source", "entity" or "topic"), how to show it
// ("label", "unit", "decimals", "icon", "color") and, for JSON MQTT payloads, "json_field".
import { App, Colors, FONT_3X5, FONT_5X7, Image, JsonKind, JsonValue, ReadResult, config, dim, homeAssistant, mqtt, register, screen } from "@megabit/sdk";
import { BOLT, DROP, SUN, THERMOMETER } from "./icons";

const TEXT_X = 14;
const VALUE_FONT = FONT_5X7.asProportional();

class Sensor extends App {
  run(): void {
    const color = config.getColor("color", Colors.WHITE);
    const fromMqtt = config.getString("source", "homeassistant") == "mqtt";
    const name = fromMqtt ? config.getString("topic", "home/sensor/temperature") : config.getString("entity", "sensor.outdoor_temperature");
    const result = fromMqtt ? mqtt(name) : homeAssistant(name);

    screen.clear();
    const icon = iconNamed(config.getString("icon", "thermometer"));
    screen.image(icon, (12 - icon.width) / 2, (32 - icon.height) / 2);
    screen.text(labelFor(name, result), TEXT_X, 1, dim(color, 0.6), FONT_3X5);

    if (!result.ok) {
      screen.text(result.denied ? "DENIED" : "NO DATA", TEXT_X, 14, result.denied ? Colors.RED : Colors.GRAY, FONT_5X7);
      return;
    }
    const value = formatValue(fromMqtt ? fieldOf(result.value) : result.value);
    const unit = config.getString("unit", result.attributes.getString("unit_of_measurement"));
    const unitWidth = unitMeasure(unit);
    const big = TEXT_X + VALUE_FONT.measure(value) * 2 + 2 + unitWidth <= 64;
    const end = screen.text(value, TEXT_X, big ? 10 : 14, color, VALUE_FONT, big ? 2 : 1);
    drawUnit(unit, end + 2, big ? 19 : 16, dim(color, 0.8));
  }
}

function iconNamed(name: string): Image {
  if (name == "drop") return DROP;
  if (name == "bolt") return BOLT;
  if (name == "sun") return SUN;
  return THERMOMETER;
}

/** The configured label, else Home Assistant's friendly name, else the topic's last level. */
function labelFor(name: string, result: ReadResult): string {
  const label = config.getString("label");
  if (label.length > 0) return label;
  const friendly = result.attributes.getString("friendly_name");
  if (friendly.length > 0) return friendly;
  return name.substring(name.lastIndexOf("/") + 1);
}

/** With "json_field" set, that field of a JSON payload; the payload itself otherwise. */
function fieldOf(payload: string): string {
  const field = config.getString("json_field");
  if (field.length == 0) return payload.trim();
  const json = JsonValue.parse(payload);
  const v = json !== null ? json.get(field) : null;
  if (v === null) return "?";
  return v.isObject || v.isArray ? "?" : v.kind == JsonKind.String ? v.asString() : v.stringify();
}

/** Rounds numbers to config "decimals" (when set); other text is shown as is. */
function formatValue(text: string): string {
  if (!config.has("decimals")) return text;
  const parsed = JsonValue.parse(text);
  if (parsed === null || parsed.kind != JsonKind.Number || Math.abs(parsed.asNumber()) >= 1e12) return text;
  const decimals = max(0, min(4, config.getInt("decimals")));
  const scale = Math.pow(10, decimals);
  const scaled = <i64>Math.round(Math.abs(parsed.asNumber()) * scale);
  const whole = (scaled / <i64>scale).toString();
  let frac = (scaled % <i64>scale).toString();
  while (frac.length < decimals) frac = "0" + frac;
  const sign = parsed.asNumber() < 0 && scaled != 0 ? "-" : "";
  return sign + whole + (decimals > 0 ? "." + frac : "");
}

/** The font has no "°": a unit starting with it gets a small drawn ring. */
function unitMeasure(unit: string): i32 {
  if (unit.startsWith("°")) return 4 + FONT_3X5.measure(unit.substring(1));
  return FONT_3X5.measure(unit);
}

function drawUnit(unit: string, x: i32, y: i32, color: u32): void {
  if (unit.startsWith("°")) {
    screen.rect(x, y, 3, 3, color);
    screen.text(unit.substring(1), x + 4, y, color, FONT_3X5);
  } else {
    screen.text(unit, x, y, color, FONT_3X5);
  }
}

register(new Sensor());
