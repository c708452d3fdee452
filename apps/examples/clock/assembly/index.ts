// A clock: the time in large digits, a seconds bar and the date.
// Config: "hour24" (default true) and "color" (default warm white).
import { App, Colors, FONT_3X5, FONT_5X7, config, dim, pad, register, screen, time } from "@megabit/sdk";

const DAYS: StaticArray<string> = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const MONTHS: StaticArray<string> = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];

class Clock extends App {
  run(): void {
    const now = time.local();
    const hour24 = config.getBool("hour24", true);
    const color = config.getColor("color", Colors.WARM_WHITE);

    screen.clear();
    const hours = hour24 ? pad(now.hour) : now.hour12.toString();
    screen.textCentered(hours + ":" + pad(now.minute), 1, color, FONT_5X7, 2);
    // Seconds: a bar across the bottom of the digits, 64 pixels per minute.
    screen.hline(0, 17, 64, dim(color, 0.15));
    screen.hline(0, 17, (now.second * 64 + 59) / 60, dim(color, 0.6));
    let date = DAYS[now.weekday] + " " + now.day.toString() + " " + MONTHS[now.month - 1];
    if (!hour24) date = (now.isPm ? "PM " : "AM ") + date;
    screen.textCentered(date, 22, color, FONT_3X5);
  }
}

register(new Clock());
