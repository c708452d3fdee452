// A message board fed through the data inbox (`megabit/<device>/cmd/apps/board/data`).
// A payload is plain text, or JSON {"text", "color"?, "from"?}; {"clear": true} empties the board.
// The newest message shows at once; every few seconds the board moves to the next one. Long
// messages are wrapped, two lines a page, in FONT_SMALL: any language the SDK's fonts cover. Button: press = next message, long press = clear.
// Messages survive restarts (KV). Config: "color" (default text colour), "max_messages".
import {
  App, ButtonEvent, Colors, FONT_3X5, FONT_SMALL, JsonValue, KvStatus, Payload, config, dim, kv, parseColor, register, screen,
} from "@megabit/sdk";

const KEY = "messages";
const MAX_TEXT = 280;
/** Ticks (of refresh_period_ms) each page stays up. */
const PAGE_TICKS = 20;
const LINES_PER_PAGE = 2;
/** Messages are people's words: a font with accents, Greek, Cyrillic and Hebrew, not ASCII only. */
const FONT = FONT_SMALL;
/** The first line's top, just under the 5-row header; lines are FONT.height apart. */
const FIRST_LINE_Y = 5;

class Message {
  constructor(readonly text: string, readonly color: string, readonly from: string) {}

  toJson(): JsonValue {
    return JsonValue.object().set("text", JsonValue.string(this.text)).set("color", JsonValue.string(this.color)).set("from", JsonValue.string(this.from));
  }

  static fromJson(v: JsonValue): Message {
    return new Message(v.getString("text"), v.getString("color"), v.getString("from"));
  }
}

class Board extends App {
  messages: Message[] = [];
  /** Index of the message shown, its page, and ticks it has been up. */
  current: i32 = 0;
  page: i32 = 0;
  ticks: i32 = 0;

  setup(): void {
    const saved = kv.getJson(KEY);
    if (saved === null || !saved.isArray) return;
    for (let i = 0; i < saved.length; i++) {
      const m = Message.fromJson(saved.at(i)!);
      if (m.text.length > 0) this.messages.push(m);
    }
  }

  onData(payload: Payload): void {
    const text = payload.text().trim();
    const json = text.startsWith("{") ? JsonValue.parse(text) : null;
    if (json !== null && json.isObject) {
      if (json.getBool("clear")) { this.clear(); return; }
      this.add(new Message(json.getString("text").trim(), json.getString("color"), json.getString("from").trim()));
    } else {
      this.add(new Message(text, "", ""));
    }
  }

  onButton(event: ButtonEvent): void {
    if (event.isLongPress) this.clear();
    else if (event.isPress && this.messages.length > 0) this.show((this.current + 1) % this.messages.length);
  }

  run(): void {
    screen.clear();
    if (this.messages.length == 0) {
      screen.textCentered("No messages", (32 - FONT.height) / 2, Colors.GRAY, FONT);
      return;
    }
    const m = this.messages[this.current];
    const lines = FONT.wrap(m.text, 64);
    const pages = (lines.length + LINES_PER_PAGE - 1) / LINES_PER_PAGE;

    const base = config.getColor("color", Colors.WHITE);
    const color = m.color.length > 0 ? parseColor(m.color, base) : base;
    const position = (this.current + 1).toString() + "/" + this.messages.length.toString() + (pages > 1 ? " p" + (this.page + 1).toString() : "");
    screen.text(position, 64 - FONT_3X5.measure(position), 0, dim(color, 0.5), FONT_3X5);
    if (m.from.length > 0) screen.text(m.from, 0, 0, dim(color, 0.5), FONT_3X5);
    for (let i = 0; i < LINES_PER_PAGE; i++) {
      const n = this.page * LINES_PER_PAGE + i;
      if (n < lines.length) screen.textCentered(lines[n], FIRST_LINE_Y + i * FONT.height, color, FONT);
    }

    this.ticks++;
    if (this.ticks >= PAGE_TICKS) {
      if (this.page + 1 < pages) { this.page++; this.ticks = 0; }
      else this.show((this.current + 1) % this.messages.length);
    }
  }

  add(m: Message): void {
    if (m.text.length == 0) return;
    const text = m.text.length > MAX_TEXT ? m.text.substring(0, MAX_TEXT) : m.text;
    this.messages.push(new Message(text, m.color, m.from));
    const limit = max(1, min(50, config.getInt("max_messages", 10)));
    while (this.messages.length > limit) this.messages.shift();
    this.save();
    this.show(this.messages.length - 1);
  }

  clear(): void {
    this.messages = [];
    kv.remove(KEY);
    this.show(0);
  }

  show(index: i32): void {
    this.current = index;
    this.page = 0;
    this.ticks = 0;
  }

  /** Saves the board, dropping the oldest messages while it does not fit the KV quota. */
  save(): void {
    while (this.messages.length > 0) {
      const list = JsonValue.array();
      for (let i = 0; i < this.messages.length; i++) list.push(this.messages[i].toJson());
      if (kv.setJson(KEY, list) != KvStatus.OverQuota) return;
      this.messages.shift();
    }
  }
}

register(new Board());
