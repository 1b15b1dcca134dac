/**
 * Performance bench: `npm run bench` (= `node --import tsx bench/run.ts`).
 *
 * Runs every section in {@link SECTIONS} in turn. Each section prints its own readable lines and
 * returns its figures as `Record<string, number>`; the main merges them and prints them as ONE
 * JSON object on the very last line of stdout, so a script can take `tail -1` and parse it.
 * To add figures, add a section (a name and a `run`) to SECTIONS.
 *
 * The machine may be small and noisy: every timing is the median of several repetitions.
 * Run with `node --expose-gc --import tsx bench/run.ts` to have the heap figure measured after
 * forced collections.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { createAnalyzer, feed, resolveAnalysisParams } from '../engine/analysis/analyzer.js';
import { createSpectrumState, spectrumStep } from '../engine/analysis/spectrum.js';
import { createOnsetState, onsetStep } from '../engine/analysis/onset.js';
import { createHpssState, hpssStep } from '../engine/analysis/hpss.js';
import { chromaStep, createChromaState } from '../engine/analysis/chroma.js';
import { beatStep, createBeatState } from '../engine/analysis/beat.js';
import { mulberry32, quantize16, writeWav } from '../engine/audio/testSignals.js';
import { createLatentInput, createLatentState, latentStep } from '../engine/latent/index.js';
import { defaultValues } from '../engine/params/registry.js';
import { fmt, line, median, note, sig, type BenchSection } from './lines.js';
import { generatorSection, modelSection, renderSection } from './generator.js';
import { outputSection } from './output.js';
import { controlSection } from './control.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));

const gc = (globalThis as { gc?: () => void }).gc;

// ---------------------------------------------------------------------------------------------
// Section "analysis": the per-hop cost of the feature analyzer, per stage, and against aubio.

const SR = 48000;
const SECONDS = 30;
const HOP = 256;
const REPS = 7;

/**
 * A deterministic 30 s mono test signal with musical content at 120 BPM: a pitch-swept kick on
 * every beat (0.5 s), a noise hi-hat on the off-beats, a chord progression (C, Am, F, G, one per
 * bar) of decaying harmonic tones over a bass note, and low white noise. Peak −1 dBFS, snapped
 * to the 16-bit grid so the WAV written for the peers holds exactly these samples.
 */
function musicalSignal(): Float32Array {
  const n = SR * SECONDS;
  const x = new Float32Array(n);
  const rand = mulberry32(12345);
  const beat = 0.5;
  // Kicks and hi-hats.
  for (let k = 0; k * beat < SECONDS; k++) {
    const start = Math.round(k * beat * SR);
    let phase = 0;
    for (let i = 0; i < 0.4 * SR && start + i < n; i++) {
      const t = i / SR;
      phase += (2 * Math.PI * (50 + 100 * Math.exp(-t / 0.03))) / SR;
      const click = i < 96 ? 0.4 * (2 * rand() - 1) * (1 - i / 96) : 0;
      x[start + i] += 0.8 * Math.sin(phase) * Math.exp(-t / 0.25) + click;
    }
    const hat = Math.round((k + 0.5) * beat * SR);
    let prev = 0;
    for (let i = 0; i < 0.08 * SR && hat + i < n; i++) {
      const w = 2 * rand() - 1;
      x[hat + i] += 0.15 * (w - prev) * Math.exp(-i / SR / 0.02);
      prev = w;
    }
  }
  // Chords: MIDI notes per bar (2 s), each a 5-harmonic tone decaying from the bar's start.
  const chords = [
    [36, 60, 64, 67], // C
    [33, 57, 60, 64], // Am
    [29, 57, 60, 65], // F
    [31, 55, 59, 62], // G
  ];
  const bar = 4 * beat;
  for (let b = 0; b * bar < SECONDS; b++) {
    const start = Math.round(b * bar * SR);
    const end = Math.min(n, Math.round((b + 1) * bar * SR));
    for (const midi of chords[b % chords.length]) {
      const f0 = 440 * 2 ** ((midi - 69) / 12);
      for (let h = 1; h <= 5; h++) {
        const w = (2 * Math.PI * f0 * h) / SR;
        const amp = 0.12 / h;
        for (let i = start; i < end; i++) x[i] += amp * Math.sin(w * (i - start)) * Math.exp(-(i - start) / SR / 0.8);
      }
    }
  }
  for (let i = 0; i < n; i++) x[i] += 0.01 * (2 * rand() - 1);
  let peak = 0;
  for (let i = 0; i < n; i++) peak = Math.max(peak, Math.abs(x[i]));
  const g = 10 ** (-1 / 20) / peak;
  for (let i = 0; i < n; i++) x[i] *= g;
  return quantize16(x);
}

/** Wall µs per hop of the full analyzer over the whole signal (fresh analyzer each time). */
function timeFullAnalyzer(signal: Float32Array): number {
  const a = createAnalyzer(SR);
  let hops = 0;
  const t0 = performance.now();
  feed(a, signal, () => { hops++; });
  const dt = performance.now() - t0;
  return (dt * 1000) / hops;
}

/** Cost of one `performance.now()` call in µs, subtracted from each per-stage sample. */
function timerOverheadUs(): number {
  const runs: number[] = [];
  for (let r = 0; r < 5; r++) {
    const N = 200_000;
    let sink = 0;
    const t0 = performance.now();
    for (let i = 0; i < N; i++) sink += performance.now();
    const dt = performance.now() - t0;
    if (sink === -1) process.stdout.write('');
    runs.push((dt * 1000) / N);
  }
  return median(runs);
}

type StageName = 'spectrum' | 'onset' | 'hpss' | 'chroma' | 'beat';
const STAGES: readonly StageName[] = ['spectrum', 'onset', 'hpss', 'chroma', 'beat'];

/**
 * Drives the stage functions as `analyzeHop` does (same order, same inputs, own state objects
 * built as `createAnalyzer` builds them), timing each call. Returns total µs per stage.
 */
function timeStages(signal: Float32Array): Record<StageName, number> {
  const p = resolveAnalysisParams();
  const hopFrames = Math.max(1, Math.round(p.hopSeconds * SR));
  const hopSeconds = hopFrames / SR;
  const spec = createSpectrumState(SR, p.spectrum);
  const onset = createOnsetState(spec, hopSeconds, p.onset);
  const hpss = createHpssState(spec.bandCount, hopSeconds, p.hpss);
  const chroma = createChromaState(SR, hopFrames, p.chroma);
  const beat = createBeatState(hopSeconds, p.beat);
  let tSpec = 0, tOnset = 0, tHpss = 0, tChroma = 0, tBeat = 0;
  const hops = Math.floor(signal.length / hopFrames);
  for (let h = 0; h < hops; h++) {
    const hop = signal.subarray(h * hopFrames, (h + 1) * hopFrames);
    const t = ((h + 1) * hopFrames) / SR;
    let sumSq = 0;
    for (let i = 0; i < hop.length; i++) sumSq += hop[i] * hop[i];
    const hopDb = 20 * Math.log10(Math.sqrt(sumSq / hop.length) + 1e-10);
    const t0 = performance.now();
    spectrumStep(hop, spec);
    const t1 = performance.now();
    onsetStep(spec, hopDb, t, onset, p.onset);
    const t2 = performance.now();
    hpssStep(spec.bandMag, hpss, p.hpss);
    const t3 = performance.now();
    chromaStep(hop, chroma, p.chroma);
    const t4 = performance.now();
    beatStep(onset.flux, onset.onset, t, beat, p.beat, onset.bassFlux);
    const t5 = performance.now();
    tSpec += t1 - t0; tOnset += t2 - t1; tHpss += t3 - t2; tChroma += t4 - t3; tBeat += t5 - t4;
  }
  const us = (ms: number) => (ms * 1000) / hops;
  return { spectrum: us(tSpec), onset: us(tOnset), hpss: us(tHpss), chroma: us(tChroma), beat: us(tBeat) };
}

/** Heap growth per hop over a long run (8 passes over the signal on one analyzer). */
function heapBytesPerHop(signal: Float32Array): number {
  const a = createAnalyzer(SR);
  let hops = 0;
  const onHop = () => { hops++; };
  feed(a, signal.subarray(0, 100 * HOP), onHop);
  hops = 0;
  gc?.();
  const before = process.memoryUsage().heapUsed;
  for (let pass = 0; pass < 8; pass++) feed(a, signal, onHop);
  gc?.();
  const after = process.memoryUsage().heapUsed;
  return (after - before) / hops;
}

/** Wall seconds of a child process, median of `runs`; null if the command cannot be started. */
function timeProcess(cmd: string, args: readonly string[], runs: number): { seconds: number; stdout: string } | null {
  const times: number[] = [];
  let stdout = '';
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    const res = spawnSync(cmd, args, { cwd: REPO, encoding: 'utf8', maxBuffer: 64 << 20 });
    const dt = (performance.now() - t0) / 1000;
    if (res.error) {
      if ((res.error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw res.error;
    }
    if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${res.status}: ${res.stderr.slice(-500)}`);
    times.push(dt);
    stdout = res.stdout;
  }
  return { seconds: median(times), stdout };
}

function countLines(s: string): number {
  return s.split('\n').filter((l) => l.trim() !== '').length;
}

const analysisSection: BenchSection = {
  name: 'analysis',
  async run() {
    const out: Record<string, number> = {};
    const signal = musicalSignal();
    const hops = Math.floor(signal.length / HOP);
    note(`signal: ${SECONDS} s mono ${SR} Hz synthetic (kick, hi-hat, chords, noise), ${hops} hops of ${HOP}`);

    // Full analyzer: warm-up pass, then the median of REPS passes.
    timeFullAnalyzer(signal);
    const full: number[] = [];
    for (let r = 0; r < REPS; r++) full.push(timeFullAnalyzer(signal));
    const usPerHop = median(full);
    out['analysis.usPerHop'] = usPerHop;
    out['analysis.realtimeFactor'] = SECONDS / ((usPerHop * hops) / 1e6);
    line('analysis.usPerHop', usPerHop, 'µs/hop', `median of ${REPS}, range ${fmt(Math.min(...full))}–${fmt(Math.max(...full))}`);
    line('analysis.realtimeFactor', out['analysis.realtimeFactor'], '×', 'audio s / processing s (in process, one thread)');

    // Per stage: the same calls analyzeHop makes, each timed; timer overhead subtracted.
    const overhead = timerOverheadUs();
    timeStages(signal);
    const perStage: Record<StageName, number[]> = { spectrum: [], onset: [], hpss: [], chroma: [], beat: [] };
    for (let r = 0; r < REPS; r++) {
      const s = timeStages(signal);
      for (const k of STAGES) perStage[k].push(s[k]);
    }
    let sum = 0;
    for (const k of STAGES) {
      const v = Math.max(0, median(perStage[k]) - overhead);
      sum += v;
      out[`analysis.${k}.usPerHop`] = v;
      line(`analysis.${k}.usPerHop`, v, 'µs/hop', `${((100 * v) / usPerHop).toFixed(0)}% of full`);
    }
    note(`(stages sum ${fmt(sum)} of ${fmt(usPerHop)} µs/hop; each timed per call, ${fmt(overhead * 1000)} ns timer cost subtracted)`);

    // Allocation.
    const heap = heapBytesPerHop(signal);
    out['analysis.heapBytesPerHop'] = heap;
    line('analysis.heapBytesPerHop', heap, 'B/hop', gc ? 'heapUsed growth, GC forced before and after' : 'heapUsed growth, no forced GC (run node --expose-gc): informational');

    // Process-level peers on the same signal as a 16-bit WAV.
    const dir = mkdtempSync(join(tmpdir(), 'vj-bench-'));
    try {
      const wav = join(dir, 'signal.wav');
      await writeWav(wav, SR, [signal], 16);
      const aubio = timeProcess('aubioonset', ['-i', wav, '-O', 'specflux', '-B', '1024', '-H', '256'], 3);
      if (aubio === null) {
        note('aubioonset not found (Debian aubio-tools): aubio figures omitted');
      } else {
        const aubioUs = (aubio.seconds * 1e6) / hops;
        out['aubio.secondsFor30s'] = aubio.seconds;
        out['aubio.usPerHop'] = aubioUs;
        out['aubio.onsets'] = countLines(aubio.stdout);
        line('aubio.secondsFor30s', aubio.seconds, 's', `aubioonset -O specflux -B 1024 -H 256, wall, median of 3, ${out['aubio.onsets']} onsets`);
        line('aubio.usPerHop', aubioUs, 'µs/hop', 'includes process start and WAV decode');
        // This machine's speed swings by up to 1.5× from one second to the next: pair each aubio
        // run with one of our passes right beside it, and take the median of the pairs' ratios.
        const ratios: number[] = [];
        for (let r = 0; r < REPS; r++) {
          const ours = timeFullAnalyzer(signal);
          const peer = timeProcess('aubioonset', ['-i', wav, '-O', 'specflux', '-B', '1024', '-H', '256'], 1)!;
          ratios.push((peer.seconds * 1e6) / hops / ours);
        }
        out['analysis.speedVsAubio'] = median(ratios);
        line('analysis.speedVsAubio', out['analysis.speedVsAubio'], '×', `aubio µs/hop ÷ our in-process µs/hop, median of ${REPS} side-by-side pairs (range ${fmt(Math.min(...ratios))}–${fmt(Math.max(...ratios))}; not like for like: aubio's includes its process start and decode)`);
      }
      const cli = timeProcess(process.execPath, [join(REPO, 'bin/vj.js'), 'analyze', wav, '--onsets'], 3);
      if (cli === null) throw new Error('cannot start node');
      out['cli.analyzeSecondsFor30s'] = cli.seconds;
      out['cli.onsets'] = countLines(cli.stdout);
      line('cli.analyzeSecondsFor30s', cli.seconds, 's', `node bin/vj.js analyze FILE --onsets, wall, median of 3, ${out['cli.onsets']} onsets`);
      if (aubio !== null) {
        out['cli.analyzeVsAubio'] = cli.seconds / aubio.seconds;
        line('cli.analyzeVsAubio', out['cli.analyzeVsAubio'], '×', `process level, like for like (both incl. start and decode): vj ${fmt(cli.seconds)} s ÷ aubioonset ${fmt(aubio.seconds)} s; goal ≤ 2`);
      }
      // Start-up: the compiled CLI against a bare Node start, in the same run.
      const bare = timeProcess(process.execPath, ['-e', '0'], 9);
      const help = timeProcess(process.execPath, [join(REPO, 'bin/vj.js'), '--help'], 9);
      if (bare && help) {
        out['cli.nodeStartSeconds'] = bare.seconds;
        out['cli.helpSeconds'] = help.seconds;
        out['cli.helpVsNode'] = help.seconds / bare.seconds;
        line('cli.helpVsNode', out['cli.helpVsNode'], '×', `vj --help ${fmt(help.seconds * 1000)} ms ÷ node -e 0 ${fmt(bare.seconds * 1000)} ms, wall, median of 9; goal ≤ 3`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return out;
  },
};

// ---------------------------------------------------------------------------------------------
// Latent

/** latentStep at 60 fps for StyleGAN-sized (512, no classes) and BigGAN-sized (128 + 1000 classes) latents. */
const latentSection: BenchSection = {
  name: 'latent',
  async run() {
    const out: Record<string, number> = {};
    const params = defaultValues();
    for (const [key, dim, classCount] of [['latent.usPerStep512', 512, 0], ['latent.usPerStep128c1000', 128, 1000]] as const) {
      const steps = 3600;
      const runs: number[] = [];
      for (let rep = 0; rep < 5; rep++) {
        const st = createLatentState({ dim, classCount, seed: 1 });
        const input = createLatentInput();
        const chroma = new Float32Array(12);
        input.chroma = chroma;
        const t0 = performance.now();
        for (let i = 0; i < steps; i++) {
          input.pulse = (i % 30) < 3 ? 1 : 0;
          input.motion = 0.5;
          chroma[i % 12] = 1;
          latentStep(st, input, params, 1 / 60);
        }
        runs.push(((performance.now() - t0) * 1000) / steps);
      }
      out[key] = median(runs);
      line(key, out[key], 'µs/step', `dim ${dim}, ${classCount} classes, 60 fps, median of 5`);
    }
    return out;
  },
};

// ---------------------------------------------------------------------------------------------
// Main

const SECTIONS: readonly BenchSection[] = [analysisSection, latentSection, controlSection, generatorSection, modelSection, renderSection, outputSection];

async function main(): Promise<void> {
  const all: Record<string, number> = {};
  // `--only analysis,model`: those sections alone.
  const i = process.argv.indexOf('--only');
  const only = i > 0 ? new Set(process.argv[i + 1]?.split(',')) : null;
  for (const s of SECTIONS.filter((x) => !only || only.has(x.name))) {
    process.stdout.write(`${s.name}\n`);
    const t0 = performance.now();
    const figures = await s.run();
    process.stdout.write(`  (${s.name}: ${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
    for (const [k, v] of Object.entries(figures)) {
      if (k in all) throw new Error(`bench: figure "${k}" reported twice`);
      all[k] = sig(v);
    }
  }
  process.stdout.write(`${JSON.stringify(all)}\n`);
}

await main();
