// Scrolling text in any language the Unicode fonts carry (Hebrew reads right to left). Config:
// "text", "color", "speed" (pixels per tick) and "font" ("small", "regular", "5x7" or "3x5").
// The scroll position is kept in the KV store, so a restart continues where the text was.
import { App, Colors, FONT_3X5, FONT_5X7, FONT_REGULAR, FONT_SMALL, Font, Scroller, config, kv, register, screen } from "@megabit/sdk";

const OFFSET_KEY = "offset";

class Scroll extends App {
  scroller: Scroller | null = null;

  run(): void {
    const text = config.getString("text", "Hello from Megabit!");
    const name = config.getString("font", "small");
    const font: Font = name == "regular" ? FONT_REGULAR : name == "5x7" ? FONT_5X7 : name == "3x5" ? FONT_3X5 : FONT_SMALL;
    let s = this.scroller;
    if (s === null || s.font !== font) {
      s = new Scroller(text, (32 - font.height) / 2, Colors.WHITE, font);
      const saved = kv.getNumber(OFFSET_KEY, 0);
      s.offset = saved >= 0 && saved < <f64>s.period ? <i32>saved : 0;
      this.scroller = s;
    } else if (s.content != text) {
      s.setText(text, true);
    }
    s.color = config.getColor("color", Colors.CYAN);
    s.speed = max(1, min(8, config.getInt("speed", 1)));

    screen.clear();
    s.draw(screen);
    s.step();
    kv.setNumber(OFFSET_KEY, s.offset);
  }
}

register(new Scroll());
