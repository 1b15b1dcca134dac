/**
 * Writes docs/output.png: the output page in Chromium (1280×720, fit) during the demo clip, with
 * a few effects on. Run: node --import tsx scripts/make-screenshot.ts
 */
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../test/helpers/chromium.js';
import { decodeAudioFile, createArraySource } from '../engine/audio/fileSource.js';
import { DEMO_CLIP } from '../engine/cli/analyzeCommand.js';
import { createLogger } from '../engine/log.js';
import { defaultValues } from '../engine/params/registry.js';
import { startShow } from '../engine/show/liveShow.js';

const out = fileURLToPath(new URL('../docs/output.png', import.meta.url));
const audio = await decodeAudioFile(DEMO_CLIP);
const source = createArraySource(audio, { pace: 'realtime', loop: true });
const show = await startShow({
  source, inputName: 'demo clip', routes: [{ name: 'main', channels: [0] }], framesPerBuffer: 256,
  params: { ...defaultValues(), kaleido_segments: 6, feedback_amount: 0.5, zoom_pulse: 0.1 }, preset: null,
  size: 512, seed: 1, fps: 30, port: 0, bind: '127.0.0.1', log: createLogger('screenshot', 'silent'),
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
