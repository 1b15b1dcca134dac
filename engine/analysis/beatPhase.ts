import type { Seconds } from '../units.js';
import type { BeatParams, BeatState } from './beat.js';
import { parabolicOffset } from './tempo.js';

/** Width of one phase-histogram bin. */
export const PHASE_BIN_SECONDS: Seconds = 0.008;
/** The histogram's peak must be at least this many times its mean to count as a measurement. */
const MIN_CONTRAST = 2;

/**
 * How far the played beats sit from the oscillator's predicted ones, in cycles in [−½, ½):
 * positive when the onsets come later than predicted. NaN when the recent onset strength has no
 * clear peak at any phase.
 *
 * The recent frames (weighted by strength × e^(−age / phaseWindowSeconds), looking back 3 time
 * constants) are folded at the current period into a histogram of ~8 ms bins around the cycle,
 * each at the mid-time of its strongest hop (hop precision, whatever the frame length), smoothed
 * by a 5-tap binomial kernel; the error is the mode, refined by a parabola. With `bassWeight` > 0
 * the bass flux is folded the same way and each bin is scaled by 1 + bassWeight × (its share of
 * the bass histogram relative to a flat one), so of two phases with similar onset strength the
 * one where the kicks fall wins (dembow's snares land between its kicks, as loud or louder).
 *
 * @remarks The mode rather than a circular mean, so that off-beat and syncopated onsets do not
 * pull the beat toward them: only onsets within a couple of bins of the peak move it.
 */
export function measureBeatPhase(state: BeatState, params: BeatParams, t: Seconds): number {
  const period = state.period;
  const bins = Math.max(8, Math.min(state.hist.length, Math.round(period / PHASE_BIN_SECONDS)));
  let internal = state.cycles - params.leadSeconds / period;
  internal -= Math.floor(internal);
  const lastBeat = t - internal * period;
  const sm = state.histSmooth;
  const total = foldSmoothed(state, state.ring, state.hist, sm, bins, lastBeat, params.phaseWindowSeconds, t);
  if (!(total > 0)) return NaN;
  if (params.bassWeight > 0) {
    const bass = state.bassSmooth;
    const bassTotal = foldSmoothed(state, state.bassRing, state.hist, bass, bins, lastBeat, params.phaseWindowSeconds, t);
    if (bassTotal > 0) {
      const k = (params.bassWeight * bins) / bassTotal;
      for (let b = 0; b < bins; b++) sm[b] *= 1 + k * bass[b];
    }
  }
  let best = 0;
  let sum = 0;
  for (let b = 0; b < bins; b++) {
    sum += sm[b];
    if (sm[b] > sm[best]) best = b;
  }
  if (sm[best] < (MIN_CONTRAST * sum) / bins) return NaN;
  const prev = sm[best === 0 ? bins - 1 : best - 1];
  const next = sm[best + 1 === bins ? 0 : best + 1];
  const mode = (best + parabolicOffset(prev, sm[best], next)) / bins;
  return mode >= 0.5 ? mode - 1 : mode;
}

/**
 * Folds the recent frames of `ring` (weighted by value × e^(−age / tau), back to 3 tau) at the
 * current period into `hist` (`bins` bins, bin 0 at `lastBeat`), then smooths it circularly with a
 * 5-tap binomial kernel into `sm`. Returns the smoothed total.
 */
function foldSmoothed(state: BeatState, ring: Float32Array, hist: Float64Array, sm: Float64Array, bins: number, lastBeat: Seconds, tau: Seconds, t: Seconds): number {
  hist.fill(0, 0, bins);
  const oldest = t - 3 * tau;
  const times = state.ringTime;
  const n = ring.length;
  const count = Math.min(state.frames, n);
  const step = Math.exp(-state.frameSeconds / tau);
  const scale = bins / state.period;
  let w = 1;
  let j = state.ringPos;
  for (let i = 0; i < count; i++) {
    const te = times[j];
    if (te < oldest) break;
    const x = ring[j];
    if (x > 0) {
      let u = (te - lastBeat) * scale;
      u -= Math.floor(u / bins) * bins;
      let b = Math.floor(u);
      const f = u - b;
      if (b >= bins) b -= bins;
      const wx = w * x;
      hist[b] += wx - wx * f;
      hist[b + 1 === bins ? 0 : b + 1] += wx * f;
    }
    w *= step;
    j = j === 0 ? n - 1 : j - 1;
  }
  let total = 0;
  for (let b = 0; b < bins; b++) {
    const m2 = b < 2 ? b - 2 + bins : b - 2;
    const m1 = b < 1 ? bins - 1 : b - 1;
    const p1 = b + 1 >= bins ? b + 1 - bins : b + 1;
    const p2 = b + 2 >= bins ? b + 2 - bins : b + 2;
    const v = (hist[m2] + 4 * hist[m1] + 6 * hist[b] + 4 * hist[p1] + hist[p2]) / 16;
    sm[b] = v;
    total += v;
  }
  return total;
}
