import type { Hz, Seconds } from '../units.js';

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  /** Where lines go; default `process.stderr` (stdout stays for data). Redraws in place when `isTTY`. */
  stream?: NodeJS.WritableStream;
  /** Printed before the line, e.g. `render`. */
  label?: string;
  /** Clock in milliseconds; default `performance.now`. Injected by tests. */
  now?: () => number;
  /** Least time between two redraws on a TTY; default 100 ms. */
  minIntervalMs?: number;
  /** Units (frames) per second of media, e.g. the fps, to print the speed as a real-time factor. */
  unitsPerSecondOfMedia?: Hz;
}

/** A progress line for a job of a known number of units. */
export interface Progress {
  /** Reports `done` units finished so far; cheap to call every unit (draws are rate-limited). */
  update(done: number): void;
  /** Draws the last state and ends the line; later calls do nothing. */
  finish(): void;
}

/** Width of the bar between its brackets, in characters. */
const BAR = 30;

/**
 * Formats a duration as `m:ss`, or `h:mm:ss` from one hour, rounded to the nearest second.
 *
 * @returns `--:--` for a negative, infinite or NaN duration (an unknown ETA).
 */
export function formatDuration(seconds: Seconds): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/**
 * One progress line, without label: bar, percent, done/total, rate, elapsed, ETA and, given
 * the media rate, the speed as a real-time factor. For example
 * `formatProgress(150, 300, 12, 30)` is
 * `[###############---------------]  50%  150/300  12.5/s  elapsed 0:12  ETA 0:12  0.42× real time`.
 *
 * @remarks The percent is floored, so 100% means finished. Rate and ETA read `-/s` and `--:--`
 * until some time has passed and a unit is done; a total of 0 counts as finished. The factor
 * has 2 decimals below 1×, 1 below 10×, none above.
 */
export function formatProgress(done: number, total: number, elapsedSeconds: Seconds, unitsPerSecondOfMedia?: Hz): string {
  const frac = total > 0 ? Math.min(1, Math.max(0, done / total)) : 1;
  const filled = Math.floor(frac * BAR);
  const rate = elapsedSeconds > 0 && done > 0 ? done / elapsedSeconds : NaN;
  const eta = frac >= 1 ? 0 : (total - done) / rate;
  const parts = [
    `[${'#'.repeat(filled)}${'-'.repeat(BAR - filled)}] ${String(Math.floor(frac * 100)).padStart(3)}%`,
    `${done}/${total}`,
    Number.isFinite(rate) ? `${rate.toFixed(1)}/s` : '-/s',
    `elapsed ${formatDuration(elapsedSeconds)}`,
    `ETA ${formatDuration(eta)}`,
  ];
  if (unitsPerSecondOfMedia !== undefined && unitsPerSecondOfMedia > 0 && Number.isFinite(rate)) {
    const f = rate / unitsPerSecondOfMedia;
    parts.push(`${f.toFixed(f < 1 ? 2 : f < 10 ? 1 : 0)}× real time`);
  }
  return parts.join('  ');
}

/**
 * A progress reporter for a long job (an offline render) of `total` units.
 *
 * On a TTY it redraws one line in place (`\r`, then erase to end of line) at most every
 * `minIntervalMs`, and always for the last unit. On anything else (a log file, a CI pipe) it
 * prints a plain line each time another tenth of the job is done: at most 11 lines.
 *
 * @remarks `update` only compares numbers unless it draws, so a render loop can call it every
 * frame. The clock starts when the reporter is created.
 * @throws RangeError when `total` is negative or not finite.
 */
export function createProgress(total: number, opts: ProgressOptions = {}): Progress {
  if (!(Number.isFinite(total) && total >= 0)) throw new RangeError(`progress: total must be a finite number ≥ 0, got ${total}`);
  const stream = opts.stream ?? process.stderr;
  const now = opts.now ?? (() => performance.now());
  const minInterval = opts.minIntervalMs ?? 100;
  const tty = (stream as { isTTY?: boolean }).isTTY === true;
  const prefix = opts.label ? `${opts.label} ` : '';
  const t0 = now();
  let lastDone = 0;
  let lastDrawMs = -Infinity;
  let lastTenth = -1;
  let lastPrinted = -1;
  let finished = false;

  const line = (done: number, t: number): string =>
    prefix + formatProgress(done, total, (t - t0) / 1000, opts.unitsPerSecondOfMedia);
  const tenth = (done: number): number => (total > 0 ? Math.floor(Math.min(1, Math.max(0, done / total)) * 10) : 10);

  const draw = (done: number, t: number): void => {
    if (tty) {
      stream.write(`\r${line(done, t)}\x1b[K`);
      lastDrawMs = t;
    } else {
      stream.write(`${line(done, t)}\n`);
      lastTenth = tenth(done);
      lastPrinted = done;
    }
  };

  return {
    update(done) {
      if (finished) return;
      lastDone = done;
      if (tty) {
        const t = now();
        if (t - lastDrawMs >= minInterval || done >= total) draw(done, t);
      } else if (tenth(done) > lastTenth) {
        draw(done, now());
      }
    },
    finish() {
      if (finished) return;
      finished = true;
      if (tty) {
        draw(lastDone, now());
        stream.write('\n');
      } else if (lastPrinted !== lastDone) {
        draw(lastDone, now());
      }
    },
  };
}
