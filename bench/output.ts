/**
 * Bench section for the live output, in Debian's Chromium (SwiftShader: a CPU rasteriser, so
 * these are worst-case figures): the compositor's ms per 1920×1080 frame with the whole effect
 * chain, and audio→presented latency of the running show with one output.
 */
import { existsSync } from 'node:fs';
import { CHROMIUM, launchChromium } from '../test/helpers/chromium.js';
import { startTestShow } from '../test/helpers/show.js';
import { defaultValues, type ParamValues } from '../engine/params/registry.js';
import { line, note, type BenchSection } from './lines.js';


export const outputSection: BenchSection = {
  name: 'output',
  async run() {
    const out: Record<string, number> = {};
    if (!existsSync(CHROMIUM)) {
      note('Debian chromium not installed: output figures omitted');
      return out;
    }
    const all: ParamValues = { ...defaultValues(), zoom_pulse: 0.1, kaleido_segments: 6, rgb_split: 0.004, hue_speed: 20, hue_react: 0.3, vignette: 0.35, grain: 0.03, feedback_amount: 0.6 };
    const browser = await launchChromium();
    try {
      for (const [key, params, viewport] of [
        ['output.compositorMs1080', all, { width: 1920, height: 1080 }],
        ['output.compositorMs1080Bilinear', { ...all, upscale: 'bilinear' }, { width: 1920, height: 1080 }],
        ['output.latency', defaultValues(), { width: 1280, height: 720 }],
        ['output.latencySmall', defaultValues(), { width: 320, height: 180 }],
      ] as const) {
        const show = await startTestShow({ params, size: 256, fps: 60 });
        try {
          const page = await browser.newPage({ viewport });
          await page.goto(show.server.url);
          await page.waitForFunction(() => (window as any).__vj?.presented > 10, null, { timeout: 30_000 });
          if (key.startsWith('output.compositor')) {
            out[key] = await page.evaluate(() => (window as any).__vj.benchDraw(30) as number);
            line(key, out[key], 'ms', `whole chain (${all.kaleido_segments}-fold kaleido, feedback, grain…), ${params.upscale} upscaling, 1920×1080, SwiftShader, a pixel read back each`);
          } else {
            await page.waitForTimeout(6000);
            const st = show.stats();
            const p = st.latencyMs.presented;
            const at = key === 'output.latency' ? '' : 'Small';
            out[`output.audioToPresentedP50${at}`] = p.p50;
            out[`output.audioToPresentedP95${at}`] = p.p95;
            line(`output.audioToPresentedP50${at}`, p.p50, 'ms', `built-in 256², ${viewport.width}×${viewport.height} output, ${p.count} frames`);
            line(`output.audioToPresentedP95${at}`, p.p95, 'ms', 'from the end of the audio block to the next animation frame after the draw (the frame on screen)');
            out[`output.presentedRejected${at}`] = st.presentedRejected;
            line(`output.presentedRejected${at}`, st.presentedRejected, 'reports', `left out: placed before the send or after arrival beyond the clock offset's uncertainty (min kept ${p.min} ms)`);
          }
          await page.close();
        } finally {
          await show.stop();
        }
      }
    } finally {
      await browser.close();
    }
    return out;
  },
};
