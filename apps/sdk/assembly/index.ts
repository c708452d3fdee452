// Megabit app SDK: everything an app imports from "@megabit/sdk".
export { App, ButtonEvent, Payload, register } from "./app";
export { Canvas, HEIGHT, WIDTH, screen } from "./canvas";
export { Color, Colors, blue, dim, green, hsv, mix, parseColor, red, rgb, toHex } from "./color";
export { config } from "./config";
export { DisplayInfo, displayInfo } from "./display";
export { displayOrder } from "./bidi";
export { FONT_3X5, FONT_5X7, Font } from "./font";
export { HttpResponse, http } from "./http";
export { icon } from "./icon";
export { Image, IndexedImage, NO_TRANSPARENCY, RgbImage } from "./image";
export { JsonKind, JsonValue } from "./json";
export { KvStatus, kv } from "./kv";
export { log } from "./log";
export { Random, random } from "./random";
export { Scroller } from "./scroller";
export { FONT_REGULAR, FONT_SMALL, UnicodeFont } from "./unicode-font";
export { ReadResult, homeAssistant, mqtt } from "./sources";
export { DateTime, pad, time } from "./time";
