import type { Seconds } from '../units.js';
import { measureBeatPhase, PHASE_BIN_SECONDS } from './beatPhase.js';
import { acfPush, createTempoAcf, estimateTempo, scorePeriod, type Bpm, type TempoAcf, type TempoEstimate } from './tempo.js';

export type { Bpm } from './tempo.js';

/**
 * Causal tempo and beat-phase tracking, with tap tempo.
 *
 * Tempo: the onset strength, downsampled to ~10 ms frames, feeds an exponentially windowed
 * autocorrelation; every `updateSeconds` the period is estimated from it (tempo prior, comb,
 * metrical-level check, refinement over the multiples: see `estimateTempo`) and followed with
 * hysteresis. Phase: an oscillator advanced each hop by dt·bpm/60 predicts the beats; every
 * `updateSeconds` the recent onset strength is folded at the current period into a phase
 * histogram whose mode tells how far the predicted beats sit from the played ones, and the
 * oscillator is pulled part of the way there. `beat` fires from the oscillator, so it is on time
 * rather than back-dated from an onset, and keeps going through a missed beat.
 *
 * Breaks: when the onset strength falls away, bpm and phase hold and the oscillator runs on;
 * confidence decays with `silenceDecaySeconds`, and beats stop once it is below
 * `beatMinConfidence` (about 3 s into a silence with the defaults), so a VJ keeps the pulse
 * through a short break and the show does not flash to a beat that is long gone.
 */
export interface BeatParams {
  /** Slowest tempo considered (BPM). Sizes the buffers at creation; later values are clamped to it. */
  minBpm: Bpm;
  /** Fastest tempo considered (BPM). */
  maxBpm: Bpm;
  /** Centre of the log-Gaussian tempo prior (BPM); a tap moves the centre to the tapped tempo. */
  preferredBpm: Bpm;
  /** Standard deviation of the tempo prior, in octaves. */
  priorOctaves: number;
  /** Take double the best tempo when its (prior-weighted) score is at least this fraction of the best's. */
  fasterLevelRatio: number;
  /** Take 4/3 of the best lag when its pulse train (autocorrelation at 1–4 × it) is this many times the best lag's (see estimateTempo). */
  threeFourRatio: number;
  /** Length of onset-strength history the tempo is estimated from: the autocorrelation's
   *  exponential window has time constant historySeconds / 2 (the same mean age). */
  historySeconds: Seconds;
  /** Target frame length of the downsampled onset strength (rounded to whole hops; set at creation). */
  frameSeconds: Seconds;
  /** How often tempo and phase are re-estimated. */
  updateSeconds: Seconds;
  /** Rhythmic input needed before the first tempo is reported. */
  warmupSeconds: Seconds;
  /** Confidence (periodicity part) needed to report or change the tempo. */
  lockConfidence: number;
  /** Estimates within this relative distance of the current period refine it; farther ones are a new candidate. */
  tempoTolerance: number;
  /** Fraction of the way the period moves toward a refining estimate, per update. */
  tempoSmoothing: number;
  /** A new tempo candidate must win this long before it replaces the current tempo (hysteresis). */
  switchSeconds: Seconds;
  /** ... or this long when the candidate is double or half the current tempo, once the tempo has
   *  held for historySeconds: a change of metrical level is the most visible mistake. */
  octaveSwitchSeconds: Seconds;
  /** ... unless the current tempo scores below this fraction of the candidate: then it switches
   *  at once. (The first tempo needs 0.5 × switchSeconds of agreeing estimates.) */
  switchScoreRatio: number;
  /** Time constant of the recency weighting of the phase histogram (it looks back 3× this). */
  phaseWindowSeconds: Seconds;
  /** Fraction of the measured phase error corrected per update, in (0, 1]. */
  phaseGain: number;
  /** Periodicity (normalised autocorrelation at the beat period) that counts as full confidence. */
  periodicityFull: number;
  /** Time constant of the local mean subtracted from the onset strength (then half-wave rectified). */
  localMeanSeconds: Seconds;
  /**
   * Weight of the bass flux (bands up to the onset's `bassMaxHz`: kick drums) in the phase
   * histogram only, not the tempo: each phase bin's onset strength is scaled by 1 + bassWeight ×
   * the bass histogram's share there relative to a flat one, so the beat sits where the kicks are,
   * not on a snare that lands between them as often (dembow, reggaeton). 0 = onset strength alone.
   */
  bassWeight: number;
  /** Hops flagged as onsets count (1 + onsetEmphasis) times their onset strength. */
  onsetEmphasis: number;
  /** A frame is a strong onset when its onset strength reaches this fraction of the recent peak
   *  (a peak follower decaying with time constant peakSeconds). */
  strongOnsetRatio: number;
  /** Time constant of that peak follower: how long a loud passage keeps the soft one after it from counting as strong. */
  peakSeconds: Seconds;
  /** A break is this long without a strong onset (or 2.2 beat periods, when that is longer). */
  breakSeconds: Seconds;
  /** Time constant of the confidence decay during a break (and after a tap hold ends). */
  silenceDecaySeconds: Seconds;
  /** No `beat` fires while confidence is below this. */
  beatMinConfidence: number;
  /** A tap more than this after the previous one starts a new tap sequence. */
  tapTimeoutSeconds: Seconds;
  /** After a tap, the tapped tempo and phase hold (confidence 1) this long; then the tracker may
   *  take over again, but only once its own confidence reaches `lockConfidence`. */
  tapHoldSeconds: Seconds;
  /** Fire `beat` (and advance `phase`) this much ahead of the predicted beat, to hide output latency. */
  leadSeconds: Seconds;
}

export const defaultBeatParams: BeatParams = {
  minBpm: 60,
  maxBpm: 200,
  preferredBpm: 120,
  priorOctaves: 0.8,
  fasterLevelRatio: 0.65,
  threeFourRatio: 1,
  historySeconds: 6,
  frameSeconds: 0.01,
  updateSeconds: 0.25,
  warmupSeconds: 1.5,
  lockConfidence: 0.4,
  tempoTolerance: 0.04,
  tempoSmoothing: 0.5,
  switchSeconds: 1,
  octaveSwitchSeconds: 4,
  switchScoreRatio: 0.75,
  phaseWindowSeconds: 3,
  phaseGain: 0.5,
  periodicityFull: 0.5,
  localMeanSeconds: 0.15,
  bassWeight: 0.25,
  onsetEmphasis: 1,
  strongOnsetRatio: 0.3,
  peakSeconds: 6,
  breakSeconds: 1.5,
  silenceDecaySeconds: 2,
  beatMinConfidence: 0.2,
  tapTimeoutSeconds: 2,
  tapHoldSeconds: 8,
  leadSeconds: 0,
};

/** Taps remembered for the median interval. */
const MAX_TAPS = 8;
/**
 * An onset in a hop is taken to lie this fraction of the hop before the hop's end.
 *
 * @remarks Past the middle (0.5 would be unbiased for an onset anywhere in the hop), because an
 * onset detection function peaks at or after its onset, never before: leaning early makes the
 * beat fire on the onset's hop rather than the one after when the estimate is a little off.
 */
const ONSET_POSITION = 0.75;
/** A clock correction up to this (cycles) is a nudge: the beat count runs on through it. */
const CLOCK_NUDGE = 0.1;
/** A beat whose predicted time a phase correction jumps past still fires if it is this recent. */
const CATCH_UP_SECONDS = 0.025;

/** Tracker state, allocated once by `createBeatState`. The first four fields are the outputs. */
export interface BeatState {
  /** Tempo (0 until known; holds its last value through breaks). */
  bpm: Bpm;
  /** Beat phase in [0, 1): 0 at a beat. */
  phase: number;
  /** Confidence in [0, 1]. */
  confidence: number;
  /** True on the hop at which a predicted beat falls. */
  beat: boolean;

  readonly hopSeconds: Seconds;
  /** Hops per frame of the downsampled onset strength, and the frame length. */
  readonly frameHops: number;
  readonly frameSeconds: Seconds;
  /** Engine time at the end of the last hop (NaN before the first). */
  lastT: Seconds;
  /** Input conditioning: local mean, and the frame being summed (sum, its strongest hop's value
   *  and mid-time, hops so far). */
  localMean: number;
  bassMean: number;
  frameSum: number;
  frameBass: number;
  frameMax: number;
  frameTime: Seconds;
  frameFill: number;
  /** Frame ring: conditioned onset strength and the time of its strongest hop (so the phase
   *  keeps hop precision); newest at ringPos. */
  readonly ring: Float32Array;
  readonly ringTime: Float64Array;
  /** The conditioned bass flux per frame, beside `ring` (the phase histogram's bass part). */
  readonly bassRing: Float32Array;
  ringPos: number;
  frames: number;
  readonly acf: TempoAcf;
  readonly estimate: TempoEstimate;
  /** Phase histogram scratch (each fold in turn), and the smoothed onset-strength and bass-flux histograms. */
  readonly hist: Float64Array;
  readonly histSmooth: Float64Array;
  readonly bassSmooth: Float64Array;
  /** Activity: peak follower, last strong onset, presence (1 in music, decaying in a break),
   *  rhythmic time seen. */
  peakLevel: number;
  lastStrong: Seconds;
  presence: number;
  activeSeconds: Seconds;
  /** Last periodicity estimate. */
  periodicity: number;
  /** Beat period (0 until known), a competing candidate (0 if none) and since when it wins. */
  period: Seconds;
  candidate: Seconds;
  candidateSince: Seconds;
  /** When the current tempo was acquired (by the tracker or a tap). */
  lockedSince: Seconds;
  nextUpdate: Seconds;
  /** Oscillator: unwrapped output phase in cycles, and the last whole cycle a beat was due. */
  cycles: number;
  firedIndex: number;
  /** Tap tempo: recent tap times (a ring), taps in the sequence, tapped tempo (0 if none), hold end. */
  readonly taps: Float64Array;
  tapCount: number;
  tapBpm: Bpm;
  tapUntil: Seconds;
  readonly tapScratch: Float64Array;
}

export function createBeatState(hopSeconds: Seconds, params: Partial<BeatParams> = {}): BeatState {
  const p: BeatParams = { ...defaultBeatParams, ...params };
  if (!(hopSeconds > 0)) throw new Error(`beat: hopSeconds must be positive, got ${hopSeconds}`);
  if (!(p.minBpm > 0 && p.maxBpm > p.minBpm)) {
    throw new Error(`beat: need 0 < minBpm < maxBpm, got ${p.minBpm}..${p.maxBpm}`);
  }
  const frameHops = Math.max(1, Math.round(p.frameSeconds / hopSeconds));
  const frameSeconds = frameHops * hopSeconds;
  const maxPeriod = 60 / p.minBpm;
  const maxLag = 4 * Math.ceil(maxPeriod / frameSeconds) + 8;
  const ringLength = Math.max(
    maxLag + 1,
    Math.ceil((3 * p.phaseWindowSeconds) / frameSeconds) + 2,
    Math.ceil(p.historySeconds / frameSeconds),
  );
  const bins = Math.ceil(maxPeriod / PHASE_BIN_SECONDS) + 2;
  return {
    bpm: 0, phase: 0, confidence: 0, beat: false,
    hopSeconds, frameHops, frameSeconds,
    lastT: NaN,
    localMean: 0, bassMean: 0, frameSum: 0, frameBass: 0, frameMax: 0, frameTime: 0, frameFill: 0,
    ring: new Float32Array(ringLength),
    bassRing: new Float32Array(ringLength),
    ringTime: new Float64Array(ringLength).fill(-Infinity),
    ringPos: 0,
    frames: 0,
    acf: createTempoAcf(maxLag),
    estimate: { period: 0, periodicity: 0, score: 0 },
    hist: new Float64Array(bins),
    histSmooth: new Float64Array(bins),
    bassSmooth: new Float64Array(bins),
    peakLevel: 0, lastStrong: -Infinity, presence: 0, activeSeconds: 0, periodicity: 0,
    period: 0, candidate: 0, candidateSince: 0, lockedSince: 0, nextUpdate: 0,
    cycles: 0, firedIndex: 0,
    taps: new Float64Array(MAX_TAPS),
    tapCount: 0, tapBpm: 0, tapUntil: -Infinity,
    tapScratch: new Float64Array(MAX_TAPS),
  };
}

/**
 * One hop. `odf`: onset detection function value for this hop (≥ 0, any scale); `onset`: an onset
 * was detected at this hop; `t`: engine time at the END of the hop; `bass`: the part of the onset
 * strength below ~150 Hz (kick drums; 0 when not known), which weighs the beat phase toward the
 * kicks (`bassWeight`). Updates `state` in place without allocating. `t` should advance by about a
 * hop per call; a clock jump (backward, or forward by a second or more) is bridged as if it were one hop.
 */
export function beatStep(odf: number, onset: boolean, t: Seconds, state: BeatState, params: BeatParams, bass = 0): void {
  let dt = t - state.lastT;
  if (!(dt > 0 && dt < 1)) {
    dt = state.hopSeconds;
    if (!Number.isNaN(state.lastT)) shiftTimes(state, t - state.lastT - dt);
  }
  state.lastT = t;
  state.beat = false;
  if (state.period > 0) state.cycles += dt / state.period;

  const v = odf > 0 ? odf : 0;
  const follow = -Math.expm1(-dt / params.localMeanSeconds);
  let x = v - state.localMean;
  state.localMean += follow * (v - state.localMean);
  x = x > 0 ? x : 0;
  if (onset) x *= 1 + params.onsetEmphasis;
  state.frameSum += x;
  const vb = bass > 0 ? bass : 0;
  const xb = vb - state.bassMean;
  state.bassMean += follow * (vb - state.bassMean);
  if (xb > 0) state.frameBass += xb;
  if (x > state.frameMax) {
    state.frameMax = x;
    state.frameTime = t - ONSET_POSITION * dt;
  }
  if (++state.frameFill >= state.frameHops) pushFrame(state, params, t);

  const track = state.period > 0 ? Math.min(1, state.periodicity / params.periodicityFull) * state.presence : 0;
  let held = 0;
  if (state.tapBpm > 0) held = t < state.tapUntil ? 1 : Math.exp((state.tapUntil - t) / params.silenceDecaySeconds);
  state.confidence = track > held ? track : held;

  if (state.period > 0) {
    const whole = Math.floor(state.cycles);
    if (whole > state.firedIndex) {
      const late = (state.cycles - whole) * state.period;
      state.firedIndex = whole;
      state.beat = late <= dt + CATCH_UP_SECONDS && state.confidence >= params.beatMinConfidence;
    }
    state.phase = state.cycles - whole;
    if (state.firedIndex > 1e6) {
      state.cycles -= 1e6;
      state.firedIndex -= 1e6;
    }
  }
}

/**
 * Tap tempo, `t` the engine time of the tap. From the second tap of a sequence on, the tempo is
 * the median of the recent tap intervals; every tap sets the phase so the tap was a beat (a
 * single tap re-aligns the beat when the tempo is known). The tapped tempo and phase then hold
 * for `tapHoldSeconds` and the tapped tempo becomes the centre of the tempo prior, so the tracker
 * keeps the metrical level the user chose (e.g. 87 rather than 174 BPM).
 */
export function tap(state: BeatState, t: Seconds, params: BeatParams): void {
  const taps = state.taps;
  if (state.tapCount > 0) {
    const last = taps[(state.tapCount - 1) % MAX_TAPS];
    if (!(t > last && t - last <= params.tapTimeoutSeconds)) state.tapCount = 0;
  }
  taps[state.tapCount % MAX_TAPS] = t;
  state.tapCount++;
  const m = Math.min(state.tapCount, MAX_TAPS);
  if (m >= 2) {
    const iv = state.tapScratch;
    const first = state.tapCount - m;
    for (let i = 1; i < m; i++) {
      const d = taps[(first + i) % MAX_TAPS] - taps[(first + i - 1) % MAX_TAPS];
      let j = i - 1;
      while (j > 0 && iv[j - 1] > d) {
        iv[j] = iv[j - 1];
        j--;
      }
      iv[j] = d;
    }
    const n = m - 1;
    const median = n % 2 === 1 ? iv[n >> 1] : 0.5 * (iv[n / 2 - 1] + iv[n / 2]);
    const period = Math.min(60 / params.minBpm, Math.max(60 / params.maxBpm, median));
    setPeriod(state, period, params);
    state.lockedSince = t;
    state.tapBpm = 60 / period;
    state.candidate = 0;
  }
  if (state.period > 0) {
    const now = Number.isNaN(state.lastT) ? t : state.lastT;
    setInternalPhase(state, (now - t) / state.period, params);
    state.tapUntil = t + params.tapHoldSeconds;
  }
}

/**
 * An external clock (MIDI clock) at engine time `t`: its tempo holds as a tapped one does
 * (confidence 1, the tracker paused, the tempo prior centred on it) for `tapHoldSeconds`, renewed
 * by every call. `beatAt`, when the clock knows where its beats are, is the time of one: the
 * phase is aligned to it by the shortest way. A small correction (a clock in step, give or take
 * its jitter) neither fires a beat twice nor skips one; a large one (the first sync) fires no
 * beat for the jump. A null `bpm` ends the hold at `t`: the tracker takes over again.
 */
export function clockSync(state: BeatState, t: Seconds, bpm: Bpm | null, beatAt: Seconds | null, params: BeatParams): void {
  if (bpm === null || !(bpm > 0)) {
    if (state.tapUntil > t) state.tapUntil = t;
    return;
  }
  const period = Math.min(60 / params.minBpm, Math.max(60 / params.maxBpm, 60 / bpm));
  if (state.tapUntil <= t || state.period !== period) state.lockedSince = t;
  setPeriod(state, period, params);
  state.tapBpm = 60 / period;
  state.tapUntil = t + params.tapHoldSeconds;
  state.candidate = 0;
  if (beatAt === null) return;
  // The un-led phase at the last hop end that puts a beat at `beatAt`, led as the oscillator is.
  const now = Number.isNaN(state.lastT) ? t : state.lastT;
  const d = (now - beatAt) / period + params.leadSeconds / period - state.cycles;
  const shift = d - Math.round(d);
  const c = state.cycles + shift;
  state.cycles = c;
  if (Math.abs(shift) > CLOCK_NUDGE) state.firedIndex = Math.floor(c);
  state.phase = c - Math.floor(c);
}

/**
 * The clock jumped (backward, or forward by a second or more): move every stored time by
 * `delta` so the history reads as if the gap had not been, and the next update is not stalled.
 */
function shiftTimes(state: BeatState, delta: Seconds): void {
  const times = state.ringTime;
  for (let i = 0; i < times.length; i++) times[i] += delta;
  state.frameTime += delta;
  state.lastStrong += delta;
  state.candidateSince += delta;
  state.lockedSince += delta;
  state.nextUpdate += delta;
  state.tapUntil += delta;
  if (state.tapCount > 0) for (let i = 0; i < MAX_TAPS; i++) state.taps[i] += delta;
}

/** Close a frame: ring, autocorrelation, activity, and (when due) the tempo and phase update. */
function pushFrame(state: BeatState, params: BeatParams, t: Seconds): void {
  const fs = state.frameSeconds;
  const pos = state.ringPos + 1 === state.ring.length ? 0 : state.ringPos + 1;
  const x = state.frameSum;
  state.ring[pos] = x;
  state.bassRing[pos] = state.frameBass;
  state.ringTime[pos] = x > 0 ? state.frameTime : t - 0.5 * fs;
  state.ringPos = pos;
  state.frames++;
  state.frameSum = 0;
  state.frameBass = 0;
  state.frameMax = 0;
  state.frameFill = 0;
  const acf = state.acf;
  acfPush(acf, state.ring, pos, Math.exp(-fs / (0.5 * params.historySeconds)));

  state.peakLevel *= Math.exp(-fs / params.peakSeconds);
  if (x > state.peakLevel) state.peakLevel = x;
  if (x > 0 && x >= params.strongOnsetRatio * state.peakLevel) state.lastStrong = t;
  const active = t - state.lastStrong <= Math.max(params.breakSeconds, 2.2 * state.period);
  if (active) {
    state.presence = 1;
    state.activeSeconds += fs;
  } else {
    state.presence *= Math.exp(-fs / params.silenceDecaySeconds);
  }
  if (t < state.nextUpdate) return;
  state.nextUpdate = t + params.updateSeconds;
  if (!active) return;
  const centre = state.tapBpm > 0 ? state.tapBpm : params.preferredBpm;
  if (!estimateTempo(acf, fs, params, centre, state.estimate)) return;
  state.periodicity = state.estimate.periodicity;
  if (t < state.tapUntil) return;
  if (followTempo(state, params, t, centre)) return;
  if (state.period > 0) {
    const e = measureBeatPhase(state, params, t);
    if (!Number.isNaN(e)) state.cycles -= params.phaseGain * e;
  }
}

/**
 * Follow the new estimate: refine the period when it agrees, switch after `switchSeconds` of a
 * consistent other candidate. Returns true when the tempo was (re)acquired and the phase reset.
 */
function followTempo(state: BeatState, params: BeatParams, t: Seconds, centre: Bpm): boolean {
  const est = state.estimate;
  const p = est.period;
  const sure = Math.min(1, est.periodicity / params.periodicityFull) >= params.lockConfidence;
  if (state.period > 0 && Math.abs(p / state.period - 1) <= params.tempoTolerance) {
    if (sure) setPeriod(state, state.period + params.tempoSmoothing * (p - state.period), params);
    state.candidate = 0;
    return false;
  }
  if (!(state.candidate > 0 && Math.abs(p / state.candidate - 1) <= params.tempoTolerance)) state.candidateSince = t;
  state.candidate = p;
  if (!sure || (state.period === 0 && state.activeSeconds < params.warmupSeconds)) return false;
  let wait = 0.5 * params.switchSeconds;
  if (state.period > 0) {
    const current = scorePeriod(state.acf, state.period, state.frameSeconds, params, centre);
    const r = p / state.period;
    const octave = Math.abs(r - 2) <= 2 * params.tempoTolerance || Math.abs(r - 0.5) <= 0.5 * params.tempoTolerance;
    const settled = t - state.lockedSince >= params.historySeconds;
    if (octave && settled) wait = params.octaveSwitchSeconds;
    else wait = current < params.switchScoreRatio * est.score ? 0 : params.switchSeconds;
  }
  if (t - state.candidateSince < wait) return false;
  state.candidate = 0;
  state.lockedSince = t;
  setPeriod(state, p, params);
  relock(state, params, t);
  return true;
}

/** Set the period, keeping the lead (`leadSeconds`, a time) constant in the output phase. */
function setPeriod(state: BeatState, period: Seconds, params: BeatParams): void {
  if (state.period > 0) state.cycles -= params.leadSeconds / state.period;
  state.period = period;
  state.bpm = 60 / period;
  state.cycles += params.leadSeconds / period;
}

/** Phase from scratch: take the measured phase whole; a beat it jumps past does not fire. */
function relock(state: BeatState, params: BeatParams, t: Seconds): void {
  const e = measureBeatPhase(state, params, t);
  if (Number.isNaN(e)) return;
  setInternalPhase(state, state.cycles - params.leadSeconds / state.period - e, params);
}

/** Set the oscillator's (un-led) phase, in cycles, at the last hop end; no beat fires for the jump. */
function setInternalPhase(state: BeatState, phase: number, params: BeatParams): void {
  const c = Math.floor(state.cycles) + (phase - Math.floor(phase)) + params.leadSeconds / state.period;
  state.cycles = c;
  state.firedIndex = Math.floor(c);
  state.phase = c - state.firedIndex;
}
