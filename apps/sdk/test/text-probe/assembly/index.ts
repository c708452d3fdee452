// Test fixture for the SDK's fonts: draws config.text in config.font at (config.x, 0) and logs
// its measured width, where the pen ended, the line height, and for a Unicode font which of its
// code points have a glyph of their own ("1") or draw as the box ("0").
import { App, Colors, FONT_3X5, FONT_5X7, FONT_REGULAR, FONT_SMALL, Font, UnicodeFont, config, log, register, screen } from "@megabit/sdk";

class TextProbe extends App {
  run(): void {
    screen.clear();
    const name = config.getString("font", "small");
    const font: Font = name == "regular" ? FONT_REGULAR : name == "3x5" ? FONT_3X5 : name == "5x7" ? FONT_5X7 : FONT_SMALL;
    const text = config.getString("text");
    const x = config.getInt("x", 0);
    const end = screen.text(text, x, 0, Colors.WHITE, font);
    let has = "";
    if (font instanceof UnicodeFont) {
      const unicodeFont = <UnicodeFont>font;
      for (let i = 0; i < text.length; i++) {
        const c = text.codePointAt(i);
        if (c > 0xffff) i++;
        has += unicodeFont.has(c) ? "1" : "0";
      }
    }
    log.info("measure " + font.measure(text).toString() + " end " + end.toString() + " height " + font.height.toString() + " has " + has);
  }
}

register(new TextProbe());
