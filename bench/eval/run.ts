/**
 * The onset + chord evaluation: generate the set (cached), run our CLI and aubio, score, print a
 * markdown report and, as the very last line, one JSON object with the figures.
 *
 *   node --import tsx bench/eval/run.ts [--quick] [--dir DIR] [--jobs N] [--ours cli|aubio:METHOD|none]
 *
 * Full runs write bench/eval/RESULTS.md; quick runs write RESULTS-quick.md in the cache folder.
 */
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { HALVES } from './chordSet.js';
import { CATEGORIES } from './compose.js';
import { AUBIO_CONFIGS, AUBIO_METHODS, aubioOnsets, cliChroma, cliOnsets } from './detectors.js';
import type { AubioMethod, ChromaDetector, OnsetDetector } from './detectors.js';
import { GENERATOR_VERSION, VARIANTS, generate, onsetHalf } from './generate.js';
import type { ChordClip, OnsetClip } from './generate.js';
import { defaultJobs, mapPool } from './proc.js';
import { referenceChroma } from './referenceChroma.js';
import { aggregate, markdownReport } from './report.js';
import type { ChordFigures, ChromaRow, GroupFigures, OnsetRow } from './report.js';
import { scoreChroma, scoreOnsets, sumChroma } from './score.js';
import type { ChromaScore, OnsetScore } from './score.js';
import { familiesTable } from './families.js';
import { runTempoEval, tempoTable, type TempoGroup } from './tempo.js';

/** One aubio method and window setting and its figures on a group. */
export interface AubioPick { method: string; config: string; f: number; latencyMedianMs: number }

/** The figures of the last output line (what the integration test reads). */
export interface EvalSummary {
  mode: 'full' | 'quick';
  generator: string;
  ours: { available: boolean; detector: string; error?: string; clipErrors: number };
  /** Per category (all variants) and per category/variant, plus `all`. */
  /**
   * `aubio`: the best method and window for that group (an oracle pick per group); `aubioOverall`:
   * the one method and window with the best F over all clips, scored on that group.
   */
  onsets: Record<string, { clips: number; ours?: GroupFigures; aubio: AubioPick; aubioOverall: AubioPick }>;
  /** Per chord group (see {@link chordGroups}): template accuracy of our chroma, of our estimate, of the reference chroma. */
  chroma: { ours?: Record<string, number>; estimate?: Record<string, number>; reference: Record<string, number>; error?: string };
  /** Tempo and beat figures per group (see {@link runTempoEval}). */
  tempo: Record<string, TempoGroup>;
  timings: Record<string, number>;
}

/**
 * The chord table's rows: the report half first (chord-only clean, chord-only degraded, songs per
 * variant, then each chord-only timbre clean), the tune half's summary rows after.
 */
export function chordGroups(chords: readonly ChordClip[]): { name: string; idx: number[] }[] {
  const out: { name: string; idx: number[] }[] = [];
  const add = (name: string, pick: (c: ChordClip) => boolean): void => {
    const idx = chords.map((c, i) => (pick(c) ? i : -1)).filter((i) => i >= 0);
    if (idx.length) out.push({ name, idx });
  };
  for (const half of HALVES) {
    add(`${half}/chords/clean`, (c) => c.half === half && c.kind === 'chords' && c.variant === 'clean');
    add(`${half}/chords/noise+reverb`, (c) => c.half === half && c.kind === 'chords' && c.variant !== 'clean');
    for (const v of VARIANTS) add(`${half}/songs/${v}`, (c) => c.half === half && c.kind === 'song' && c.variant === v);
    add(`${half}/songs/all`, (c) => c.half === half && c.kind === 'song');
    if (half === 'report') {
      for (const c of chords) if (c.half === half && c.kind === 'chords' && c.variant === 'clean') add(`report/chords/clean: ${c.timbre} (${c.program})`, (x) => x === c);
    }
  }
  return out;
}

const HERE = dirname(fileURLToPath(import.meta.url));

function pickOurs(spec: string): OnsetDetector | undefined {
  if (spec === 'cli') return cliOnsets;
  if (spec === 'none') return undefined;
  const m = /^aubio:(\w+)$/.exec(spec);
  if (m && (AUBIO_METHODS as readonly string[]).includes(m[1])) return aubioOnsets(m[1] as AubioMethod, AUBIO_CONFIGS[0]);
  throw new Error(`--ours: expected cli, none or aubio:METHOD, got "${spec}"`);
}

const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0].slice(0, 300);

/** Runs the evaluation and returns the summary (also printed as the last line by the CLI). */
export async function runEval(opts: { quick: boolean; dir?: string; jobs?: number; ours?: string; log?: (s: string) => void }): Promise<{ summary: EvalSummary; markdown: string }> {
  const log = opts.log ?? ((s: string) => process.stderr.write(`${s}\n`));
  const jobs = opts.jobs ?? defaultJobs();
  const timings: Record<string, number> = {};
  const clock = (name: string, t0: number): void => { timings[name] = (Date.now() - t0) / 1000; };
  const oursSpec = opts.ours ?? 'cli';

  let t0 = Date.now();
  const set = await generate({ quick: opts.quick, dir: opts.dir, jobs, log });
  clock('generate', t0);
  const wav = (c: { wav: string }): string => join(set.dir, c.wav);

  // Ours: probe on the first clip; if the CLI cannot run at all, say so once and go on.
  t0 = Date.now();
  const detect = pickOurs(oursSpec);
  const ours: { available: boolean; detector: string; error?: string; clipErrors: number } = { available: false, detector: oursSpec, clipErrors: 0 };
  let oursScores: (OnsetScore | undefined)[] = [];
  if (detect) {
    try {
      const first = await detect(wav(set.onsets[0]));
      ours.available = true;
      oursScores = await mapPool(set.onsets, jobs, async (c, i) => {
        try {
          return scoreOnsets(c.onsets, i === 0 ? first : await detect(wav(c)));
        } catch (e) {
          ours.clipErrors++;
          ours.error ??= `${c.id}: ${errText(e)}`;
          return scoreOnsets(c.onsets, []);
        }
      });
    } catch (e) {
      ours.error = errText(e);
      log(`eval: our detector is unavailable: ${ours.error}`);
    }
  }
  clock('ours onsets', t0);

  // aubio: every method × window setting on every clip (cached per file).
  t0 = Date.now();
  const aubioCache = join(set.dir, 'aubio');
  const runs = set.onsets.flatMap((c) => AUBIO_METHODS.flatMap((m) => AUBIO_CONFIGS.map((cfg) => ({ c, m, cfg }))));
  const aubioScores = await mapPool(runs, jobs, async ({ c, m, cfg }) =>
    scoreOnsets(c.onsets, await aubioOnsets(m, cfg, aubioCache, GENERATOR_VERSION)(wav(c))));
  clock('aubio onsets', t0);
  const aubioOf = (clipIdx: number, m: number, k: number): OnsetScore => aubioScores[(clipIdx * AUBIO_METHODS.length + m) * AUBIO_CONFIGS.length + k];

  // Rows: per category (all variants), per category/variant, all.
  const groups: { name: string; pick: (c: OnsetClip) => boolean }[] = [];
  for (const cat of CATEGORIES) {
    groups.push({ name: cat, pick: (c) => c.category === cat });
    for (const v of VARIANTS) groups.push({ name: `${cat}/${v}`, pick: (c) => c.category === cat && c.variant === v });
  }
  groups.push({ name: 'all', pick: () => true });
  if (!opts.quick) {
    for (const half of ['tune', 'report'] as const) {
      for (const cat of CATEGORIES) groups.push({ name: `${half}/${cat}`, pick: (c) => onsetHalf(c) === half && c.category === cat });
      groups.push({ name: `${half}/all`, pick: (c) => onsetHalf(c) === half });
    }
  }
  const rows: OnsetRow[] = [];
  const summaryOnsets: EvalSummary['onsets'] = {};
  const allIdx = set.onsets.map((_, i) => i);
  let overall = { mi: 0, ki: 0, f: -1 };
  AUBIO_METHODS.forEach((_, mi) => AUBIO_CONFIGS.forEach((__, ki) => {
    const f = aggregate(allIdx.map((i) => aubioOf(i, mi, ki))).f;
    if (f > overall.f) overall = { mi, ki, f };
  }));
  for (const g of groups) {
    const idx = set.onsets.map((c, i) => (g.pick(c) ? i : -1)).filter((i) => i >= 0);
    if (idx.length === 0) continue;
    const overallFig = aggregate(idx.map((i) => aubioOf(i, overall.mi, overall.ki)));
    const aubioOverall: AubioPick = { method: AUBIO_METHODS[overall.mi], config: AUBIO_CONFIGS[overall.ki].name, f: overallFig.f, latencyMedianMs: overallFig.latencyMedianMs };
    let best: { method: string; config: string; figures: GroupFigures } | undefined;
    AUBIO_METHODS.forEach((m, mi) => AUBIO_CONFIGS.forEach((cfg, ki) => {
      const figures = aggregate(idx.map((i) => aubioOf(i, mi, ki)));
      if (!best || figures.f > best.figures.f) best = { method: m, config: cfg.name, figures };
    }));
    const oursFig = ours.available ? aggregate(idx.map((i) => oursScores[i]!)) : undefined;
    const onsets = idx.reduce((a, i) => a + set.onsets[i].onsets.length, 0);
    rows.push({ group: g.name, clips: idx.length, onsets, ours: oursFig, aubio: best! });
    summaryOnsets[g.name] = { clips: idx.length, ours: oursFig, aubio: { method: best!.method, config: best!.config, f: best!.figures.f, latencyMedianMs: best!.figures.latencyMedianMs }, aubioOverall };
  }
  const aubioGrid = AUBIO_METHODS.flatMap((m, mi) => AUBIO_CONFIGS.map((cfg, ki) => ({
    method: m,
    config: cfg.name,
    f: CATEGORIES.map((cat) => aggregate(set.onsets.flatMap((c, i) => (c.category === cat ? [aubioOf(i, mi, ki)] : []))).f),
  })));

  // Chords.
  t0 = Date.now();
  const chromaOf = async (det: ChromaDetector): Promise<ChromaScore[]> =>
    mapPool(set.chords, jobs, async (c) => scoreChroma(await det(wav(c)), c.chords));
  const refScores = await chromaOf(referenceChroma);
  let oursChroma: ChromaScore[] | undefined;
  let chromaError: string | undefined;
  if (oursSpec === 'cli') {
    try {
      oursChroma = await chromaOf(cliChroma);
    } catch (e) {
      chromaError = errText(e);
      log(`eval: our chroma is unavailable: ${chromaError}`);
    }
  }
  clock('chroma', t0);
  const figures = (s: ChromaScore): ChordFigures => ({
    accuracy: s.correct / s.frames, rootAccuracy: s.rootCorrect / s.frames,
    estimate: s.estimateCorrect / s.frames, estimateRoot: s.estimateRoot / s.frames,
  });
  const chromaRows: ChromaRow[] = chordGroups(set.chords).map((g) => ({
    group: g.name,
    files: g.idx.length,
    frames: sumChroma(g.idx.map((i) => refScores[i])).frames,
    ours: oursChroma ? figures(sumChroma(g.idx.map((i) => oursChroma![i]))) : undefined,
    reference: figures(sumChroma(g.idx.map((i) => refScores[i]))),
  }));
  const chordSummary = (pick: (f: ChordFigures) => number, rows: (r: ChromaRow) => ChordFigures | undefined): Record<string, number> =>
    Object.fromEntries(chromaRows.map((r) => [r.group, rows(r) ? pick(rows(r)!) : NaN]));

  // Tempo and beat (in-process: the CLI prints no per-hop BPM in --onsets mode).
  t0 = Date.now();
  const tempo = await runTempoEval({ quick: opts.quick });
  clock('tempo', t0);

  // Onsets on instrument families the onset set never plays (full runs only).
  let families = '';
  if (!opts.quick) {
    t0 = Date.now();
    families = await familiesTable();
    clock('families', t0);
  }

  const nOnsets = set.onsets.reduce((a, c) => a + c.onsets.length, 0);
  const mode = opts.quick ? 'quick' : 'full';
  const markdown = markdownReport({
    mode,
    date: new Date().toISOString().slice(0, 10),
    setSummary: `Set ${GENERATOR_VERSION}: ${set.onsets.length} onset clips (${nOnsets} annotated onsets), ${set.chords.length} chord files; see bench/eval/README.md.`,
    oursNote: ours.available
      ? `\`${oursSpec}\`${ours.clipErrors ? ` (${ours.clipErrors} clips failed, scored as no detections: ${ours.error})` : ''}`
      : `unavailable (${ours.error ?? 'not run'})`,
    onsetRows: rows,
    aubioGrid,
    categories: [...CATEGORIES],
    chromaRows,
    timings,
  });
  const tempoMarkdown = [
    '## Tempo and beat (bench/eval/tempo.ts)', '',
    `Drum grooves (straight, half-time, breakbeat, dembow) on GM kits, steady, with a ±8 BPM step, and DJ-style transitions (8 s crossfade into another groove at another tempo); ${tempo.clips.length} clips. Ours: the analyzer in process (\`bpm\`, \`beat\` per hop); peer: \`aubiotrack\` on the same WAV. The tune half picks defaults; the report half counts.`, '',
    tempoTable(tempo.groups), '',
    ...(families ? [
      '## Onsets on unseen instrument families (bench/eval/families.ts)', '',
      '16 families the onset set never plays, two clips each (clean + noise, clean + reverb); nothing was tuned on them. Ours in process (times at detection); aubio\'s best method per row (an oracle pick in its favour).', '',
      families, '',
    ] : []),
  ].join('\n');
  const summary: EvalSummary = {
    mode,
    generator: GENERATOR_VERSION,
    ours,
    onsets: summaryOnsets,
    chroma: {
      ours: oursChroma ? chordSummary((f) => f.accuracy, (r) => r.ours) : undefined,
      estimate: oursChroma ? chordSummary((f) => f.estimate, (r) => r.ours) : undefined,
      reference: chordSummary((f) => f.accuracy, (r) => r.reference),
      error: chromaError,
    },
    tempo: tempo.groups,
    timings,
  };
  return { summary, markdown: `${markdown}\n${tempoMarkdown}` };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      dir: { type: 'string' },
      jobs: { type: 'string' },
      ours: { type: 'string', default: 'cli' },
    },
  });
  const t0 = Date.now();
  const { summary, markdown } = await runEval({ quick: values.quick, dir: values.dir, jobs: values.jobs ? Number(values.jobs) : undefined, ours: values.ours });
  summary.timings.total = (Date.now() - t0) / 1000;
  const out = values.quick ? join(values.dir ?? '.cache/eval', 'RESULTS-quick.md') : join(HERE, 'RESULTS.md');
  await writeFile(out, markdown);
  process.stdout.write(`${markdown}\n(written to ${out})\n${JSON.stringify(summary)}\n`);
}
