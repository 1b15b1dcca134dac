/**
 * Captures from a real PortAudio device in a child process, so the parent can set
 * ALSA_CONFIG_PATH before PortAudio initialises. Run as
 * `node --import tsx test/helpers/captureChild.ts '<json CaptureRequest>'` with an IPC channel.
 *
 * Messages to the parent (see {@link CaptureMessage}): `devices`, `first` (first block),
 * `transition` (silent ↔ live), `done` (stats, per-block timing; samples in `out` as
 * interleaved int16). The parent may send `{ type: 'stop' }`.
 */
import { writeFileSync } from 'node:fs';
import type { DeviceInfo } from '../../engine/audio/AudioBlock.js';
import { listDevices, openPortAudioSource, type CaptureStats, type CaptureTiming } from '../../engine/audio/portaudio.js';

export interface CaptureRequest {
  device: string;
  /** Stop after this many seconds of frames (silence included), or on `stop`. */
  maxSeconds: number;
  /** File for the captured samples (interleaved int16, little-endian). */
  out: string;
  timing?: Partial<CaptureTiming>;
}

export type CaptureMessage =
  | { type: 'devices'; devices: DeviceInfo[] }
  | { type: 'first'; epochMs: number; firstDataDelay: number | undefined }
  | { type: 'transition'; silent: boolean; startFrame: number; epochMs: number }
  | {
      type: 'done';
      frames: number;
      stats: CaptureStats;
      /** Per block: start frame, epoch ms of its first frame (wallTimeMs + timeOrigin), silent flag. */
      starts: number[];
      epochMs: number[];
      silent: boolean[];
      /** Blocks whose startFrame did not continue the previous block. */
      discontinuities: number;
    }
  | { type: 'error'; message: string };

const send = (m: CaptureMessage): void => {
  process.send?.(m);
};

async function main(): Promise<void> {
  const req = JSON.parse(process.argv[2] ?? '{}') as CaptureRequest;
  send({ type: 'devices', devices: await listDevices() });
  const src = openPortAudioSource({ device: req.device, sampleRate: 48000, channels: 2, framesPerBuffer: 256, timing: req.timing });
  const ch = src.channelCount;
  const maxFrames = Math.round(req.maxSeconds * src.sampleRate);
  const data = new Int16Array(maxFrames * ch);
  const starts: number[] = [];
  const epochMs: number[] = [];
  const silent: boolean[] = [];
  let frames = 0;
  let discontinuities = 0;
  let lastSilent: boolean | undefined;
  let finishing = false;

  const finish = async (): Promise<void> => {
    if (finishing) return;
    finishing = true;
    await src.stop();
    writeFileSync(req.out, Buffer.from(data.buffer, 0, frames * ch * 2));
    send({ type: 'done', frames, stats: { ...src.stats }, starts, epochMs, silent, discontinuities });
    process.disconnect?.();
  };
  process.on('message', (m: { type?: string }) => {
    if (m.type === 'stop') void finish();
  });

  await src.start((b) => {
    if (finishing) return;
    const epoch = performance.timeOrigin + b.wallTimeMs;
    if (starts.length === 0) send({ type: 'first', epochMs: epoch, firstDataDelay: src.stats.firstDataDelay });
    if (b.startFrame !== frames) discontinuities++;
    if (lastSilent !== undefined && lastSilent !== (b.silent === true)) {
      send({ type: 'transition', silent: b.silent === true, startFrame: b.startFrame, epochMs: epoch });
    }
    lastSilent = b.silent === true;
    starts.push(b.startFrame);
    epochMs.push(epoch);
    silent.push(lastSilent);
    const n = Math.min(b.frames, maxFrames - frames);
    for (let c = 0; c < ch; c++) {
      const x = b.channels[c];
      for (let i = 0; i < n; i++) data[(frames + i) * ch + c] = Math.round(x[i] * 32768);
    }
    frames += n;
    if (frames >= maxFrames) void finish();
  });
}

main().catch((e: unknown) => {
  send({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  process.exitCode = 1;
  process.disconnect?.();
});
