/**
 * The output page in real Chromium (Debian's, driven by playwright-core), against a real engine:
 * real audio source (paced in real time), real ONNX generator, real WebSocket frames.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { chromiumSkip, launchChromium } from '../helpers/chromium.js';
import { startTestShow } from '../helpers/show.js';
import { defaultValues, type ParamValues } from '../../engine/params/registry.js';
import type { Show } from '../../engine/show/liveShow.js';

const skip = chromiumSkip;

/** A still image (no keyframes, pulse, motion or class change) and no effects: output = frame. */
function stillParams(): ParamValues {
  return {
    ...defaultValues(),
    speed_fpm: 0, pulse_react: 0, motion_react: 0, class_pitch_react: 0, class_smooth_seconds: 0, class_shuffle_strength: 0,
    contrast_strength: 0, flash_strength: 0, zoom_pulse: 0, rgb_split: 0, vignette: 0, grain: 0, hue_speed: 0, hue_react: 0, feedback_amount: 0, kaleido_segments: 0,
  } as ParamValues;
}

/** The show on a 120 BPM click track: 64² frames at 30 fps. */
const show = (params: ParamValues, port = 0): Promise<Show> => startTestShow({ params, size: 64, fps: 30, port });

async function openPage(browser: Browser, url: string, errors: string[], query = ''): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 128, height: 128 } });
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${url}?test${query}`);
  await page.waitForFunction(() => (window as any).__vj?.presented > 3, null, { timeout: 20_000 });
  return page;
}

/** The canvas as RGB bytes (PNG screenshot decoded by ffmpeg). */
async function canvasRgb(page: Page): Promise<Buffer> {
  const png = await page.locator('canvas').screenshot();
  return execFileSync('ffmpeg', ['-v', 'error', '-i', '-', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { input: png });
}

describe('output page in Chromium', { skip }, () => {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => browser?.close());

  it("shows the engine's frame, upscaled; two outputs at once; no console errors", async () => {
    const params = stillParams();
    const s = await show(params);
    const frames: Uint8Array[] = [];
    const errors: string[] = [];
    try {
      // Capture what the engine sends by decoding its own frame stream in a second page.
      const a = await openPage(browser, s.server.url, errors);
      const b = await openPage(browser, s.server.url, errors);
      assert.equal(s.server.outputs(), 2);
      const frame = await a.evaluate(async () => {
        const r = await fetch('/api/state');
        return r.ok;
      });
      assert.ok(frame);
      // The frame itself, straight from the generator through the page's last message.
      const sent = Buffer.from(await a.evaluate(() => Array.from((window as any).__vj.lastPixels as Uint8Array)));
      frames.push(sent);
      const shot = await canvasRgb(a);
      // 64² frame, 128² canvas: each frame pixel covers 2×2 output pixels (bilinear between).
      let err = 0;
      let n = 0;
      for (let y = 4; y < 60; y++) {
        for (let x = 4; x < 60; x++) {
          for (let c = 0; c < 3; c++) {
            const want = sent[(y * 64 + x) * 4 + c];
            const got = (shot[((2 * y) * 128 + 2 * x) * 3 + c] + shot[((2 * y + 1) * 128 + 2 * x + 1) * 3 + c]) / 2;
            err += Math.abs(want - got);
            n++;
          }
        }
      }
      assert.ok(err / n < 6, `mean error ${(err / n).toFixed(2)} between the frame sent and the canvas`);
      const bFrames = await b.evaluate(() => (window as any).__vj.frames as number);
      assert.ok(bFrames > 3, 'the second output gets frames too');
      const stats = s.stats();
      assert.equal(stats.outputs, 2);
      assert.ok(stats.latencyMs.presented.count > 0, 'presented reports arrive');
      assert.deepEqual(errors, []);
    } finally {
      await s.stop();
    }
  });

  it('latency cannot lie with both cores loaded: presented after sent, reports placed before the send or after arrival left out, and few', async () => {
    const s = await show(defaultValues());
    const errors: string[] = [];
    // Two busy loops: the engine, Chromium and the rasteriser fight for the two cores.
    const hogs = [0, 1].map(() => spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
    try {
      const page = await openPage(browser, s.server.url, errors);
      await page.waitForFunction(() => (window as any).__vj.presented > 60, null, { timeout: 60_000 });
      const st = s.stats();
      const { sent, presented } = st.latencyMs;
      const total = presented.count + st.presentedRejected;
      assert.ok(presented.count >= 30, `presented samples: ${presented.count}`);
      assert.ok(presented.min >= 0, `presented min ${presented.min} ms`);
      assert.ok(presented.p50 > sent.p50, `presented ${JSON.stringify(presented)} after sent ${JSON.stringify(sent)}`);
      assert.ok(st.presentedRejected <= 0.05 * total, `${st.presentedRejected} of ${total} presented reports rejected`);
      assert.deepEqual(errors, []);
    } finally {
      for (const h of hogs) h.kill('SIGKILL');
      await s.stop();
    }
  });

  it('the aspect and upscale parameters reach every output (an output pinned by ?aspect= keeps its own); the filter changes the pixels', async () => {
    const s = await show(stillParams());
    const errors: string[] = [];
    try {
      const free = await openPage(browser, s.server.url, errors);
      const pinned = await openPage(browser, s.server.url, errors, '&aspect=fill');
      const view = (p: Page) => p.evaluate(() => (window as any).__vj.view() as { aspect: string; upscale: string });
      assert.deepEqual(await view(free), { aspect: 'fit', upscale: 'bicubic' });
      assert.deepEqual(await view(pinned), { aspect: 'fill', upscale: 'bicubic' });
      // A still image: the same frame on screen for both shots.
      const cubic = await canvasRgb(free);
      s.store.apply({ aspect: 'stretch', upscale: 'bilinear' }, 'osc');
      await free.waitForFunction(() => (window as any).__vj.view().upscale === 'bilinear', null, { timeout: 5000 });
      assert.deepEqual(await view(free), { aspect: 'stretch', upscale: 'bilinear' });
      assert.deepEqual(await view(pinned), { aspect: 'fill', upscale: 'bilinear' });
      await free.waitForFunction(() => (window as any).__vj.presented > 0);
      await new Promise((r) => setTimeout(r, 200));
      const linear = await canvasRgb(free);
      let diff = 0;
      for (let i = 0; i < cubic.length; i++) diff += Math.abs(cubic[i] - linear[i]);
      assert.ok(diff / cubic.length > 0.2, `bicubic and bilinear differ on screen (mean ${(diff / cubic.length).toFixed(3)})`);
      assert.deepEqual(errors, []);
    } finally {
      await s.stop();
    }
  });

  it('flash visibly brightens the output on each onset', async () => {
    const params = { ...stillParams(), flash_strength: 1 };
    const s = await show(params);
    try {
      const page = await openPage(browser, s.server.url, []);
      // Sample the drive of the frame on screen and the canvas brightness at each display frame for 4 s.
      const samples = await page.evaluate(async () => {
        const src = document.querySelector('canvas') as HTMLCanvasElement;
        const c2 = document.createElement('canvas');
        c2.width = 32;
        c2.height = 32;
        const ctx = c2.getContext('2d', { willReadFrequently: true })!;
        const out: [number, number][] = [];
        const end = performance.now() + 4000;
        while (performance.now() < end) {
          await new Promise((r) => requestAnimationFrame(r));
          ctx.drawImage(src, 0, 0, 32, 32);
          const px = ctx.getImageData(0, 0, 32, 32).data;
          let sum = 0;
          for (let i = 0; i < px.length; i += 4) sum += px[i] + px[i + 1] + px[i + 2];
          out.push([(window as any).__vj.lastHeader.uniforms.u_flash_drive as number, sum / (px.length * 0.75)]);
        }
        return out;
      });
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      const hit = samples.filter(([d]) => d > 0.5).map(([, b]) => b);
      const calm = samples.filter(([d]) => d < 0.02).map(([, b]) => b);
      assert.ok(hit.length > 2 && calm.length > 10, `${hit.length} samples on hits, ${calm.length} calm`);
      assert.ok(mean(hit) > 1.25 * mean(calm), `brightness on hits ${mean(hit).toFixed(1)} vs calm ${mean(calm).toFixed(1)}`);
    } finally {
      await s.stop();
    }
  });

  it('an effect toggled by its parameter changes the pixels; an output reconnects after an engine restart', async () => {
    const params = stillParams();
    let s = await show(params);
    const errors: string[] = [];
    try {
      const page = await openPage(browser, s.server.url, errors);
      const before = await canvasRgb(page);
      assert.equal(await page.evaluate(() => (window as any).__vj.chainKey), '');
      s.store.apply({ kaleido_segments: 4 }, 'api');
      await page.waitForFunction(() => (window as any).__vj.chainKey === 'kaleido', null, { timeout: 5000 });
      await page.waitForTimeout(200);
      const after = await canvasRgb(page);
      let diff = 0;
      for (let i = 0; i < before.length; i++) diff += Math.abs(before[i] - after[i]);
      assert.ok(diff / before.length > 10, `mean change ${(diff / before.length).toFixed(2)} with the kaleidoscope on`);

      // Restart the engine on the same port: the page reconnects by itself.
      const port = s.server.port;
      const seen = await page.evaluate(() => (window as any).__vj.presented as number);
      await s.stop();
      s = await show({ ...s.store.current() }, port);
      await page.waitForFunction((n) => (window as any).__vj.presented > n + 5, seen, { timeout: 15_000 });
      assert.equal(s.server.outputs(), 1);
      assert.deepEqual(errors.filter((e) => !/WebSocket|ERR_CONNECTION_REFUSED/.test(e)), []);
    } finally {
      await s.stop();
    }
  });
});
