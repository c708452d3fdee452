// What the host says about the display.
import { takeString } from "./block";
import { mb_display_info } from "./host";
import { JsonValue } from "./json";

export class DisplayInfo {
  constructor(readonly width: i32, readonly height: i32) {}
}

let info: DisplayInfo | null = null;

export function displayInfo(): DisplayInfo {
  if (info === null) {
    const text = takeString(mb_display_info());
    const v = text !== null ? JsonValue.parse(text) : null;
    info = v !== null ? new DisplayInfo(<i32>v.getNumber("width", 64), <i32>v.getNumber("height", 32)) : new DisplayInfo(64, 32);
  }
  return info!;
}
