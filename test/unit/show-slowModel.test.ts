/** A model too slow for the show's frame rate is reported once, with what it reaches and what to do. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { slowModelCheck } from '../../engine/show/liveShow.js';

const capture = () => {
  const warned: string[] = [];
  return { warned, log: { debug() {}, info() {}, error() {}, warn: (m: string) => void warned.push(m) } };
};

it('a 4 fps model at --fps 30: one warning after its first runs; a fast one: none', () => {
  const slow = capture();
  const check = slowModelCheck({ name: 'sg2-256', width: 256, provider: 'cpu' }, 30, slow.log);
  check(900); // the first runs (session warm-up) are not judged
  check(700);
  for (let i = 0; i < 8; i++) check(250);
  assert.equal(slow.warned.length, 1);
  for (let i = 0; i < 50; i++) check(250);
  assert.deepEqual(slow.warned, ['model sg2-256 runs at 4.0 fps (250 ms a frame) on cpu, below --fps 30: the output crossfades between its frames and the picture lags the audio by about 250 ms more; for more speed use a smaller model (an export at 128²) or a GPU provider (--providers cuda,webgpu; docs/models.md)']);
  const fast = capture();
  const ok = slowModelCheck({ name: 'builtin-cppn', width: 256, provider: 'cpu' }, 30, fast.log);
  for (let i = 0; i < 20; i++) ok(5);
  assert.deepEqual(fast.warned, []);
});
