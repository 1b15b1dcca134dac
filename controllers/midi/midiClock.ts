/**
 * MIDI clock in → tempo. The clock sends 24 pulses per quarter note; the tempo is measured
 * over a sliding window of the last pulses' arrival times and reported once a whole beat has
 * been seen, to 0.1 BPM.
 *
 * @remarks A window of 48 intervals (two beats) averages out USB and scheduler jitter (a
 * millisecond per pulse would be ±5 % on one interval) while following a tempo change within
 * half a second at 120 BPM.
 */

/** MIDI clock pulses per quarter note. */
export const PULSES_PER_BEAT = 24;
/** Intervals measured over. */
const WINDOW = 48;
/** Intervals needed before a tempo is reported (one beat). */
const MIN_INTERVALS = PULSES_PER_BEAT;
/** No pulse for this long (ms): the clock is gone. */
export const CLOCK_TIMEOUT_MS = 2000;
/** A gap between pulses longer than this (ms, 10 BPM) restarts the measurement. */
const MAX_PULSE_GAP_MS = 60000 / (10 * PULSES_PER_BEAT);

export type ClockEvent = 'clock' | 'start' | 'continue' | 'stop';

export interface ClockTracker {
  /** A clock-related message from input `from`, arrived at `at` (ms). */
  message(type: ClockEvent, at: number, from: string): void;
  /** Hands the tempo back (null) if no pulse came for {@link CLOCK_TIMEOUT_MS}. */
  check(now: number): void;
  /** The tempo last reported (BPM), or null. */
  bpm(): number | null;
  /** Forgets the clock; reports null if a tempo was reported. */
  reset(): void;
}

/**
 * A tracker that reports through `setTempo` (the hub's `setClockTempo`). Pulses are taken from
 * one input at a time (the first that sends, until it stops or times out). After 'stop' pulses
 * are ignored until 'start' or 'continue' (many devices run the clock while stopped).
 */
export function createClockTracker(setTempo: (bpm: number | null) => void): ClockTracker {
  const times = new Float64Array(WINDOW + 1);
  let count = 0;
  let head = 0;
  let source: string | null = null;
  let stopped = false;
  let last = -Infinity;
  let reported: number | null = null;

  const clearWindow = (): void => {
    count = 0;
    head = 0;
  };
  const report = (bpm: number | null): void => {
    if (bpm === reported) return;
    reported = bpm;
    setTempo(bpm);
  };
  const reset = (): void => {
    clearWindow();
    source = null;
    report(null);
  };

  return {
    message(type, at, from) {
      if (source !== null && from !== source) return;
      switch (type) {
        case 'stop':
          stopped = true;
          reset();
          return;
        case 'start':
        case 'continue':
          stopped = false;
          source = from;
          clearWindow();
          return;
        case 'clock':
          break;
      }
      if (stopped) return;
      source = from;
      if (count > 0 && (at - last > MAX_PULSE_GAP_MS || at < last)) clearWindow();
      last = at;
      times[head] = at;
      head = (head + 1) % times.length;
      count = Math.min(count + 1, times.length);
      const intervals = count - 1;
      if (intervals < MIN_INTERVALS) return;
      const first = times[(head - count + times.length) % times.length];
      const span = at - first;
      if (!(span > 0)) return;
      const raw = (60000 * intervals) / (PULSES_PER_BEAT * span);
      if (reported === null || Math.abs(raw - reported) >= 0.1) report(Math.round(raw * 10) / 10);
    },
    check(now) {
      if (source !== null && now - last > CLOCK_TIMEOUT_MS) reset();
    },
    bpm: () => reported,
    reset,
  };
}
