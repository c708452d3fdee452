// Test fixture for the SDK: draws or logs what config.scene asks for; the tests check the result.
import {
  App, ButtonEvent, Colors, DateTime, FONT_3X5, FONT_5X7, IndexedImage, JsonValue, KvStatus, Payload, Random, RgbImage, Scroller,
  config, displayInfo, homeAssistant, hsv, http, icon, kv, log, mix, mqtt, parseColor, random, register, rgb, screen, toHex,
} from "@megabit/sdk";

const CHECKER: StaticArray<u8> = [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255];
const ICON: StaticArray<u8> = [1, 0, 1, 0, 2, 0, 1, 0, 1];
const ICON_PALETTE: StaticArray<u32> = [0x000000, 0xff00ff, 0x00ffff];

class Probe extends App {
  onButton(event: ButtonEvent): void {
    log.info("button " + event.button + " " + event.action + (event.isLongPress ? " long" : ""));
  }

  onData(payload: Payload): void {
    const json = payload.json();
    log.info("data " + payload.bytes.length.toString() + " " + (json !== null ? "json " + json.stringify() : "text " + payload.text()));
  }

  run(): void {
    const scene = config.getString("scene");
    if (scene == "shapes") shapes();
    else if (scene == "text") text();
    else if (scene == "images") images();
    else if (scene == "colors") colors();
    else if (scene == "json") json();
    else if (scene == "kv") store();
    else if (scene == "random") randomness();
    else if (scene == "sources") sources();
    else if (scene == "http") requests();
    else if (scene == "time") times();
    else if (scene == "icons") icons();
    else if (scene == "abort") assert(false, "probe abort");
    else if (scene == "idle") return;
    else log.warn("unknown scene " + scene);
  }
}

function shapes(): void {
  screen.clear();
  screen.pixel(0, 0, Colors.RED);
  screen.pixel(-1, 5, Colors.RED);
  screen.rect(2, 2, 10, 6, Colors.BLUE);
  screen.fillRect(20, 2, 5, 4, Colors.WHITE);
  screen.circle(40, 16, 5, Colors.YELLOW);
  screen.fillCircle(55, 24, 3, Colors.CYAN);
  screen.line(0, 31, 30, 16, Colors.GREEN);
  log.info("size " + displayInfo().width.toString() + "x" + displayInfo().height.toString() + " get " + toHex(screen.get(20, 2)));
}

function text(): void {
  screen.clear();
  const end = screen.text("Hi!", 1, 0, Colors.WHITE, FONT_5X7);
  screen.text("wide 1", 0, 8, Colors.WHITE, FONT_3X5.asProportional());
  screen.text("é😀", 40, 0, Colors.WHITE, FONT_3X5);
  screen.text("7", 0, 16, Colors.WHITE, FONT_5X7, 2);
  // No font given: the default font has accented letters and symbols.
  screen.text("é€", 40, 16, Colors.WHITE);
  const scroller = new Scroller("Hé");
  log.info("end " + end.toString() + " measure " + FONT_5X7.measure("Hello").toString() + " " + FONT_3X5.asProportional().measure("il1 W").toString() + " " + FONT_5X7.measure("").toString() + " scroller " + scroller.period.toString());
}

function images(): void {
  screen.clear(Colors.DARK_GRAY);
  screen.image(new RgbImage(2, 2, CHECKER), 0, 0);
  screen.image(new IndexedImage(3, 3, ICON_PALETTE, ICON, 0), 10, 10);
  screen.image(new RgbImage(2, 2, CHECKER, 0xffffff), 62, 30);
}

function colors(): void {
  log.info([
    toHex(hsv(0, 1, 1)), toHex(hsv(120, 1, 1)), toHex(hsv(240, 1, 0.5)), toHex(hsv(-60, 1, 1)), toHex(hsv(30, 0, 0.5)),
    toHex(hsv(725.5, 1, 1)), toHex(hsv(-1000.25, 1, 1)), toHex(hsv(1e9, 1, 1)),
    toHex(parseColor("#123456")), toHex(parseColor("abc")), toHex(parseColor("Orange")), toHex(parseColor("nope", 0x010203)),
    toHex(mix(0x000000, 0xff8040, 0.5)), toHex(rgb(300, -5, 128)),
  ].join(" "));
}

function json(): void {
  const v = JsonValue.parse(" {\"a\": [1, 2.5, -3e2, true, null], \"s\": \"q\\\"\\u00e9\\n\", \"o\": {\"k\": \"v\"}} ");
  log.info(v !== null ? v.stringify() : "null");
  log.info(v !== null ? v.get("o")!.getString("k") + " " + v.get("a")!.at(1)!.asNumber().toString() + " " + v.get("a")!.length.toString() : "null");
  const bad = ["{", "[1,]", "{\"a\" 1}", "tru", "\"unterminated", "1 2", "{\"a\":1}x"];
  let nulls = 0;
  for (let i = 0; i < bad.length; i++) if (JsonValue.parse(bad[i]) === null) nulls++;
  log.info("invalid rejected " + nulls.toString() + "/" + bad.length.toString());
  const built = JsonValue.object().set("n", JsonValue.number(7)).set("list", JsonValue.array().push(JsonValue.string("x")).push(JsonValue.bool(false)));
  log.info(built.stringify());
}

function store(): void {
  const step = config.getInt("step");
  if (step == 1) {
    const results = [
      kv.setString("name", "Grüße ✓"),
      kv.setNumber("count", 41.5),
      kv.setJson("obj", JsonValue.object().set("x", JsonValue.number(1))),
      kv.setString("", "x"),
      kv.setString("big", "y".repeat(400)),
    ];
    log.info("set " + results.join(","));
    log.info("ok " + (<i32>KvStatus.Ok).toString() + " quota " + (<i32>KvStatus.OverQuota).toString() + " key " + (<i32>KvStatus.BadKey).toString());
  } else {
    const name = kv.getString("name");
    const obj = kv.getJson("obj");
    log.info("get " + (name !== null ? name : "null") + " " + kv.getNumber("count").toString() + " " + (obj !== null ? obj.stringify() : "null") + " " + (kv.getString("big") === null ? "nobig" : "big"));
    kv.remove("name");
    log.info("removed " + (kv.getString("name") === null ? "yes" : "no") + " fallback " + kv.getNumber("missing", 9).toString());
  }
}

function randomness(): void {
  const a = new Random(42), b = new Random(42), c = new Random(43);
  let same = true, differs = false, inRange = true;
  for (let i = 0; i < 100; i++) {
    const x = a.next();
    if (x != b.next()) same = false;
    if (x != c.next()) differs = true;
    const n = random().int(-3, 3);
    if (n < -3 || n > 3) inRange = false;
    const f = random().float();
    if (f < 0 || f >= 1) inRange = false;
  }
  log.info("same " + same.toString() + " differs " + differs.toString() + " inRange " + inRange.toString());
}

function sources(): void {
  const m = mqtt("probe/allowed");
  const d = mqtt("probe/other");
  const h = homeAssistant("sensor.probe");
  log.info("mqtt " + m.ok.toString() + " " + m.value + " " + m.error + " " + (m.unavailable ? "unavailable" : "-") + " " + m.number.toString());
  log.info("denied " + d.ok.toString() + " " + d.denied.toString() + " " + d.error);
  log.info("ha " + h.ok.toString() + " " + h.value + " " + h.attributes.getString("unit_of_measurement") + " " + h.error);
}

function requests(): void {
  const base = config.getString("base");
  const g = http.get(base + "/json", JsonValue.object().set("x-probe", JsonValue.string("sdk")));
  const parsed = g.json();
  log.info("get " + g.status.toString() + " " + g.ok.toString() + " " + (parsed !== null ? parsed.getString("seen") : "not json"));
  const p = http.request("POST", base + "/echo", Uint8Array.wrap(String.UTF8.encode("ping")));
  log.info("post " + p.status.toString() + " " + p.text());
  const m = http.get(base + "/missing");
  log.info("missing " + m.status.toString() + " " + m.ok.toString());
}

function times(): void {
  const stamps: StaticArray<i64> = [0, 951782400000, -1, 4102444800000, 1700000000123];
  for (let i = 0; i < stamps.length; i++) {
    const t = DateTime.fromMs(stamps[i]);
    log.info(t.year.toString() + "-" + t.month.toString() + "-" + t.day.toString() + " " + t.hour.toString() + ":" + t.minute.toString() + ":" + t.second.toString() + "." + t.millisecond.toString() + " " + t.weekdayName + " " + t.monthName + " " + t.hour12.toString() + (t.isPm ? "pm" : "am"));
  }
}

register(new Probe());

function icons(): void {
  screen.clear(Colors.BLUE);
  // Half off the left edge, then whole; an unknown name draws nothing.
  log.info("icon sun " + icon("sun", -4, 0).toString() + " " + icon("sun", 10, 0).toString());
  log.info("icon nothing " + icon("no_such_icon", 30, 0).toString() + " " + icon("x".repeat(40), 30, 0).toString());
}
