import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { beatStep, clockSync, createBeatState, defaultBeatParams, tap, type BeatParams, type BeatState } from '../../engine/analysis/beat.js';

/** Deterministic PRNG (mulberry32) in [0, 1). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Section {
  /** Tempo of the section (0 = silence) and its end time. */
  bpm: number;
  until: number;
}

interface SynthOptions {
  hop: number;
  rate: number;
  sections: Section[];
  /** Uniform timing jitter of each onset, ± seconds. */
  jitter?: number;
  /** Probability that a beat has no onset. */
  miss?: number;
  /** Probability of an extra, weaker onset off the beat (half-way, or anywhere in the beat). */
  extra?: number;
  seed?: number;
}

interface Signal {
  hopSeconds: number;
  odf: Float64Array;
  onset: Uint8Array;
  /** The true beat grid, and which of its beats were played. */
  grid: number[];
  played: boolean[];
  /** The bass part of the onset strength (kick drums), when the test gives one. */
  bass?: Float64Array;
}

/** Adds an onset of `amp` at `time` to `odf` (the hop it falls in, and 0.3 of it on the next) and flags it. */
function putOnset(odf: Float64Array, onset: Uint8Array, hopSeconds: number, time: number, amp: number): void {
  const h = Math.ceil(time / hopSeconds) - 1;
  if (h < 0 || h + 1 >= odf.length) return;
  odf[h] += amp;
  odf[h + 1] += 0.3 * amp;
  onset[h] = 1;
}

/** Synthetic onset strength: an impulse (with a short tail) at each played beat, plus noise. */
function synth(o: SynthOptions): Signal {
  const hopSeconds = o.hop / o.rate;
  const r = rng(o.seed ?? 1);
  const end = o.sections[o.sections.length - 1].until;
  const n = Math.ceil(end / hopSeconds);
  const odf = new Float64Array(n);
  const onset = new Uint8Array(n);
  const grid: number[] = [];
  const played: boolean[] = [];
  const put = (time: number, amp: number): void => putOnset(odf, onset, hopSeconds, time, amp);
  let b = 0.3;
  let start = 0;
  for (const s of o.sections) {
    if (s.bpm > 0) {
      const period = 60 / s.bpm;
      if (b < start) b = start;
      for (; b < s.until; b += period) {
        const play = r() >= (o.miss ?? 0);
        grid.push(b);
        played.push(play);
        if (play) put(b + (2 * r() - 1) * (o.jitter ?? 0), 1);
        if (r() < (o.extra ?? 0)) put(b + period * (r() < 0.5 ? 0.5 : 0.1 + 0.8 * r()), 0.5);
      }
    }
    const noise = s.bpm > 0 ? 0.05 : 0.002;
    for (let i = Math.floor(start / hopSeconds); i < Math.min(n, s.until / hopSeconds); i++) odf[i] += noise * r();
    start = s.until;
  }
  return { hopSeconds, odf, onset, grid, played };
}

interface Run {
  beats: number[];
  /** bpm and confidence at each hop (index i: hop ending at (i + 1) × hopSeconds). */
  bpm: Float64Array;
  confidence: Float64Array;
  phase: Float64Array;
}

/** The tracker over `sig`, with taps at their times; `each` runs before every hop, with the hop's end time. */
function track(sig: Signal, params: Partial<BeatParams> = {}, taps: number[] = [], each?: (st: BeatState, t: number, p: BeatParams) => void): Run {
  const p: BeatParams = { ...defaultBeatParams, ...params };
  const st = createBeatState(sig.hopSeconds, p);
  const n = sig.odf.length;
  const run: Run = { beats: [], bpm: new Float64Array(n), confidence: new Float64Array(n), phase: new Float64Array(n) };
  let k = 0;
  for (let i = 0; i < n; i++) {
    const t = (i + 1) * sig.hopSeconds;
    while (k < taps.length && taps[k] <= t - sig.hopSeconds) tap(st, taps[k++], p);
    each?.(st, t, p);
    beatStep(sig.odf[i], sig.onset[i] === 1, t, st, p, sig.bass?.[i] ?? 0);
    if (st.beat) run.beats.push(t);
    run.bpm[i] = st.bpm;
    run.confidence[i] = st.confidence;
    run.phase[i] = st.phase;
  }
  return run;
}

/** Values of a per-hop series over [from, to) seconds. */
function span(series: Float64Array, hopSeconds: number, from: number, to: number): number[] {
  return Array.from(series.subarray(Math.ceil(from / hopSeconds), Math.floor(to / hopSeconds)));
}

/**
 * Timing of the beat flags against the given true beat times in [from, to): exactly one flag
 * within 0.1 s of each. Returns each flag's error (flag − beat), seconds.
 */
function flagErrors(run: Run, beats: number[], from: number, to: number): number[] {
  const errors: number[] = [];
  for (const g of beats) {
    if (g < from || g >= to) continue;
    const near = run.beats.filter((b) => Math.abs(b - g) < 0.1);
    assert.equal(near.length, 1, `one beat flag near ${g.toFixed(3)} s, got [${near.map((b) => b.toFixed(3))}]`);
    errors.push(near[0] - g);
  }
  return errors;
}

/** Flags in [from, to) and grid beats in the same span must be as many (no extra beats). */
function assertNoExtraFlags(run: Run, grid: number[], from: number, to: number): void {
  const flags = run.beats.filter((b) => b >= from && b < to).length;
  const beats = grid.filter((g) => g >= from && g < to).length;
  assert.ok(Math.abs(flags - beats) <= 1, `${flags} beat flags for ${beats} beats in ${from}..${to} s`);
}

/** Worst |error| ≤ 20 ms and |mean error| ≤ 10 ms; returns a summary line. */
function assertTiming(errors: number[], what: string): string {
  const worst = Math.max(...errors.map(Math.abs));
  const mean = errors.reduce((a, b) => a + b, 0) / errors.length;
  assert.ok(worst <= 0.02, `${what}: worst beat error ${(worst * 1000).toFixed(1)} ms > 20 ms`);
  assert.ok(Math.abs(mean) <= 0.01, `${what}: mean beat error ${(mean * 1000).toFixed(1)} ms`);
  return `${what}: ${errors.length} beats, worst ${(worst * 1000).toFixed(1)} ms, mean ${(mean * 1000).toFixed(1)} ms`;
}

const hops = [
  { hop: 256, rate: 48000 },
  { hop: 235, rate: 44100 },
];

describe('beat: tempo and phase on synthetic onsets', () => {
  for (const { hop, rate } of hops) {
    for (const bpm of [90, 120, 128, 174]) {
      it(`${bpm} BPM, hop ${hop}/${rate}: tempo within ±1 BPM 4 s after the first onset, beats within ±20 ms`, (t) => {
        const sig = synth({ hop, rate, sections: [{ bpm, until: 24 }], jitter: 0.008, miss: 0.1, extra: 0.2, seed: bpm + hop });
        const run = track(sig);
        const start = sig.grid[sig.played.indexOf(true)];
        for (const v of span(run.bpm, sig.hopSeconds, start + 4, 24)) assert.ok(Math.abs(v - bpm) <= 1, `bpm ${v.toFixed(2)} ≠ ${bpm}`);
        const first = span(run.bpm, sig.hopSeconds, 0, 24).findIndex((v) => v > 0) * sig.hopSeconds - start;
        t.diagnostic(`first tempo ${first.toFixed(2)} s after the first onset`);
        t.diagnostic(assertTiming(flagErrors(run, sig.grid, 5, 23.5), 'all beats'));
        assertNoExtraFlags(run, sig.grid, 5, 23.5);
        const missed = sig.grid.filter((g, i) => !sig.played[i] && g >= 5 && g < 23.5);
        assert.ok(missed.length > 0, 'the signal has missing beats');
        t.diagnostic(assertTiming(flagErrors(run, missed, 5, 23.5), 'beats without an onset'));
      });
    }
  }
});

describe('beat: prediction', () => {
  it('fires on the hop of the beat, not after it, on clean onsets', (t) => {
    for (const { hop, rate } of hops) {
      const sig = synth({ hop, rate, sections: [{ bpm: 128, until: 20 }], seed: 2 });
      const run = track(sig);
      const hopsLate = sig.grid.filter((g) => g >= 5 && g < 19.5).map((g) => {
        const flag = run.beats.find((b) => Math.abs(b - g) < 0.1);
        assert.ok(flag !== undefined, `a beat flag near ${g.toFixed(3)} s`);
        return Math.round(flag / sig.hopSeconds) - Math.ceil(g / sig.hopSeconds);
      });
      const onTime = hopsLate.filter((h) => h <= 0).length / hopsLate.length;
      assert.ok(hopsLate.every((h) => h <= 1), `at most one hop late: ${hopsLate}`);
      assert.ok(onTime >= 0.85, `${(onTime * 100).toFixed(0)}% on or before the beat's hop`);
      t.diagnostic(`${hop}/${rate}: ${(onTime * 100).toFixed(0)}% of flags on or before the beat's hop, the rest one hop late`);
    }
  });

  it('leadSeconds fires the beats that much earlier', () => {
    const sig = synth({ hop: 256, rate: 48000, sections: [{ bpm: 120, until: 20 }], jitter: 0.005, seed: 8 });
    const plain = flagErrors(track(sig), sig.grid, 5, 19.5);
    const led = flagErrors(track(sig, { leadSeconds: 0.04 }), sig.grid, 5, 19.5);
    const mean = (e: number[]): number => e.reduce((a, b) => a + b, 0) / e.length;
    assert.ok(Math.abs(mean(plain) - mean(led) - 0.04) < 0.004, `lead ${((mean(plain) - mean(led)) * 1000).toFixed(1)} ms`);
  });

  it('bridges a clock jump', () => {
    const sig = synth({ hop: 256, rate: 48000, sections: [{ bpm: 120, until: 20 }], jitter: 0.005, seed: 12 });
    const p = defaultBeatParams;
    const st = createBeatState(sig.hopSeconds, p);
    const flags: number[] = [];
    for (let i = 0; i < sig.odf.length; i++) {
      const clock = (i + 1) * sig.hopSeconds + (i >= sig.odf.length / 2 ? -100 : 0);
      beatStep(sig.odf[i], sig.onset[i] === 1, clock, st, p);
      if (st.beat) flags.push(clock + (i >= sig.odf.length / 2 ? 100 : 0));
    }
    assert.ok(Math.abs(st.bpm - 120) <= 1, `bpm ${st.bpm}`);
    assertTiming(flagErrors({ beats: flags, bpm: new Float64Array(), confidence: new Float64Array(), phase: new Float64Array() }, sig.grid, 5, 19.5), 'across the jump');
  });
});

describe('beat: changes, breaks and taps', () => {
  it('follows a tempo change 120 → 100 BPM within 4 s', (t) => {
    const sig = synth({ hop: 256, rate: 48000, sections: [{ bpm: 120, until: 12 }, { bpm: 100, until: 30 }], jitter: 0.008, miss: 0.1, extra: 0.2, seed: 7 });
    const run = track(sig);
    for (const v of span(run.bpm, sig.hopSeconds, 5, 12)) assert.ok(Math.abs(v - 120) <= 1, `bpm ${v.toFixed(2)} before the change`);
    const settle = span(run.bpm, sig.hopSeconds, 12, 30).findIndex((v, i, a) => a.slice(i).every((w) => Math.abs(w - 100) <= 1));
    assert.ok(settle >= 0, 'reaches 100 BPM');
    const seconds = settle * sig.hopSeconds;
    assert.ok(seconds <= 4, `settled at 100 BPM ${seconds.toFixed(2)} s after the change`);
    t.diagnostic(`within ±1 BPM of 100 from ${seconds.toFixed(2)} s after the change`);
    const after = sig.grid.filter((g) => g >= 12);
    t.diagnostic(assertTiming(flagErrors(run, after, 12 + seconds + 2, 29.5), '100 BPM after the change'));
  });

  it('a dembow figure (kick on every beat, louder snares at 3-3-2 sixteenths) reads its beat, not 4/3 of it', () => {
    const hopSeconds = 256 / 48000;
    // At 85, 91, 97 and 112 BPM the 4/3 lag is far from a whole number of frames: the check's
    // multiples of a lag rounded to whole frames missed the beat's peaks at 3 and 4 × and read 4/3.
    for (const bpm of [85, 91, 95, 97, 112]) {
      const odf = new Float64Array(Math.ceil(20 / hopSeconds));
      const onset = new Uint8Array(odf.length);
      const step = 60 / bpm / 4;
      for (let t0 = 0.3; t0 < 20; t0 += 16 * step) {
        for (const [s, amp] of [[0, 0.6], [4, 0.6], [8, 0.6], [12, 0.6], [3, 1], [6, 1], [11, 1], [14, 1]] as const) putOnset(odf, onset, hopSeconds, t0 + s * step, amp);
      }
      const sig = { hopSeconds, odf, onset, grid: [], played: [] };
      // From 4 s: the check weighs each lag by the part of the window that has products at it, so the
      // beat's bar counts before the window is full (weighing the bar as it stood, it read 4/3 until about 6 s).
      for (const v of span(track(sig).bpm, hopSeconds, 4, 19.5)) assert.ok(Math.abs(v - bpm) <= 1, `${bpm}: bpm ${v.toFixed(2)}`);
      // Without the three-against-four check it reads the snares' 3-sixteenth period.
      const plain = span(track(sig, { threeFourRatio: Infinity }).bpm, hopSeconds, 8, 19.5);
      assert.ok(plain.every((v) => Math.abs(v - (bpm * 4) / 3) <= 1.5), `${bpm}: bpm ${plain[0].toFixed(2)}…`);
    }
  });

  it('a dembow figure: the beat sits on the kicks (the bass flux), not on the louder off-beat snares', () => {
    const hopSeconds = 256 / 48000;
    const bpm = 95;
    const odf = new Float64Array(Math.ceil(24 / hopSeconds));
    const onset = new Uint8Array(odf.length);
    const bass = new Float64Array(odf.length);
    const noOnset = new Uint8Array(odf.length);
    const step = 60 / bpm / 4;
    const kicks: number[] = [];
    for (let t0 = 0.3; t0 < 24; t0 += 16 * step) {
      // Kicks on the beats, snares (louder in the full flux) at sixteenths 3, 6, 11 and 14.
      for (const [s, amp] of [[0, 0.6], [4, 0.6], [8, 0.6], [12, 0.6], [3, 1], [6, 1], [11, 1], [14, 1]] as const) putOnset(odf, onset, hopSeconds, t0 + s * step, amp);
      for (const s of [0, 4, 8, 12]) {
        kicks.push(t0 + s * step);
        putOnset(bass, noOnset, hopSeconds, t0 + s * step, 0.5);
      }
    }
    const sig = { hopSeconds, odf, onset, grid: kicks, played: kicks.map(() => true), bass };
    const onKick = (run: Run): number => {
      const late = run.beats.filter((b) => b >= 10 && b < 23);
      return late.filter((b) => kicks.some((k) => Math.abs(b - k) <= 0.03)).length / late.length;
    };
    const withBass = track(sig);
    for (const v of span(withBass.bpm, hopSeconds, 8, 23)) assert.ok(Math.abs(v - bpm) <= 1, `bpm ${v.toFixed(2)}`);
    assert.equal(onKick(withBass), 1, 'every beat from 10 s within 30 ms of a kick');
    // The full flux alone puts the beat on the snares.
    const plain = onKick(track(sig, { bassWeight: 0 }));
    assert.ok(plain < 0.5, `without the bass flux the beat is mostly off the kicks: ${plain}`);
  });

  it('holds the tempo through silence; beats go on for a short break, then stop', (t) => {
    const sig = synth({ hop: 256, rate: 48000, sections: [{ bpm: 128, until: 12 }, { bpm: 0, until: 40 }], jitter: 0.005, miss: 0.05, extra: 0.1, seed: 3 });
    const run = track(sig);
    for (const v of span(run.bpm, sig.hopSeconds, 5, 40)) assert.ok(Math.abs(v - 128) <= 1, `bpm ${v.toFixed(2)} in the silence`);
    const period = 60 / 128;
    const last = sig.grid[sig.grid.length - 1];
    const continued = [1, 2, 3, 4].map((k) => last + k * period);
    t.diagnostic(assertTiming(flagErrors(run, continued, 0, 40), 'beats predicted into the silence'));
    const lastFlag = run.beats[run.beats.length - 1];
    const stop = lastFlag - (last + 0.1);
    assert.ok(stop >= 2 && stop <= 8, `beats stop ${stop.toFixed(2)} s into the silence`);
    t.diagnostic(`beats stop ${stop.toFixed(2)} s into the silence`);
    const conf = span(run.confidence, sig.hopSeconds, 30, 40);
    assert.ok(Math.max(...conf) < defaultBeatParams.beatMinConfidence, 'confidence decays in silence');
  });

  it('tap tempo: 4 taps at 0.5 s intervals give 120 BPM and beats on the taps', () => {
    const sig = synth({ hop: 256, rate: 48000, sections: [{ bpm: 0, until: 8 }] });
    const taps = [1.0, 1.5, 2.0, 2.5];
    const run = track(sig, {}, taps);
    const at = (time: number): number => run.bpm[Math.floor(time / sig.hopSeconds)];
    assert.equal(at(1.2), 0, 'one tap gives no tempo');
    assert.ok(Math.abs(at(2.7) - 120) < 1e-9, `bpm ${at(2.7)}`);
    const beats = [2.5, 3.0, 3.5, 4.0, 4.5, 5.0];
    const errors = flagErrors(run, beats, 0, 8);
    for (const e of errors) assert.ok(e >= 0 && e < sig.hopSeconds + 1e-9, `tapped beat fires on the hop after it: error ${(e * 1000).toFixed(2)} ms`);
  });

  it('a tapped tempo holds against the tracker for tapHoldSeconds, then the tracker takes over', () => {
    const sig = synth({ hop: 256, rate: 48000, sections: [{ bpm: 128, until: 30 }], jitter: 0.005, seed: 11 });
    const taps = [10.0, 10.5, 11.0, 11.5];
    const run = track(sig, {}, taps);
    for (const v of span(run.bpm, sig.hopSeconds, 11.6, 11.5 + defaultBeatParams.tapHoldSeconds)) assert.equal(Math.round(v), 120);
    for (const v of span(run.bpm, sig.hopSeconds, 11.5 + defaultBeatParams.tapHoldSeconds + 3, 30)) assert.ok(Math.abs(v - 128) <= 1, `bpm ${v.toFixed(2)}`);
  });

  it('a tap after tapTimeoutSeconds starts a new sequence', () => {
    const sig = synth({ hop: 256, rate: 48000, sections: [{ bpm: 0, until: 10 }] });
    const run = track(sig, {}, [1.0, 1.6, 5.0, 5.5]);
    assert.ok(Math.abs(run.bpm[Math.floor(4 / sig.hopSeconds)] - 100) < 1e-9);
    assert.ok(Math.abs(run.bpm[Math.floor(5.2 / sig.hopSeconds)] - 100) < 1e-9, 'the 3.4 s gap is not an interval');
    assert.ok(Math.abs(run.bpm[Math.floor(6 / sig.hopSeconds)] - 120) < 1e-9);
  });
});

describe('beat: external clock', () => {
  /**
   * The tracker on `sig`, with a clock at `bpm` from `from` to `to` s: each beat (jittered by up
   * to ±`jitter` s) is handed over at the first hop end after it, as the show hands over a MIDI
   * clock's beats; at `to` the clock goes (null).
   */
  function clocked(sig: Signal, bpm: number, from: number, to: number, jitter: number, withBeats = true): Run & { clockBeats: number[] } {
    const r = rng(5);
    const clockBeats: number[] = [];
    for (let b = from; b < to; b += 60 / bpm) clockBeats.push(b);
    let k = 0;
    let released = false;
    const run = track(sig, {}, [], (st, t, p) => {
      while (k < clockBeats.length && clockBeats[k] <= t) clockSync(st, t, bpm, withBeats ? clockBeats[k++] + (2 * r() - 1) * jitter : (k++, null), p);
      if (!released && t >= to) {
        clockSync(st, t, null, null, p);
        released = true;
      }
    });
    return { ...run, clockBeats };
  }

  it('a clock at 128 BPM holds its tempo and beats against music at 100; when it goes, the tracker takes over', (t) => {
    const sig = synth({ hop: 256, rate: 48000, sections: [{ bpm: 100, until: 40 }], jitter: 0.005, seed: 3 });
    const run = clocked(sig, 128, 8.03, 20, 0.0015);
    assert.ok(Math.abs(run.bpm[Math.floor(7.9 / sig.hopSeconds)] - 100) <= 1, 'the tracker had the music first');
    for (const v of span(run.bpm, sig.hopSeconds, 8.04, 20)) assert.ok(Math.abs(v - 128) < 1e-9, `bpm ${v}`);
    // From the second clock beat on (the first one is the jump), one flag per clock beat, on its hop.
    const beats = run.clockBeats.slice(1);
    const errors = flagErrors(run, beats, 8.5, 20);
    for (const e of errors) assert.ok(e > -0.002 && e < sig.hopSeconds + 0.002, `clock beat error ${(e * 1000).toFixed(2)} ms`);
    assertNoExtraFlags(run, beats, 8.5, 20);
    for (const v of span(run.bpm, sig.hopSeconds, 30, 40)) assert.ok(Math.abs(v - 100) <= 1, `after the clock: bpm ${v.toFixed(2)}`);
    t.diagnostic(`${errors.length} clock beats, worst ${(Math.max(...errors.map(Math.abs)) * 1000).toFixed(1)} ms`);
  });

  it('a clock without beats (joined mid-song) sets the tempo only: the phase stays the music\'s', () => {
    const sig = synth({ hop: 256, rate: 48000, sections: [{ bpm: 120, until: 20 }], jitter: 0.002, seed: 4 });
    const run = clocked(sig, 121, 8, 20, 0, false);
    for (const v of span(run.bpm, sig.hopSeconds, 8.01, 20)) assert.ok(Math.abs(v - 121) < 1e-9, `bpm ${v}`);
    // The music's beat at 8.3 s still gets its flag: no jump.
    const near = run.beats.filter((b) => Math.abs(b - 8.3) < 0.05);
    assert.equal(near.length, 1, `flags ${run.beats.filter((b) => b > 7 && b < 9).map((b) => b.toFixed(3))}`);
  });
});

describe('beat: contract', () => {
  it('random onsets without a pulse give low confidence', (t) => {
    const hopSeconds = 256 / 48000;
    const r = rng(5);
    const n = Math.ceil(30 / hopSeconds);
    const sig: Signal = { hopSeconds, odf: new Float64Array(n), onset: new Uint8Array(n), grid: [], played: [] };
    for (let i = 0; i < n; i++) {
      sig.odf[i] = 0.05 * r();
      if (r() < 0.01) {
        sig.odf[i] += r();
        sig.onset[i] = 1;
      }
    }
    const run = track(sig);
    const conf = span(run.confidence, hopSeconds, 5, 30);
    const mean = conf.reduce((a, b) => a + b, 0) / conf.length;
    assert.ok(mean < 0.5, `mean confidence ${mean.toFixed(2)}`);
    t.diagnostic(`mean confidence ${mean.toFixed(2)}, bpm ${run.bpm.at(-1)?.toFixed(1)}, ${run.beats.length} beats in 30 s`);
  });

  it('is deterministic, finite and in range', () => {
    const sig = synth({ hop: 235, rate: 44100, sections: [{ bpm: 140, until: 10 }, { bpm: 0, until: 12 }, { bpm: 95, until: 20 }], jitter: 0.01, miss: 0.2, extra: 0.3, seed: 9 });
    const a = track(sig, {}, [3, 3.4, 3.8]);
    const b = track(sig, {}, [3, 3.4, 3.8]);
    assert.deepEqual(a, b);
    for (let i = 0; i < a.bpm.length; i++) {
      assert.ok(Number.isFinite(a.bpm[i]) && a.bpm[i] >= 0);
      assert.ok(a.phase[i] >= 0 && a.phase[i] < 1);
      assert.ok(a.confidence[i] >= 0 && a.confidence[i] <= 1);
    }
  });

  it('gives the same tempo at other rates and hops', () => {
    const tempos = [256 / 48000, 235 / 44100, 512 / 48000, 128 / 44100].map((hop, i) => {
      const sig = synth({ hop: hop * 48000, rate: 48000, sections: [{ bpm: 123, until: 16 }], jitter: 0.005, seed: 20 + i });
      return track(sig).bpm.at(-1) ?? 0;
    });
    for (const v of tempos) assert.ok(Math.abs(v - 123) <= 0.5, `bpm ${v.toFixed(2)}`);
  });

  it('rejects a bad hop or tempo range', () => {
    assert.throws(() => createBeatState(0), /hopSeconds/);
    assert.throws(() => createBeatState(0.005, { minBpm: 200, maxBpm: 100 }), /minBpm/);
  });
});
