/**
 * Where each part of a screen goes on the 64x32 panel. The defaults, top to bottom:
 *
 * - progress: the bottom PROGRESS_HEIGHT rows, full width, with one blank row above it;
 * - chart: full width, below a band holding the icon and the text (or the whole area above the
 *   progress bar when there is neither text nor icon);
 * - icon: at the left (or right) edge, vertically centred in the area above progress and chart;
 * - text: the width the icon leaves (one blank column from it), vertically centred in the same area.
 */
import { DISPLAY_HEIGHT, DISPLAY_WIDTH } from '@megabit/contract';

export const PROGRESS_HEIGHT = 2;
/** Blank rows between the progress bar and what is above it. */
export const PROGRESS_GAP = 1;
/** Blank columns between the icon and the text's area. */
export const ICON_GAP = 1;
/** Blank rows above and below the icon and the text when a chart sits below them. */
export const BAND_MARGIN = 1;
/** Rows a chart keeps however tall the band above it would like to be. */
export const MIN_CHART_HEIGHT = 8;

export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface LayoutParts {
  /** Rows of the text's line (lineHeight of its font); undefined without text. */
  readonly textHeight: number | undefined;
  /** The icon's size and side; undefined without an icon (or one the icon source does not have). */
  readonly icon: { readonly width: number; readonly height: number; readonly position: 'left' | 'right' } | undefined;
  readonly chart: boolean;
  readonly progress: boolean;
}

export interface ScreenLayout {
  /** Top-left corner of the icon. */
  readonly icon: { readonly x: number; readonly y: number } | undefined;
  /** The area the text is aligned, centred and scrolled in (and clipped to). */
  readonly text: Rect | undefined;
  readonly chart: Rect | undefined;
  readonly progress: Rect | undefined;
}

export function layoutScreen(parts: LayoutParts): ScreenLayout {
  const contentHeight = parts.progress ? DISPLAY_HEIGHT - PROGRESS_HEIGHT - PROGRESS_GAP : DISPLAY_HEIGHT;
  const progress = parts.progress ? { x: 0, y: DISPLAY_HEIGHT - PROGRESS_HEIGHT, width: DISPLAY_WIDTH, height: PROGRESS_HEIGHT } : undefined;
  const hasBand = parts.textHeight !== undefined || parts.icon !== undefined;

  let bandHeight = contentHeight;
  let chart: Rect | undefined;
  if (parts.chart) {
    if (hasBand) {
      const wanted = Math.max(parts.textHeight ?? 0, parts.icon?.height ?? 0) + 2 * BAND_MARGIN;
      bandHeight = Math.max(0, Math.min(wanted, contentHeight - MIN_CHART_HEIGHT));
    } else {
      bandHeight = 0;
    }
    chart = { x: 0, y: bandHeight, width: DISPLAY_WIDTH, height: contentHeight - bandHeight };
  }

  let icon: ScreenLayout['icon'];
  let textX = 0;
  let textWidth = DISPLAY_WIDTH;
  if (parts.icon) {
    const { width, height, position } = parts.icon;
    icon = { x: position === 'right' ? DISPLAY_WIDTH - width : 0, y: Math.floor((bandHeight - height) / 2) };
    textWidth = Math.max(0, DISPLAY_WIDTH - width - ICON_GAP);
    textX = position === 'right' ? 0 : DISPLAY_WIDTH - textWidth;
  }
  const text = parts.textHeight === undefined ? undefined : { x: textX, y: 0, width: textWidth, height: bandHeight };
  return { icon, text, chart, progress };
}
