/**
 * The model both ends of LEVEL_RICE (level-rice.ts, firmware/core/level_rice.c) run over a
 * rectangle, channel by channel in the same order: each channel's class predicted by a blend of
 * four linear predictors weighted by how well each did on the neighbours, and the Rice parameter
 * for its error taken from how large the neighbours' errors were (docs/serial-protocol.md §5).
 * Neighbours are in the same channel and inside the rectangle, which a band below the top of
 * the panel extends upwards by the rows of the draw buffer it was given (their channels are
 * modelled like any other, but never coded).
 */

/** Rows of the draw buffer a rectangle below the top extends upwards by (fewer at y = 1). */
export const PRIMED_ROWS = 2;
const MAX_K = 7;
/** The context a channel at the rectangle's edge gets for its missing neighbour. */
const EDGE_MAGNITUDE = 2;
/** Predictors blended: W+N-NW, W+NE-N, 2W-WW, 2N-NN. */
const PREDICTORS = 4;
/** A predictor whose neighbours' absolute errors sum to s weighs WEIGHT_ONE / (1+s)^2 + 1. */
const WEIGHT_ONE = 65536;
/** Sums from this one on weigh 1 (WEIGHT_ONE / (1+s)^2 is below 1): the rest is a table. */
const WEIGHTED = 256;
const WEIGHTS = Int32Array.from({ length: WEIGHTED }, (_, s) => Math.floor(WEIGHT_ONE / ((1 + s) * (1 + s))) + 1);

/** `p` inside 0..top. */
function clamp(p: number, top: number): number {
  return Math.max(0, Math.min(p, top));
}

/** A row of class indices: an array and the index of the rectangle's column 0 in it. */
export interface RowRef {
  data: Uint8Array;
  at: number;
}

/**
 * The model's state for one row: a value per channel of each column, with one column of padding
 * on each side, so the neighbours of the edge columns read what outside counts as (z 2, errors 0)
 * without a test; index (x + 1) * 3 + c.
 */
function padded(width: number): number {
  return (width + 2) * 3;
}

export class LevelRiceModel {
  /** Mapped errors (z) per channel of the row above and of this row: the Rice context. */
  private zUp = new Uint16Array(0);
  private zCur = new Uint16Array(0);
  /** Each predictor's absolute error per channel, the four side by side, row above and this row. */
  private errUp = new Uint8Array(0);
  private errCur = new Uint8Array(0);
  /** Each predictor's prediction of the channel last predicted. */
  private readonly each = new Int32Array(PREDICTORS);
  private width = 0;
  private top = 0;
  private cur: RowRef = { data: new Uint8Array(0), at: 0 };
  private up?: RowRef;
  private up2?: RowRef;

  constructor(width: number, classCount: number) {
    this.begin(width, classCount);
  }

  /**
   * Starts the model over for a rectangle `width` wide (its rows then come through `startRow`),
   * keeping its arrays when they are long enough: LevelRiceEncoder says why.
   */
  begin(width: number, classCount: number): void {
    const length = padded(width);
    if (this.zUp.length < length) {
      this.zUp = new Uint16Array(length);
      this.zCur = new Uint16Array(length);
      this.errUp = new Uint8Array(length * PREDICTORS);
      this.errCur = new Uint8Array(length * PREDICTORS);
    }
    // The row above the first is outside, as are the padding columns for good.
    this.zUp.fill(EDGE_MAGNITUDE, 0, length);
    this.zCur.fill(EDGE_MAGNITUDE, 0, length);
    this.errUp.fill(0, 0, length * PREDICTORS);
    this.errCur.fill(0, 0, length * PREDICTORS);
    this.width = width;
    this.top = classCount - 1;
  }

  /** The next row begins: where its classes are (as far as known) and the two rows above it. */
  startRow(cur: RowRef, up: RowRef | undefined, up2: RowRef | undefined): void {
    this.cur = cur;
    this.up = up;
    this.up2 = up2;
  }

  /** The blended prediction of channel `c` at column `x` of this row (its left neighbours known). */
  predict(x: number, c: number): number {
    const { cur, up, up2, each, width, top, errUp, errCur } = this;
    const i = cur.at + x * 3 + c;
    const u = up ? up.at + x * 3 + c : 0;
    const w = x > 0 ? cur.data[i - 3] : up ? up.data[u] : 0;
    const n = up ? up.data[u] : w;
    const nw = x > 0 && up ? up.data[u - 3] : n;
    const ne = up && x + 1 < width ? up.data[u + 3] : n;
    const ww = x > 1 ? cur.data[i - 6] : w;
    const nn = up2 ? up2.data[up2.at + x * 3 + c] : n;
    const p0 = clamp(w + n - nw, top);
    const p1 = clamp(w + ne - n, top);
    const p2 = clamp(2 * w - ww, top);
    const p3 = clamp(2 * n - nn, top);
    each[0] = p0;
    each[1] = p1;
    each[2] = p2;
    each[3] = p3;
    // Each predictor's errors on the left, up-left, up and up-right neighbours (padded rows).
    const at = ((x + 1) * 3 + c) * PREDICTORS;
    const side = 3 * PREDICTORS;
    const s0 = errCur[at - side] + errUp[at - side] + errUp[at] + errUp[at + side];
    const s1 = errCur[at - side + 1] + errUp[at - side + 1] + errUp[at + 1] + errUp[at + side + 1];
    const s2 = errCur[at - side + 2] + errUp[at - side + 2] + errUp[at + 2] + errUp[at + side + 2];
    const s3 = errCur[at - side + 3] + errUp[at - side + 3] + errUp[at + 3] + errUp[at + side + 3];
    const w0 = s0 < WEIGHTED ? WEIGHTS[s0] : 1;
    const w1 = s1 < WEIGHTED ? WEIGHTS[s1] : 1;
    const w2 = s2 < WEIGHTED ? WEIGHTS[s2] : 1;
    const w3 = s3 < WEIGHTED ? WEIGHTS[s3] : 1;
    const weights = w0 + w1 + w2 + w3;
    return Math.floor((w0 * p0 + w1 * p1 + w2 * p2 + w3 * p3 + (weights >> 1)) / weights);
  }

  /** k = floor(log2) of the mean z of the four neighbours already coded, 0..7. */
  riceParameter(x: number, c: number): number {
    const { zUp, zCur } = this;
    const i = (x + 1) * 3 + c;
    const context = (zCur[i - 3] + zUp[i - 3] + zUp[i] + zUp[i + 3] + 2) >> 2;
    let k = 0;
    while (k < MAX_K && 2 << k <= context) k++;
    return k;
  }

  /** Channel `c` at `x` is `value`, after `predict(x, c)` gave `predicted`; returns its z. */
  record(x: number, c: number, value: number, predicted: number): number {
    const { errCur, each } = this;
    const i = (x + 1) * 3 + c;
    const at = i * PREDICTORS;
    for (let j = 0; j < PREDICTORS; j++) {
      const d = value - each[j];
      errCur[at + j] = d < 0 ? -d : d;
    }
    const error = value - predicted;
    const z = error >= 0 ? 2 * error : -2 * error - 1;
    this.zCur[i] = z;
    return z;
  }

  endRow(): void {
    const z = this.zUp;
    this.zUp = this.zCur;
    this.zCur = z;
    const err = this.errUp;
    this.errUp = this.errCur;
    this.errCur = err;
  }

  /** Models a row of the draw buffer above the rectangle: known classes, nothing coded. */
  primeRow(cur: RowRef, up: RowRef | undefined, up2: RowRef | undefined): void {
    this.startRow(cur, up, up2);
    for (let x = 0; x < this.width; x++) {
      for (let c = 0; c < 3; c++) this.record(x, c, cur.data[cur.at + x * 3 + c], this.predict(x, c));
    }
    this.endRow();
  }
}
