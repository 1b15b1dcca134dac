import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AudioBlock } from '../../engine/audio/AudioBlock.js';
import { createRouter, defaultRoutes, parseRoutes, validateRoutes } from '../../engine/audio/route.js';

function block(channels: number[][]): AudioBlock {
  const frames = channels[0].length;
  return { channels: channels.map((c) => Float32Array.from(c)), frames, sampleRate: 48000, startFrame: 0, captureTime: 0, wallTimeMs: 0 };
}

test('parseRoutes: named inputs, ranges, + mixes, bare channels', () => {
  assert.deepEqual(parseRoutes('drums=1-2,keys=3-4'), [
    { name: 'drums', channels: [0, 1] },
    { name: 'keys', channels: [2, 3] },
  ]);
  assert.deepEqual(parseRoutes('main=1+2'), [{ name: 'main', channels: [0, 1] }]);
  assert.deepEqual(parseRoutes('1,2'), [{ name: 'main', channels: [0, 1] }]);
  assert.deepEqual(parseRoutes('3'), [{ name: 'main', channels: [2] }]);
  assert.deepEqual(parseRoutes(' 1 - 2 '), [{ name: 'main', channels: [0, 1] }]);
  assert.deepEqual(parseRoutes('bass=1, pads = 3-4+6'), [
    { name: 'bass', channels: [0] },
    { name: 'pads', channels: [2, 3, 5] },
  ]);
});

test('parseRoutes: clear errors for bad specs', () => {
  const bad: [string, RegExp][] = [
    ['', /route spec is empty/],
    ['   ', /route spec is empty/],
    ['drums=1,2', /cannot mix named inputs and bare channels/],
    ['drums=', /input "drums" has no channels/],
    ['=1', /bad input name ""/],
    ['1x=2', /bad input name "1x"/],
    ['a=0', /channels are numbered from 1, got "0"/],
    ['a=2-1', /range "2-1" runs backwards/],
    ['a=1+1', /channel 1 appears twice in input "a"/],
    ['a=1-3+2', /channel 2 appears twice in input "a"/],
    ['a=1,a=2', /input "a" is defined twice/],
    ['a=x', /bad channel term "x"/],
    ['1,,2', /bad channel term ""/],
    ['a=1.5', /bad channel term "1.5"/],
  ];
  for (const [spec, re] of bad) assert.throws(() => parseRoutes(spec), re, spec);
});

test('validateRoutes: channels above the source count name the input; defaultRoutes mixes all', () => {
  assert.doesNotThrow(() => validateRoutes(parseRoutes('drums=1-2,keys=3-4'), 4));
  assert.throws(() => validateRoutes(parseRoutes('drums=1-2,keys=3-4'), 2), /^Error: routes: input "keys" uses channel 3 but the source has only 2 channels$/);
  assert.throws(() => validateRoutes(parseRoutes('2'), 1), /uses channel 2 but the source has only 1 channel$/);
  assert.throws(() => validateRoutes([], 2), /at least one input/);
  assert.throws(() => validateRoutes([{ name: 'x', channels: [] }], 2), /input "x" has no channels/);
  assert.deepEqual(defaultRoutes(3), [{ name: 'main', channels: [0, 1, 2] }]);
  assert.throws(() => defaultRoutes(0), /at least one channel/);
});

test('createRouter: averages the chosen channels, one mono array per input', () => {
  const b = block([
    [1, 0.5, -1, 0],
    [0.5, 0.5, 1, 0.25],
    [0.25, -0.25, 0, 1],
    [-1, 1, 0.5, 0.5],
  ]);
  const mix = createRouter(defaultRoutes(4), 4)(b);
  assert.equal(mix.length, 1);
  assert.deepEqual(Array.from(mix[0]), [0.1875, 0.4375, 0.125, 0.4375]);
  const multi = createRouter(parseRoutes('drums=1-2,keys=3,fx=4+1'), 4)(b);
  assert.deepEqual(multi.map((m) => Array.from(m)), [
    [0.75, 0.5, 0, 0.125],
    [0.25, -0.25, 0, 1],
    [0, 0.75, -0.25, 0.25],
  ]);
});

test('createRouter: reuses its arrays, handles a shorter last block, rejects too few channels', () => {
  const route = createRouter(parseRoutes('l=1,r=2'), 4);
  const a = route(block([[1, 2, 3, 4].map((x) => x / 8), [0, 0, 0, 0]]));
  const first = a[0];
  const b = route(block([[4, 3, 2, 1].map((x) => x / 8), [1, 1, 1, 1]]));
  assert.equal(b, a, 'same result array');
  assert.equal(b[0], first, 'same channel buffer');
  assert.deepEqual(Array.from(b[0]), [0.5, 0.375, 0.25, 0.125]);
  const short = route(block([[0.5, 0.25], [1, 1]]));
  assert.equal(short[0].length, 2);
  assert.equal(short[0].buffer, first.buffer, 'short views share the preallocated storage');
  assert.deepEqual(Array.from(short[0]), [0.5, 0.25]);
  assert.equal(route(block([[0, 0, 0, 0], [0, 0, 0, 0]]))[0].length, 4);
  assert.throws(() => route(block([[1, 2, 3, 4]])), /routes need 2 channels, the block has 1/);
});
