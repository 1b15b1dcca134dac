/**
 * Writes docs/gallery.png: frames of the built-in generator rendered from the demo clip (the
 * README's gallery). Run: node --import tsx scripts/make-gallery.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_CLIP } from '../engine/audio/openInput.js';
import { defaultValues } from '../engine/params/registry.js';
import { writePng } from '../engine/render/png.js';
import { renderSong } from '../engine/render/renderSong.js';

const SIZE = 256;
const FPS = 30;
/** Seconds into the clip of each tile: a row from one seed, then the same moments from another look. */
const TIMES = [2, 6, 10, 14];
const LOOKS = ['builtin', 'builtin:7'];
const out = fileURLToPath(new URL('../docs/gallery.png', import.meta.url));

const cols = TIMES.length;
const mosaic = new Uint8Array(cols * SIZE * LOOKS.length * SIZE * 4);
const scratch = mkdtempSync(join(tmpdir(), 'vj-gallery-'));
try {
  for (const [row, model] of LOOKS.entries()) {
    await renderSong({
      audio: DEMO_CLIP, framesDir: scratch, fps: FPS, size: SIZE, seed: 1, model, params: defaultValues(), progress: false,
      onFrame: (k, rgba) => {
        const col = TIMES.indexOf(k / FPS);
        if (col < 0) return;
        for (let y = 0; y < SIZE; y++) {
          mosaic.set(rgba.subarray(y * SIZE * 4, (y + 1) * SIZE * 4), ((row * SIZE + y) * cols * SIZE + col * SIZE) * 4);
        }
      },
    });
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
await writePng(out, mosaic, cols * SIZE, LOOKS.length * SIZE);
process.stderr.write(`wrote ${out}\n`);
