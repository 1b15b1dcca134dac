/**
 * Saves two large presets in turn, as fast as it can, forever: the victim of the kill test of
 * atomic saves. Run as `node --import tsx test/helpers/presetWriter.ts DIR NAME`; prints `ready`
 * once two saves are complete (so a `.bak` exists), then keeps saving until it is killed.
 */
import { fileURLToPath } from 'node:url';
import { createLogger } from '../../engine/log.js';
import type { PresetContent } from '../../controllers/presets/presetLibrary.js';
import { openPresetLibrary } from '../../controllers/presets/presetLibrary.js';

/** Mappings per version: enough to make each file a few hundred kilobytes. */
const MAPPINGS = 1500;

/** The two versions written in turn (A and B differ in every mapping, the description and params). */
export function writerVersions(): [PresetContent, PresetContent] {
  const version = (tag: 'A' | 'B', pulse: number): PresetContent => ({
    description: `version ${tag} `.repeat(45),
    morph: { seconds: tag === 'A' ? 1 : 2 },
    params: { pulse_react: pulse, kaleido_segments: tag === 'A' ? 4 : 8 },
    mappings: Array.from({ length: MAPPINGS }, (_, i) => ({
      kind: 'cc' as const,
      device: `${tag}-controller-with-a-long-name-${i}`,
      channel: (i % 16) + 1,
      controller: i % 128,
      param: 'pulse_react' as const,
      range: [0, tag === 'A' ? 1 : 2] as [number, number],
    })),
  });
  return [version('A', 0.25), version('B', 1.75)];
}

async function main(dir: string, name: string): Promise<void> {
  const library = await openPresetLibrary({ dirs: [dir], watch: false, log: createLogger('presetWriter', 'silent') });
  const versions = writerVersions();
  for (let i = 0; ; i++) {
    await library.save(name, versions[i % 2]);
    if (i === 1) process.stdout.write('ready\n');
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [dir, name] = process.argv.slice(2);
  main(dir, name).catch((err: Error) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  });
}
