/**
 * Soak and fault run: a live show (real OSC over UDP, real WebSocket outputs) under load and
 * abuse for a bounded time, measured.
 *
 *   node --import tsx bench/soak.ts [--seconds 480] [--write bench/SOAK.md]
 *
 * For its whole length: valid OSC sets (~400/s) and garbage packets (~400/s: random bytes,
 * truncated messages, broken bundles, wrong types, NaN, unknown addresses), a preset change every
 * 3 s (a broken preset among them), and output clients that connect and leave, die without a
 * close, or stall (stop reading) until dropped, beside one healthy output that times every frame.
 * At the end, with the valid traffic stopped: 20,000 more garbage packets must leave the state
 * exactly as it was. Reported: RSS growth after the warm-up, the largest gap between frames at
 * the healthy output, packets handled and rejected. `test/integration/soak.test.ts` runs it short.
 */
import { createSocket } from 'node:dgram';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { encode } from 'node-osc';
import WebSocket from 'ws';
import { mulberry32 } from '../engine/random.js';
import { startControlShow } from '../test/helpers/controlShow.js';

export interface SoakResult {
  seconds: number;
  rssStartMb: number;
  rssEndMb: number;
  /** RSS growth from the end of the warm-up (the first fifth) to the end, percent. */
  rssGrowthPercent: number;
  /** Largest gap between two frames at the healthy output after the warm-up (ms). */
  largestFrameGapMs: number;
  framesAtHealthyOutput: number;
  presetChanges: number;
  outputClients: { polite: number; died: number; stalled: number };
  osc: { packets: number; applied: number; rejected: number };
  /** The final burst: garbage handled, and whether the state stayed exactly as it was. */
  finalGarbage: number;
  stateUnchanged: boolean;
}

const PRESETS = ['club', 'ambient', 'glitch', 'default', 'broken'];

/** Garbage of every shape the OSC server must refuse (none of it a valid command). */
function garbageForms(rnd: () => number): (() => Buffer)[] {
  const valid = encode({ oscType: 'message', address: '/vj/param/vignette', args: [{ type: 'f', value: 0.5 }] });
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(rnd() * 256)));
  return [
    () => bytes(Math.floor(rnd() * 96)),
    () => valid.subarray(0, Math.floor(rnd() * valid.length)),
    () => Buffer.concat([Buffer.from('#bundle\0'), bytes(Math.floor(rnd() * 40))]),
    () => encode({ oscType: 'message', address: '/vj/param/vignette', args: [{ type: 's', value: 'dark' }] }),
    () => encode({ oscType: 'message', address: '/vj/param/vignette', args: [{ type: 'f', value: 1 + rnd() * 100 }] }),
    () => encode({ oscType: 'message', address: '/vj/param/hue_speed', args: [{ type: 'f', value: Number.NaN }] }),
    () => encode({ oscType: 'message', address: `/vj/param/x${Math.floor(rnd() * 1e6)}`, args: [{ type: 'f', value: 0.1 }] }),
    () => encode({ oscType: 'message', address: '/vj/preset', args: [{ type: 'i', value: 3 }] }),
    () => encode({ oscType: 'message', address: '/vj/preset', args: [{ type: 's', value: '../../etc/passwd' }] }),
    () => encode({ oscType: 'bundle', timetag: 0, elements: [{ oscType: 'message', address: '/vj/param/grain', args: [{ type: 'f', value: 0.2 }] }, { oscType: 'message', address: '/vj/param/grain', args: [] }] }),
  ];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rssMb = () => process.memoryUsage().rss / 2 ** 20;

export async function soak(seconds: number, progress: (line: string) => void = () => {}): Promise<SoakResult> {
  const cs = await startControlShow();
  // A broken preset in the user's folder: loading it is refused and changes nothing.
  await writeFile(join(cs.userDir, 'broken.json'), '{"version": 1, "params": {"zoom_pulse": "loud"');
  const osc = cs.controls.osc!;
  const port = Number(new URL(cs.url).port);
  const sock = createSocket('udp4');
  const send = (b: Buffer) => sock.send(b, osc.port, '127.0.0.1');
  const rnd = mulberry32(13);
  const garbage = garbageForms(rnd);
  const timers: NodeJS.Timeout[] = [];
  const clients = new Set<WebSocket>();
  const counts = { polite: 0, died: 0, stalled: 0 };
  let presetChanges = 0;
  try {
    // The healthy output: every frame's arrival time.
    let last = 0;
    let largestGap = 0;
    let frames = 0;
    let measuring = false;
    const healthy = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    healthy.on('message', (_d, binary) => {
      if (!binary) return;
      const now = performance.now();
      if (measuring && last > 0) largestGap = Math.max(largestGap, now - last);
      last = now;
      frames++;
    });
    await new Promise<void>((resolve, reject) => healthy.once('open', () => resolve()).once('error', reject));

    // OSC: 4 valid and 4 garbage packets every 10 ms.
    timers.push(setInterval(() => {
      for (let i = 0; i < 4; i++) {
        send(encode({ oscType: 'message', address: '/vj/param/zoom_pulse', args: [{ type: 'f', value: Math.round(rnd() * 500) / 1000 }] }));
        send(garbage[Math.floor(rnd() * garbage.length)]());
      }
    }, 10));
    // A preset every 3 s, morphing over 1 s (the broken one is refused).
    timers.push(setInterval(() => {
      send(encode({ oscType: 'message', address: '/vj/preset', args: [{ type: 's', value: PRESETS[presetChanges++ % PRESETS.length] }, { type: 'f', value: 1 }] }));
    }, 3000));
    // An output client every 500 ms: one leaves politely, one dies, one stalls until dropped.
    let kind = 0;
    timers.push(setInterval(() => {
      const k = (['polite', 'died', 'stalled'] as const)[kind++ % 3];
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
      clients.add(ws);
      ws.on('error', () => {});
      ws.on('close', () => clients.delete(ws));
      ws.once('open', () => {
        counts[k]++;
        const raw = (ws as unknown as { _socket: import('node:net').Socket })._socket;
        if (k === 'polite') setTimeout(() => ws.close(), 700);
        else if (k === 'died') setTimeout(() => raw.destroy(), 300);
        else {
          raw.pause();
          setTimeout(() => raw.destroy(), 5000);
        }
      });
    }, 500));

    const warmup = Math.max(2, seconds / 5);
    const t0 = performance.now();
    let rssStart = rssMb();
    let nextReport = 60;
    for (;;) {
      await sleep(1000);
      const elapsed = (performance.now() - t0) / 1000;
      if (!measuring && elapsed >= warmup) {
        measuring = true;
        rssStart = rssMb();
      }
      if (elapsed >= nextReport) {
        progress(`soak: ${Math.round(elapsed)} s, rss ${rssMb().toFixed(0)} MB, largest gap ${largestGap.toFixed(0)} ms, OSC ${JSON.stringify(osc.stats())}`);
        nextReport += 60;
      }
      if (elapsed >= seconds) break;
    }
    const rssEnd = rssMb();
    for (const t of timers) clearInterval(t);
    await sleep(1500); // the last morph ends

    // Bad input changes nothing: the state before and after a burst of garbage.
    const before = JSON.stringify(cs.controls.hub.presetState()) + JSON.stringify(cs.show.store.current());
    const s0 = osc.stats();
    const BURST = 20_000;
    for (let i = 0; i < BURST; i++) {
      send(garbage[Math.floor(rnd() * garbage.length)]());
      // Batches the kernel's receive buffer can hold (UDP drops the excess).
      if (i % 100 === 99) for (let w = 0; w < 500 && osc.stats().packets - s0.packets < i + 1; w++) await sleep(2);
    }
    for (let w = 0; w < 2500 && osc.stats().packets - s0.packets < BURST; w++) await sleep(2);
    const s1 = osc.stats();
    const after = JSON.stringify(cs.controls.hub.presetState()) + JSON.stringify(cs.show.store.current());
    healthy.close();
    return {
      seconds,
      rssStartMb: rssStart,
      rssEndMb: rssEnd,
      rssGrowthPercent: (100 * (rssEnd - rssStart)) / rssStart,
      largestFrameGapMs: largestGap,
      framesAtHealthyOutput: frames,
      presetChanges,
      outputClients: counts,
      osc: s1,
      finalGarbage: s1.rejected - s0.rejected,
      stateUnchanged: before === after && s1.applied === s0.applied,
    };
  } finally {
    for (const t of timers) clearInterval(t);
    for (const ws of clients) ws.terminate();
    sock.close();
    await cs.stop();
  }
}

/** The result as the markdown kept in the repository. */
function markdown(r: SoakResult): string {
  return `# Soak run

\`node --import tsx bench/soak.ts --seconds ${r.seconds} --write bench/SOAK.md\`, on ${new Date().toISOString().slice(0, 10)}
(2 shared cores; the show, its OSC server and the clients in one process, built-in generator 128² at 30 fps).

| figure | value |
|---|---:|
| length | ${r.seconds} s |
| RSS after the warm-up → at the end | ${r.rssStartMb.toFixed(1)} → ${r.rssEndMb.toFixed(1)} MB (${r.rssGrowthPercent.toFixed(1)} %) |
| largest gap between frames at the healthy output | ${r.largestFrameGapMs.toFixed(0)} ms (${r.framesAtHealthyOutput} frames) |
| preset changes (one in five the broken preset) | ${r.presetChanges} |
| output clients: left / died / stalled until dropped | ${r.outputClients.polite} / ${r.outputClients.died} / ${r.outputClients.stalled} |
| OSC packets handled / applied / rejected | ${r.osc.packets} / ${r.osc.applied} / ${r.osc.rejected} |
| final garbage burst rejected, state unchanged | ${r.finalGarbage}, ${r.stateUnchanged ? 'yes' : '**no**'} |
`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '480' }, write: { type: 'string' } } });
  const r = await soak(Number(values.seconds), (l) => process.stderr.write(`${l}\n`));
  process.stdout.write(`${JSON.stringify(r)}\n`);
  if (values.write) await writeFile(values.write, markdown(r));
  process.exitCode = r.stateUnchanged ? 0 : 1;
}
