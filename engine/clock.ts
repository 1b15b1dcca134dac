import type { Frames, Hz, Seconds } from './units.js';

/**
 * The one engine clock: time is the number of sample frames delivered by the active audio
 * source, divided by its sample rate.
 *
 * @remarks Sample-count time, not wall time, so an offline render and a test that tick by hand
 * see exactly the timestamps of the live show. The wall-clock anchor is kept only to measure
 * latency (capture → output) against `performance.now()`.
 */
export interface EngineClock {
  readonly sampleRate: Hz;
  /** Frames delivered so far (the start frame of the next block). */
  frames: Frames;
}

export function createClock(sampleRate: Hz): EngineClock {
  if (!(sampleRate > 0)) throw new Error(`clock: sample rate must be positive, got ${sampleRate}`);
  return { sampleRate, frames: 0 };
}

/** Engine time of a frame index. */
export function framesToSeconds(clock: EngineClock, frame: Frames): Seconds {
  return frame / clock.sampleRate;
}

/** Advance the clock by one block; returns the engine time of the block's first frame. */
export function advance(clock: EngineClock, frames: Frames): Seconds {
  const t = clock.frames / clock.sampleRate;
  clock.frames += frames;
  return t;
}
