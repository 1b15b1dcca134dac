/**
 * MIDI clock in → tempo and beats. The clock sends 24 pulses per quarter note; the tempo is
 * measured over a sliding window of the last pulses' arrival times and reported once a whole
 * beat has been seen, to 0.1 BPM. Where the clock's beats are is known after Start (the first
 * pulse is the downbeat) or a song position pointer before Continue; each beat is then reported
 * with its pulse's arrival time, so the show's beat follows the clock's. A clock joined
 * mid-song (pulses without either) gives the tempo only.
 *
 * @remarks A window of 48 intervals (two beats) averages out USB and scheduler jitter (a
 * millisecond per pulse would be ±5 % on one interval) while following a tempo change within
 * half a second at 120 BPM.
 */
import type { MidiMessage } from './MidiPort.js';

/** MIDI clock pulses per quarter note. */
export const PULSES_PER_BEAT = 24;
/** Pulses per song-position unit (a 16th note). */
const PULSES_PER_POSITION = 6;
/** Intervals measured over. */
const WINDOW = 48;
/** Intervals needed before a tempo is reported (one beat). */
const MIN_INTERVALS = PULSES_PER_BEAT;
/** No pulse for this long (ms): the clock is gone. */
export const CLOCK_TIMEOUT_MS = 2000;
/** A gap between pulses longer than this (ms, 10 BPM) restarts the measurement. */
const MAX_PULSE_GAP_MS = 60000 / (10 * PULSES_PER_BEAT);

/** The messages the clock tracker takes. */
export type ClockMessage = Extract<MidiMessage, { type: 'clock' | 'start' | 'continue' | 'stop' | 'position' }>;

export const isClockMessage = (msg: MidiMessage): msg is ClockMessage =>
  msg.type === 'clock' || msg.type === 'start' || msg.type === 'continue' || msg.type === 'stop' || msg.type === 'position';

/**
 * What the tracker reports: the tempo (BPM; null: no clock any more) when it changes, and once
 * a beat while the clock runs: with `beatAt`, the beat pulse's arrival time (ms), where the
 * beats' place is known, else null (every 24 pulses).
 */
export type ClockReport = (bpm: number | null, beatAt: number | null) => void;

export interface ClockTracker {
  /** A clock-related message from input `from`, arrived at `at` (ms). */
  message(msg: ClockMessage, at: number, from: string): void;
  /** Hands the tempo back (null) if no pulse came for {@link CLOCK_TIMEOUT_MS}. */
  check(now: number): void;
  /** Forgets the clock; reports null if a tempo was reported. */
  reset(): void;
}

/**
 * A tracker that reports through `report` (the hub's `setClock`). Pulses are taken from one
 * input at a time (the first that sends, until it stops or times out). After 'stop' pulses
 * are ignored until 'start' or 'continue' (many devices run the clock while stopped).
 */
export function createClockTracker(report: ClockReport): ClockTracker {
  const times = new Float64Array(WINDOW + 1);
  let count = 0;
  let head = 0;
  let source: string | null = null;
  let stopped = false;
  let last = -Infinity;
  let reported: number | null = null;
  /** The song position, in pulses, of the next pulse; null where it is not known. */
  let pulse: number | null = null;
  /** Pulses since the last report (a clock without position reports every beat's worth). */
  let unreported = 0;

  const clearWindow = (): void => {
    count = 0;
    head = 0;
  };
  const tell = (bpm: number | null, beatAt: number | null, due = false): void => {
    if (bpm === reported && beatAt === null && !due) return;
    reported = bpm;
    unreported = 0;
    report(bpm, beatAt);
  };
  const reset = (): void => {
    clearWindow();
    source = null;
    pulse = null;
    tell(null, null);
  };

  return {
    message(msg, at, from) {
      if (source !== null && from !== source) return;
      switch (msg.type) {
        case 'stop':
          // The song position stays: Continue goes on from here.
          stopped = true;
          clearWindow();
          source = null;
          tell(null, null);
          return;
        case 'position':
          pulse = msg.value * PULSES_PER_POSITION;
          return;
        case 'start':
        case 'continue':
          if (msg.type === 'start') pulse = 0;
          stopped = false;
          source = from;
          clearWindow();
          return;
        case 'clock':
          break;
      }
      if (stopped) return;
      source = from;
      const beat = pulse !== null && pulse % PULSES_PER_BEAT === 0;
      if (pulse !== null) pulse++;
      if (count > 0 && (at - last > MAX_PULSE_GAP_MS || at < last)) clearWindow();
      last = at;
      times[head] = at;
      head = (head + 1) % times.length;
      count = Math.min(count + 1, times.length);
      let bpm = reported;
      const intervals = count - 1;
      if (intervals >= MIN_INTERVALS) {
        const span = at - times[(head - count + times.length) % times.length];
        const raw = (60000 * intervals) / (PULSES_PER_BEAT * span);
        if (span > 0 && (bpm === null || Math.abs(raw - bpm) >= 0.1)) bpm = Math.round(raw * 10) / 10;
      }
      unreported++;
      if (bpm === null) return;
      if (beat) tell(bpm, at);
      else tell(bpm, null, pulse === null && unreported >= PULSES_PER_BEAT);
    },
    check(now) {
      if (source !== null && now - last > CLOCK_TIMEOUT_MS) reset();
    },
    reset,
  };
}
