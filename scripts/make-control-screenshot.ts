/**
 * Writes docs/control.png: the operator's control page in Chromium (1440×900) against a running
 * show with its controls, with the club preset loaded and two MIDI mappings learned.
 * Run: node --import tsx scripts/make-control-screenshot.ts
 */
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../test/helpers/chromium.js';
import { startControlShow } from '../test/helpers/controlShow.js';

const out = fileURLToPath(new URL('../docs/control.png', import.meta.url));
const cs = await startControlShow();
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(`${cs.url}control`);
  await page.waitForFunction(() => (window as any).__vjControl?.state !== null, null, { timeout: 10_000 });
  await page.locator('#morph').fill('0');
  await page.locator('[data-preset="club"]').click();
  await page.waitForFunction(() => (window as any).__vjControl.state.preset === 'club', null, { timeout: 5000 });
  await page.locator('#morph').fill('');
  // Learn two knobs, as an operator would: L, then move the knob.
  for (const [param, controller] of [['pulse_react', 21], ['zoom_pulse', 22]] as const) {
    await page.locator(`[data-param="${param}"] button.learn`).click();
    await page.waitForFunction((p) => (window as any).__vjControl.state.midi.learning === p, param, { timeout: 5000 });
    cs.midi.inject('Test Knobs', { type: 'cc', channel: 1, controller, value: 40 });
    await page.waitForFunction(() => (window as any).__vjControl.state.midi.learning === null, null, { timeout: 5000 });
  }
  // Meters for a while, and the "learned" notes gone (4 s).
  await page.waitForTimeout(4500);
  await page.screenshot({ path: out });
} finally {
  await browser.close();
  await cs.stop();
}
process.stderr.write(`wrote ${out}\n`);
