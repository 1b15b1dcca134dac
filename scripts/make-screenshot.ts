/**
 * Writes docs/output.png: the output page in Chromium (1280×720, fit) during the demo clip, with
 * a few effects on. Run: node --import tsx scripts/make-screenshot.ts
 */
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../test/helpers/chromium.js';
import { startTestShow } from '../test/helpers/show.js';
import { decodeAudioFile } from '../engine/audio/fileSource.js';
import { DEMO_CLIP } from '../engine/audio/openInput.js';
import { defaultValues } from '../engine/params/registry.js';

const out = fileURLToPath(new URL('../docs/output.png', import.meta.url));
const show = await startTestShow({
  audio: await decodeAudioFile(DEMO_CLIP),
  params: { ...defaultValues(), kaleido_segments: 6, feedback_amount: 0.5, zoom_pulse: 0.1 },
  size: 512,
  fps: 30,
});
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  await page.goto(show.server.url);
  await page.waitForFunction(() => (window as any).__vj?.presented > 30, null, { timeout: 30_000 });
  await page.waitForTimeout(4000);
  await page.screenshot({ path: out });
} finally {
  await browser.close();
  await show.stop();
}
process.stderr.write(`wrote ${out}\n`);
