/**
 * Switching a running show's input (another source, other routes) and generator: the output
 * never stops, the audio clock runs on, and a switch that fails leaves the show as it was.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import type { AudioSource } from '../../engine/audio/AudioBlock.js';
import { createArraySource } from '../../engine/audio/fileSource.js';
import { clickTrack, sine } from '../../engine/audio/testSignals.js';
import { defaultValues } from '../../engine/params/registry.js';
import { decodeFrame, type FrameHeader } from '../../engine/server/protocol.js';
import type { Show } from '../../engine/show/liveShow.js';
import { startTestShow } from '../helpers/show.js';
import { styleganModel } from '../helpers/syntheticModels.js';

async function until(cond: () => boolean, ms = 10000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const SR = 48000;
/** Channel 1: a 440 Hz sine at 0.5 (hop RMS −9.03 dBFS); channel 2: a 100 BPM click track. */
const stereo = (): AudioSource => createArraySource(
  { sampleRate: SR, channels: [sine({ sampleRate: SR, frequency: 440, seconds: 2, amplitude: 0.5 }), clickTrack({ sampleRate: SR, bpm: 100, seconds: 2.4, amplitude: 0.8 }).samples.subarray(0, 2 * SR)] },
  { pace: 'realtime', framesPerBuffer: 256, loop: true },
);

describe('switching the input and the model of a running show', () => {
  let show: Show;
  let out: WebSocket;
  const frames: FrameHeader[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'vj-models-'));
  const framesAfter = async (n: number): Promise<FrameHeader[]> => {
    const from = frames.length;
    await until(() => frames.length >= from + n);
    return frames.slice(from);
  };
  before(async () => {
    show = await startTestShow({
      params: { ...defaultValues() }, size: 32, fps: 30,
      extras: {
        openInput: async (name) => {
          if (name === 'stereo') return stereo();
          if (name === 'no-start') return { ...stereo(), start: () => Promise.reject(new Error('stream would not start')) };
          throw new Error(`audio input "${name}" not found`);
        },
      },
    });
    out = new WebSocket(`${show.server.url.replace('http', 'ws')}ws`);
    out.on('message', (d, binary) => binary && frames.push(decodeFrame(d as Buffer).header));
    await framesAfter(3);
  });
  after(async () => {
    out.close();
    await show.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses routes the source lacks, and an input that cannot open or start; the show runs on as it was', async () => {
    await assert.rejects(show.setInput({ routes: [{ name: 'main', channels: [1] }] }), /input "main" uses channel 2 but the source has only 1 channel/);
    await assert.rejects(show.setInput({ name: 'Scarlett' }), /audio input "Scarlett" not found/);
    await assert.rejects(show.setInput({ name: 'no-start' }), /stream would not start/);
    await assert.rejects(show.setInput({ name: 'stereo', routes: [{ name: 'x', channels: [2] }] }), /uses channel 3 but the source has only 2 channels/);
    const s = show.state();
    assert.equal(s.input.name, 'test signal');
    assert.deepEqual(s.input.routes, [{ name: 'main', channels: [0] }]);
    assert.equal(s.busy, null);
    await framesAfter(3);
  });

  it('switches to another source with its routes: meters per new input, frames on, the audio clock continuous', async () => {
    const before = frames.length;
    await show.setInput({ name: 'stereo', routes: [{ name: 'keys', channels: [0] }, { name: 'drums', channels: [1] }] });
    const s = show.state();
    assert.equal(s.input.name, 'stereo');
    assert.equal(s.input.channels, 2);
    assert.deepEqual(s.input.routes.map((r) => r.name), ['keys', 'drums']);
    show.meters();
    // The meters hold the peak since the last read; the clicks come every 0.6 s (100 BPM), so
    // the window must be longer than one beat to be sure to hold one.
    await new Promise((r) => setTimeout(r, 700));
    const m = show.meters();
    assert.equal(m.levelsDb.length, 2);
    assert.ok(Math.abs(m.levelsDb[0] - -9.0) < 0.3, `keys: a 0.5 sine is −9.0 dBFS, got ${m.levelsDb[0]}`);
    assert.ok(m.levelsDb[1] > -40, `drums: the clicks (${m.levelsDb[1]} dBFS)`);
    await framesAfter(3);
    const around = frames.slice(Math.max(0, before - 2));
    for (let i = 1; i < around.length; i++) {
      assert.ok(around[i].seq > around[i - 1].seq, 'sequence numbers run on');
      assert.ok(around[i].audioTime >= around[i - 1].audioTime, `audio time runs on across the switch (${around[i - 1].audioTime} → ${around[i].audioTime})`);
    }
  });

  it('re-routes the same source without reopening it', async () => {
    await show.setInput({ routes: [{ name: 'main', channels: [0, 1] }] });
    assert.equal(show.state().input.name, 'stereo');
    show.meters();
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(show.meters().levelsDb.length, 1);
  });

  it('switches the generator: another built-in look, then a user model at its own size; frames never stop', async () => {
    await show.setModel('builtin:7');
    assert.equal(show.state().model.name, 'builtin:7');
    assert.equal(show.generator.name, 'builtin:7');
    const m = styleganModel(16);
    writeFileSync(join(dir, 'model.onnx'), m.onnx);
    writeFileSync(join(dir, 'model.json'), JSON.stringify(m.manifest));
    const seqBefore = frames.at(-1)!.seq;
    await show.setModel(join(dir, 'model.json'));
    const s = show.state();
    assert.equal(s.model.spec, join(dir, 'model.json'));
    assert.equal(s.model.latentDim, 512);
    const after = await framesAfter(5);
    assert.ok(after.every((f) => f.seq > seqBefore));
    assert.deepEqual([after.at(-1)!.width, after.at(-1)!.height], [16, 16]);
  });

  it('refuses a model that cannot be used and keeps the one it has; one switch at a time', async () => {
    await assert.rejects(show.setModel(join(dir, 'none.json')), /none\.json: not found/);
    writeFileSync(join(dir, 'bad.onnx'), 'not a model');
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ ...styleganModel(8).manifest, model: 'bad.onnx' }));
    await assert.rejects(show.setModel(join(dir, 'bad.json')), /bad\.onnx: ONNX Runtime cannot load it/);
    assert.equal(show.state().model.spec, join(dir, 'model.json'));
    const after = await framesAfter(3);
    assert.equal(after.at(-1)!.width, 16);
    const loading = show.setModel('builtin');
    assert.match(show.state().busy ?? '', /loading the model builtin/);
    await assert.rejects(show.setInput({ name: 'stereo' }), /still loading the model builtin; try again when it is done/);
    await loading;
    assert.equal(show.state().model.name, 'builtin');
    assert.equal(show.state().busy, null);
  });
});
