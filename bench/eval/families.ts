/**
 * Onsets on instrument families the onset set (compose.ts) never plays: 8 plucked or struck
 * (electric piano, jazz and distorted guitar, vibraphone, koto, kalimba, slap and synth bass) and
 * 8 legato ones (choir, brass section, French horn, violin, oboe, harmonica, accordion, soprano
 * sax, some over a pad), two clips each on seeds of their own, the first clean and with noise, the
 * second clean and with reverb. Nothing was tuned on them. Ours (the analyzer in process, times
 * at detection) beside aubioonset in every method and window setting, aubio's best pick per family
 * (an oracle choice in its favour), as in RESULTS.md.
 *
 *   node --import tsx bench/eval/families.ts ['{"onset":{…}}' …]
 *
 * Truth as in the onset set: note-on + the calibrated delay of each sound (calibrate.ts), merged
 * within 30 ms. Legato registers are not restricted to fast attacks here: the table gives each
 * family's median rise to −20 dB, so a slow-speaking voice (choir) reads as such.
 * Renders into .cache/families on first use (fluidsynth, about a minute).
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AnalysisOverrides } from '../../engine/analysis/analyzer.js';
import { calibrate, soundKey } from './calibrate.js';
import { composeLegato, composePlucked, LEGATO, PLUCKED, type Composition, type Voice } from './compose.js';
import { AUBIO_CONFIGS, AUBIO_METHODS, aubioOnsets, detectOnsets } from './detectors.js';
import { makeVariant, truthOnsets, type Variant } from './generate.js';
import { defaultJobs, mapPool } from './proc.js';
import { dice, hashSeed } from './prng.js';
import { readMono, renderMidi, writeMidi } from './render.js';
import { aggregate } from './report.js';
import { quantile, scoreOnsets, type OnsetScore } from './score.js';

const VERSION = 'families-1';
const v = (program: number, name: string, lo: number, hi: number, strum = false): Voice => ({ program, name, lo, hi, strum });

/** A family: one voice, plucked (melody with chords) or legato (a gapless line, maybe over a bed). */
interface Family { kind: 'plucked' | 'legato'; voice: Voice; bed?: Voice }
export const FAMILIES: readonly Family[] = [
  { kind: 'plucked', voice: v(5, 'Electric Piano 2', 45, 84) },
  { kind: 'plucked', voice: v(26, 'Jazz Guitar', 45, 76, true) },
  { kind: 'plucked', voice: v(30, 'Distortion Guitar', 40, 72, true) },
  { kind: 'plucked', voice: v(11, 'Vibraphone', 53, 89) },
  { kind: 'plucked', voice: v(107, 'Koto', 55, 84) },
  { kind: 'plucked', voice: v(108, 'Kalimba', 60, 84) },
  { kind: 'plucked', voice: v(36, 'Slap Bass 1', 28, 55) },
  { kind: 'plucked', voice: v(39, 'Synth Bass 2', 28, 55) },
  { kind: 'legato', voice: v(52, 'Choir Aahs', 55, 76) },
  { kind: 'legato', voice: v(61, 'Brass Section', 55, 79), bed: v(89, 'Pad 2 (warm)', 48, 67) },
  { kind: 'legato', voice: v(60, 'French Horn', 45, 70) },
  { kind: 'legato', voice: v(40, 'Violin', 55, 88), bed: v(49, 'String Ensemble 2', 48, 67) },
  { kind: 'legato', voice: v(68, 'Oboe', 60, 84), bed: v(92, 'Pad 5 (bowed)', 48, 67) },
  { kind: 'legato', voice: v(22, 'Harmonica', 60, 84) },
  { kind: 'legato', voice: v(21, 'Accordion', 53, 77) },
  { kind: 'legato', voice: v(64, 'Soprano Sax', 60, 84), bed: v(95, 'Pad 8 (sweep)', 48, 67) },
];
const CLIPS: readonly { index: number; variants: Variant[] }[] = [{ index: 0, variants: ['clean', 'noise'] }, { index: 1, variants: ['clean', 'reverb'] }];

interface FamilyClip { family: Family; id: string; wav: string; variant: Variant; onsets: number[] }

/** Onset-set programs: a family must not be one of them. */
function usedByOnsetSet(): Set<number> {
  return new Set([...PLUCKED.map((x) => x.program), ...LEGATO.flatMap((x) => [x.lead.program, ...(x.bed ? [x.bed.program] : [])])]);
}

async function makeClips(dir: string): Promise<{ clips: FamilyClip[]; rise20: Map<number, number> }> {
  const used = usedByOnsetSet();
  for (const f of FAMILIES) if (used.has(f.voice.program)) throw new Error(`families: program ${f.voice.program} is in the onset set`);
  await mkdir(dir, { recursive: true });
  const plan = FAMILIES.flatMap((family) => CLIPS.map((c) => {
    const d = dice(hashSeed(`${VERSION}/${family.voice.program}/${c.index}`));
    const comp: Composition = family.kind === 'plucked' ? composePlucked(d, family.voice) : composeLegato(d, { lead: family.voice, bed: family.bed });
    return { family, base: `f${family.voice.program}-${c.index}`, comp, variants: c.variants };
  }));
  const notes = await Promise.all(plan.map((p) => writeMidi(p.comp.score, join(dir, `${p.base}.mid`))));
  const cal = await calibrate(notes.flatMap((n) => n.map(soundKey)), dir, VERSION, defaultJobs());
  const rise20 = new Map(FAMILIES.map((f) => {
    const own = notes.flatMap((n, i) => (plan[i].family === f ? n.filter((x) => x.program === f.voice.program) : []));
    return [f.voice.program, quantile(own.map((x) => cal[soundKey(x)]?.rise20 ?? NaN).filter(Number.isFinite), 0.5)] as const;
  }));
  const clips = await mapPool(plan, defaultJobs(), async (p, i) => {
    const clean = join(dir, `${p.base}-clean.wav`);
    if (!existsSync(clean)) await renderMidi(join(dir, `${p.base}.mid`), clean, p.comp.score.duration);
    const onsets = truthOnsets(notes[i], cal);
    const out: FamilyClip[] = [];
    for (const variant of p.variants) {
      const id = `${p.base}-${variant}`;
      const wav = join(dir, `${id}.wav`);
      if (!existsSync(wav)) await makeVariant(clean, wav, variant, id);
      out.push({ family: p.family, id, wav, variant, onsets });
    }
    return out;
  });
  return { clips: clips.flat(), rise20 };
}

/** The families table (markdown) for one configuration: per family, all plucked, all legato, all. */
export async function familiesTable(overrides: AnalysisOverrides = {}, dir = resolve('.cache/families')): Promise<string> {
  const { clips, rise20 } = await makeClips(dir);
  const audio = await Promise.all(clips.map((c) => readMono(c.wav)));
  const aubio = AUBIO_METHODS.flatMap((m) => AUBIO_CONFIGS.map((cfg) => ({ name: `${m} (${cfg.name})`, run: aubioOnsets(m, cfg, join(dir, 'aubio'), VERSION) })));
  const aubioScores = await mapPool(aubio, defaultJobs(), async (a) => Promise.all(clips.map(async (c) => scoreOnsets(c.onsets, await a.run(c.wav)))));
  const ours = clips.map((c, i) => scoreOnsets(c.onsets, detectOnsets(audio[i], overrides)));
  const lines = [
    '| family | kind | rise to −20 dB, median (ms) | onsets | ours F | ours P / R | ours latency median (ms) | aubio best method | aubio F |',
    '|---|---|---:|---:|---:|---|---:|---|---:|',
  ];
  const row = (name: string, kind: string, rise: string, pick: (c: FamilyClip) => boolean): void => {
    const idx = clips.map((c, i) => (pick(c) ? i : -1)).filter((i) => i >= 0);
    const of = (s: readonly OnsetScore[]) => aggregate(idx.map((i) => s[i]));
    const o = of(ours);
    let best = { name: '', f: -1 };
    aubio.forEach((a, k) => { const f = of(aubioScores[k]).f; if (f > best.f) best = { name: a.name, f }; });
    const onsets = idx.reduce((s, i) => s + clips[i].onsets.length, 0);
    lines.push(`| ${name} | ${kind} | ${rise} | ${onsets} | ${o.f.toFixed(3)} | ${o.precision.toFixed(3)} / ${o.recall.toFixed(3)} | ${o.latencyMedianMs.toFixed(1)} | ${best.name} | ${best.f.toFixed(3)} |`);
  };
  for (const f of FAMILIES) row(`${f.voice.name} (${f.voice.program})${f.bed ? ` over ${f.bed.name}` : ''}`, f.kind, (1000 * rise20.get(f.voice.program)!).toFixed(0), (c) => c.family === f);
  for (const kind of ['plucked', 'legato'] as const) row(`all ${kind}`, kind, '', (c) => c.family.kind === kind);
  row('all', '', '', () => true);
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const configs = process.argv.slice(2).map((s) => JSON.parse(s) as AnalysisOverrides);
  for (const cfg of configs.length ? configs : [{}]) console.log(`${JSON.stringify(cfg)}\n${await familiesTable(cfg)}`);
}
