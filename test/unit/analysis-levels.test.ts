/**
 * Levels: per-hop RMS and peak, the attack/release envelope, the low/mid/high band energies and
 * the running normalisation, on sines with known levels.
 *
 * Many tests use a sine of exactly 4 periods per hop (750 Hz at 48 kHz with 256-frame hops;
 * 4·44100/235 Hz at 44.1 kHz), so every hop holds whole periods and its RMS is exactly A/√2.
 */
import assert from 'node:assert/strict';
import { describe, it, test } from 'node:test';
import { createAnalyzer, defaultAnalysisParams, feed, resolveAnalysisParams, type AnalysisOverrides, type Analyzer } from '../../engine/analysis/analyzer.js';
import type { Features } from '../../engine/analysis/Features.js';
import { addSine } from '../helpers/signals.js';

const RATES = [48000, 44100] as const;
const SQRT1_2 = Math.SQRT1_2;

/** Linear RMS of `db` dBFS. */
const fromDb = (db: number): number => 10 ** (db / 20);

interface HopRecord {
  t: number;
  rms: number;
  peak: number;
  envelope: number;
  envelopeRaw: number;
  bands: number[];
  bandsNorm: number[];
}

function record(a: Analyzer, x: Float32Array, bufferSize = 1000): HopRecord[] {
  const out: HopRecord[] = [];
  const onHop = (f: Features): void => {
    out.push({ t: f.t, rms: f.rms, peak: f.peak, envelope: f.envelope, envelopeRaw: a.envelopeRaw, bands: Array.from(f.bands), bandsNorm: Array.from(f.bandsNorm) });
  };
  for (let i = 0; i < x.length; i += bufferSize) feed(a, x.subarray(i, Math.min(x.length, i + bufferSize)), onHop);
  return out;
}

/** A sine of whole periods per hop whose amplitude (as RMS) changes at hop boundaries. */
function steppedSine(sr: number, hop: number, segments: readonly { hops: number; rms: number }[]): Float32Array {
  const total = segments.reduce((n, s) => n + s.hops, 0) * hop;
  const x = new Float32Array(total);
  const f = (4 * sr) / hop;
  let start = 0;
  for (const s of segments) {
    const end = start + s.hops * hop;
    // Phase continuous: sin(w·i) with i counted from 0 over the whole signal.
    const w = (2 * Math.PI * f) / sr;
    for (let i = start; i < end; i++) x[i] = s.rms * Math.SQRT2 * Math.sin(w * i);
    start = end;
  }
  return x;
}

describe('RMS and peak', () => {
  it('a full-scale sine of whole periods per hop: rms = 1/√2 and peak = 1 in every hop (48 kHz)', () => {
    const sr = 48000;
    const x = new Float32Array(sr);
    addSine(x, 0, x.length, sr, 750, 1);
    const hops = record(createAnalyzer(sr), x);
    assert.equal(hops.length, Math.floor(sr / 256));
    for (const h of hops) {
      assert.ok(Math.abs(h.rms - SQRT1_2) < 1e-6, `rms ${h.rms}`);
      assert.ok(Math.abs(h.peak - 1) < 1e-6, `peak ${h.peak}`);
    }
  });

  for (const sr of RATES) {
    it(`a full-scale 1 kHz sine at ${sr} Hz: rms = 1/√2 within 1e-3 over whole seconds, peak within half a sample of 1`, () => {
      const x = new Float32Array(2 * sr);
      addSine(x, 0, x.length, sr, 1000, 1);
      const a = createAnalyzer(sr);
      const hops = record(a, x);
      let ms = 0;
      for (const h of hops) ms += h.rms * h.rms;
      assert.ok(Math.abs(Math.sqrt(ms / hops.length) - SQRT1_2) < 1e-3);
      // A hop holds a non-integer number of periods: its mean square is 1/2 ± 1/(2·N·sin(2πf/sr)).
      const bound = 1 / (2 * a.hopFrames * Math.sin((2 * Math.PI * 1000) / sr));
      for (const h of hops) {
        assert.ok(Math.abs(h.rms * h.rms - 0.5) <= bound + 1e-6, `hop ms ${h.rms * h.rms} off 1/2 by more than ${bound}`);
        // Samples are at most half a sample period from a crest: peak ≥ cos(π f / sr).
        assert.ok(h.peak <= 1 && h.peak >= Math.cos((Math.PI * 1000) / sr) - 1e-6, `peak ${h.peak}`);
      }
    });
  }

  it('rms and peak scale with amplitude, and peak is the absolute value', () => {
    const sr = 48000;
    const x = new Float32Array(4 * 256);
    addSine(x, 0, 256, sr, 750, 0.25); // hop 0: sine, amplitude 0.25
    x.fill(-0.3, 256, 512); // hop 1: constant −0.3
    for (let i = 512; i < 768; i++) x[i] = i % 2 ? 0.6 : -0.6; // hop 2: ±0.6 square
    // hop 3: silence
    const hops = record(createAnalyzer(sr), x);
    assert.equal(hops.length, 4);
    assert.ok(Math.abs(hops[0].rms - 0.25 * SQRT1_2) < 1e-6);
    assert.ok(Math.abs(hops[0].peak - 0.25) < 1e-6);
    assert.ok(Math.abs(hops[1].rms - 0.3) < 1e-6);
    assert.ok(Math.abs(hops[1].peak - 0.3) < 1e-6);
    assert.ok(Math.abs(hops[2].rms - 0.6) < 1e-6);
    assert.ok(Math.abs(hops[2].peak - 0.6) < 1e-6);
    assert.equal(hops[3].rms, 0);
    assert.equal(hops[3].peak, 0);
  });

  it('each hop covers exactly its own samples (a single loud hop between silent ones)', () => {
    const sr = 48000;
    const x = new Float32Array(10 * 256);
    x.fill(0.5, 5 * 256, 6 * 256);
    const hops = record(createAnalyzer(sr), x, 77);
    assert.deepEqual(hops.map((h) => h.rms), [0, 0, 0, 0, 0, 0.5, 0, 0, 0, 0]);
    assert.deepEqual(hops.map((h) => h.peak), [0, 0, 0, 0, 0, 0.5, 0, 0, 0, 0]);
    assert.deepEqual(hops.map((h) => h.t), hops.map((_, k) => ((k + 1) * 256) / sr));
  });
});

describe('envelope attack and release', () => {
  const configs: { name: string; overrides: AnalysisOverrides }[] = [
    { name: 'default attack/release', overrides: {} },
    { name: 'attack 50 ms, release 400 ms', overrides: { attackSeconds: 0.05, releaseSeconds: 0.4 } },
    { name: 'attack 20 ms, release 1 s, 10 ms hops', overrides: { attackSeconds: 0.02, releaseSeconds: 1, hopSeconds: 0.01 } },
  ];
  for (const sr of RATES) {
    for (const { name, overrides } of configs) {
      it(`${name} at ${sr} Hz: a −40 → −6 → −40 dBFS step reaches 1 − 1/e of each step within one hop of the time constant`, () => {
        const a = createAnalyzer(sr, overrides);
        const hop = a.hopFrames;
        const hopSeconds = hop / sr;
        const { attackSeconds, releaseSeconds } = a.params;
        const lo = fromDb(-40);
        const hi = fromDb(-6);
        // Long enough at each level for the follower to settle (≥ 12 time constants).
        const settle = (tc: number): number => Math.ceil((12 * tc) / hopSeconds) + 5;
        const n0 = settle(Math.max(attackSeconds, releaseSeconds));
        const n1 = settle(releaseSeconds + attackSeconds);
        const n2 = settle(releaseSeconds);
        const x = steppedSine(sr, hop, [{ hops: n0, rms: lo }, { hops: n1, rms: hi }, { hops: n2, rms: lo }]);
        const hops = record(a, x);
        assert.equal(hops.length, n0 + n1 + n2);
        // The measured levels are the step's levels.
        assert.ok(Math.abs(hops[n0 - 1].rms - lo) < 1e-6 * lo + 1e-9);
        assert.ok(Math.abs(hops[n0].rms - hi) < 1e-6);
        assert.ok(Math.abs(hops[n0 - 1].envelopeRaw - lo) < 1e-4 * lo);

        const check = (from: number, start: number, count: number, tc: number, label: string): void => {
          const to = hops[start].rms;
          let crossed = -1;
          for (let n = 1; n <= count; n++) {
            const env = hops[start + n - 1].envelopeRaw;
            const frac = (env - from) / (to - from);
            // One-pole follower per hop: fraction after n hops is 1 − exp(−n·hop/τ).
            const model = 1 - Math.exp((-n * hopSeconds) / tc);
            assert.ok(Math.abs(frac - model) < 1e-4, `${label}: hop ${n} fraction ${frac}, expected ${model}`);
            if (crossed < 0 && frac >= 1 - 1 / Math.E) crossed = n;
          }
          assert.ok(crossed > 0, `${label}: never reached 1 − 1/e`);
          const tCross = crossed * hopSeconds; // time from the step to the end of the crossing hop
          assert.ok(Math.abs(tCross - tc) <= hopSeconds + 1e-12, `${label}: reached 1 − 1/e after ${tCross} s, τ = ${tc} s`);
        };
        check(hops[n0 - 1].envelopeRaw, n0, n1, attackSeconds, 'attack');
        check(hops[n0 + n1 - 1].envelopeRaw, n0 + n1, n2, releaseSeconds, 'release');
      });
    }
  }

  it('the attack is faster than the release (a short burst decays slowly)', () => {
    const sr = 48000;
    const a = createAnalyzer(sr, { attackSeconds: 0.005, releaseSeconds: 0.2 });
    const x = steppedSine(sr, 256, [{ hops: 10, rms: 0 }, { hops: 4, rms: 0.5 }, { hops: 40, rms: 0 }]);
    const hops = record(a, x);
    const peakEnv = hops[13].envelopeRaw;
    assert.ok(peakEnv > 0.45, `attack: envelope reached only ${peakEnv}`);
    // 37.5 ms after the burst the release has removed about 1 − exp(−0.1875) of it.
    const after = hops[13 + 7].envelopeRaw;
    assert.ok(Math.abs(after - peakEnv * Math.exp((-7 * 256) / sr / 0.2)) < 1e-9);
  });
});

describe('band energies', () => {
  for (const sr of RATES) {
    for (const [freq, band] of [[100, 0], [1000, 1], [8000, 2]] as const) {
      it(`a ${freq} Hz sine at ${sr} Hz lands in band ${['low', 'mid', 'high'][band]} with its mean power A²/2`, () => {
        const amp = 0.5;
        const x = new Float32Array(sr);
        addSine(x, 0, x.length, sr, freq, amp);
        const hops = record(createAnalyzer(sr), x);
        // Skip the first frame lengths (the window fills from zeros).
        for (const h of hops.slice(10)) {
          const e = h.bands;
          assert.ok(Math.abs(e[band] - (amp * amp) / 2) < 0.01 * ((amp * amp) / 2), `band ${band} power ${e[band]}`);
          for (let b = 0; b < 3; b++) if (b !== band) assert.ok(e[b] < 1e-3 * e[band], `band ${b} power ${e[b]} vs ${e[band]}`);
        }
      });
    }
  }

  it('band edges follow bandEdgesHz: moving the low/mid edge above 1 kHz moves a 1 kHz sine into low', () => {
    const sr = 48000;
    const x = new Float32Array(sr / 2);
    addSine(x, 0, x.length, sr, 1000, 0.5);
    const hops = record(createAnalyzer(sr, { bandEdgesHz: [20, 2000, 4000, 16000] }), x);
    const e = hops[hops.length - 1].bands;
    assert.ok(Math.abs(e[0] - 0.125) < 1.25e-3, `low ${e[0]}`);
    assert.ok(e[1] < 1e-3 * e[0] && e[2] < 1e-3 * e[0]);
  });

  it('silence: all band energies 0', () => {
    const hops = record(createAnalyzer(48000), new Float32Array(48000 / 4));
    for (const h of hops) assert.deepEqual(h.bands, [0, 0, 0]);
  });
});

describe('running normalisation', () => {
  for (const sr of RATES) {
    it(`at ${sr} Hz: loud reads 1, a quiet passage after it reads its level over the decayed peak, louder reads 1 again`, () => {
      const a = createAnalyzer(sr);
      const hop = a.hopFrames;
      const hopSeconds = hop / sr;
      const decay = Math.exp(-hopSeconds / a.params.normalizeDecaySeconds);
      const loud = fromDb(-12);
      const quiet = fromDb(-32);
      const louder = fromDb(-3);
      const nLoud = Math.round(2 / hopSeconds);
      const nQuiet = Math.round(2 / hopSeconds);
      const nLouder = Math.round(1 / hopSeconds);
      const x = steppedSine(sr, hop, [{ hops: nLoud, rms: loud }, { hops: nQuiet, rms: quiet }, { hops: nLouder, rms: louder }]);
      const hops = record(a, x);
      // The loudest so far reads exactly 1 while the level rises or holds.
      for (const h of hops.slice(0, nLoud)) assert.equal(h.envelope, 1);
      for (const h of hops.slice(0, nLoud).slice(10)) {
        assert.ok(Math.abs(h.bandsNorm[1] - 1) < 1e-6, `mid band norm ${h.bandsNorm[1]}`);
      }
      // Quiet: envelope / (loud peak decayed since the loud passage ended), < 1.
      const peak = hops[nLoud - 1].envelopeRaw;
      for (let n = Math.round(1 / hopSeconds); n < nQuiet; n++) {
        const h = hops[nLoud + n];
        const expected = h.envelopeRaw / (peak * decay ** (n + 1));
        assert.ok(Math.abs(h.envelope - expected) < 1e-9, `quiet hop ${n}: ${h.envelope} vs ${expected}`);
        assert.ok(h.envelope < 0.15, `quiet hop ${n} reads ${h.envelope}`);
        // Power ratio of −32 vs −12 dBFS is 1e-2 (times the decay of the peak, < 7 %).
        assert.ok(h.bandsNorm[1] > 0.01 && h.bandsNorm[1] < 0.011, `quiet mid band norm ${h.bandsNorm[1]}`);
      }
      // A passage louder than anything before reads 1.
      for (const h of hops.slice(nLoud + nQuiet)) assert.equal(h.envelope, 1);
      for (const h of hops.slice(nLoud + nQuiet + 10)) assert.ok(Math.abs(h.bandsNorm[1] - 1) < 1e-6);
    });
  }

  it('the loud past is forgotten with normalizeDecaySeconds: a quiet passage climbs back to 1', () => {
    const sr = 48000;
    const a = createAnalyzer(sr, { normalizeDecaySeconds: 1 });
    const hopSeconds = 256 / sr;
    const nLoud = Math.round(1 / hopSeconds);
    const nQuiet = Math.round(4 / hopSeconds);
    const x = steppedSine(sr, 256, [{ hops: nLoud, rms: 0.5 }, { hops: nQuiet, rms: 0.05 }]);
    const hops = record(a, x);
    const peak = hops[nLoud - 1].envelopeRaw;
    // After 1 s of quiet the peak has decayed by e: reads 0.05 / (0.5 / e) ≈ 0.27.
    const h1 = hops[nLoud + Math.round(1 / hopSeconds) - 1];
    assert.ok(Math.abs(h1.envelope - h1.envelopeRaw / (peak * Math.exp(-1))) < 1e-3, `after 1 s: ${h1.envelope}`);
    assert.ok(h1.envelope > 0.25 && h1.envelope < 0.3);
    // ln(10) ≈ 2.3 s after the loud passage the peak has fallen to the quiet level: from then on it reads 1.
    for (const h of hops.slice(nLoud + Math.round(2.6 / hopSeconds))) assert.equal(h.envelope, 1);
  });

  it('silence is not amplified: the normalised envelope and bands of silence are 0', () => {
    const hops = record(createAnalyzer(48000), new Float32Array(48000));
    for (const h of hops) {
      assert.equal(h.envelope, 0);
      assert.deepEqual(h.bandsNorm, [0, 0, 0]);
    }
  });
});

test('an override set to undefined keeps the default', () => {
  const p = resolveAnalysisParams({ hopSeconds: undefined, onset: { delta: undefined, lagSeconds: 0.02 } });
  assert.equal(p.hopSeconds, defaultAnalysisParams.hopSeconds);
  assert.equal(p.onset.delta, defaultAnalysisParams.onset.delta);
  assert.equal(p.onset.lagSeconds, 0.02);
});

describe('percussive and harmonic normalisation', () => {
  it('music at ordinary levels reaches 1; only what is below the floor (≈ −60 dBFS) stays 0', () => {
    const sr = 48000;
    const run = (amplitude: number, burst: boolean): { harm: number; perc: number } => {
      const x = new Float32Array(2 * sr);
      if (!burst) addSine(x, 0, x.length, sr, 440, amplitude);
      // Or a decaying broadband click at 1 s (alternating signs), on silence.
      if (burst) for (let i = 0; i < 480; i++) x[sr + i] += amplitude * 4 * (i % 2 ? -1 : 1) * Math.exp(-i / 100);
      const a = createAnalyzer(sr);
      let harm = 0;
      let perc = 0;
      feed(a, x, (f) => {
        if (f.t > 0.5 && f.t < 0.95) harm = Math.max(harm, f.harmonicNorm);
        if (f.t > 1 && f.t < 1.05) perc = Math.max(perc, f.percussiveNorm);
      });
      return { harm, perc };
    };
    assert.ok(run(fromDb(-20), false).harm > 0.9, '−20 dBFS tone: harmonicNorm near 1');
    const click = run(fromDb(-20), true);
    assert.ok(click.perc > 0.9, `a click on silence: percussiveNorm ${click.perc}`);
    assert.ok(run(fromDb(-40), false).harm > 0.9, '−40 dBFS tone: harmonicNorm near 1');
    const hiss = run(fromDb(-90), false).harm;
    assert.ok(hiss < 0.01, `−90 dBFS tone: harmonicNorm ${hiss}`);
  });
});
