/**
 * Progress reporter: exact strings of the pure formatters, then the TTY and plain-stream
 * behaviour of createProgress over a fake stream and an injected clock.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createProgress, formatDuration, formatProgress } from '../../engine/render/progress.js';

/** A stream that records what is written; `isTTY` as asked. */
function fakeStream(isTTY: boolean): NodeJS.WritableStream & { chunks: string[] } {
  const chunks: string[] = [];
  return {
    isTTY,
    chunks,
    write(s: string) {
      chunks.push(s);
      return true;
    },
  } as unknown as NodeJS.WritableStream & { chunks: string[] };
}

test('formatDuration: m:ss, h:mm:ss, rounding and unknowns', () => {
  assert.equal(formatDuration(0), '0:00');
  assert.equal(formatDuration(7.4), '0:07');
  assert.equal(formatDuration(59.6), '1:00');
  assert.equal(formatDuration(605), '10:05');
  assert.equal(formatDuration(3599), '59:59');
  assert.equal(formatDuration(3600), '1:00:00');
  assert.equal(formatDuration(3 * 3600 + 61), '3:01:01');
  assert.equal(formatDuration(100 * 3600), '100:00:00');
  assert.equal(formatDuration(Infinity), '--:--');
  assert.equal(formatDuration(NaN), '--:--');
  assert.equal(formatDuration(-1), '--:--');
});

test('formatProgress: nothing done yet', () => {
  assert.equal(formatProgress(0, 300, 0), '[------------------------------]   0%  0/300  -/s  elapsed 0:00  ETA --:--');
  assert.equal(formatProgress(0, 300, 5, 30), '[------------------------------]   0%  0/300  -/s  elapsed 0:05  ETA --:--');
});

test('formatProgress: half done, with ETA and real-time factor', () => {
  assert.equal(formatProgress(150, 300, 12), '[###############---------------]  50%  150/300  12.5/s  elapsed 0:12  ETA 0:12');
  assert.equal(
    formatProgress(150, 300, 12, 30),
    '[###############---------------]  50%  150/300  12.5/s  elapsed 0:12  ETA 0:12  0.42× real time',
  );
  assert.equal(
    formatProgress(186, 1800, 1, 30),
    '[###---------------------------]  10%  186/1800  186.0/s  elapsed 0:01  ETA 0:09  6.2× real time',
  );
  assert.equal(
    formatProgress(9000, 36000, 30, 30),
    '[#######-----------------------]  25%  9000/36000  300.0/s  elapsed 0:30  ETA 1:30  10× real time',
  );
});

test('formatProgress: finished, floored percent, and a total of 0', () => {
  assert.equal(
    formatProgress(300, 300, 20, 30),
    '[##############################] 100%  300/300  15.0/s  elapsed 0:20  ETA 0:00  0.50× real time',
  );
  assert.equal(formatProgress(999, 1000, 100).slice(0, 37), '[#############################-]  99%');
  assert.equal(formatProgress(0, 0, 0), '[##############################] 100%  0/0  -/s  elapsed 0:00  ETA 0:00');
  assert.equal(formatProgress(3725, 4000, 3725).split('  ').slice(-2).join('  '), 'elapsed 1:02:05  ETA 4:35');
});

test('a plain stream gets at most 11 lines for 1000 updates, no carriage returns', () => {
  const s = fakeStream(false);
  let t = 0;
  const p = createProgress(1000, { stream: s, now: () => t, label: 'render' });
  for (let i = 1; i <= 1000; i++) {
    t += 10;
    p.update(i);
  }
  p.finish();
  const out = s.chunks.join('');
  assert.ok(!out.includes('\r'));
  const lines = out.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 11);
  assert.ok(lines.every((l) => l.startsWith('render [')));
  assert.equal(lines[0], 'render [------------------------------]   0%  1/1000  100.0/s  elapsed 0:00  ETA 0:10');
  assert.equal(lines[10], 'render [##############################] 100%  1000/1000  100.0/s  elapsed 0:10  ETA 0:00');
});

test('a plain stream stopped early prints the last state once on finish', () => {
  const s = fakeStream(false);
  const p = createProgress(100, { stream: s, now: () => 0 });
  for (let i = 1; i <= 55; i++) p.update(i);
  p.finish();
  p.finish();
  const lines = s.chunks.join('').split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 7);
  assert.match(lines[6], /^\[#{16}-{14}\]  55%  55\/100 /);
});

test('a TTY redraws one line in place, rate-limited by the injected clock', () => {
  const s = fakeStream(true);
  let t = 1000;
  const p = createProgress(100, { stream: s, now: () => t, minIntervalMs: 100, unitsPerSecondOfMedia: 25 });
  p.update(1); // first: drawn
  t += 50;
  p.update(2); // 50 ms later: skipped
  t += 49;
  p.update(3); // 99 ms: skipped
  t += 1;
  p.update(4); // 100 ms: drawn
  t += 10;
  p.update(100); // the last unit: drawn at once
  p.finish();
  assert.equal(s.chunks.length, 5);
  assert.ok(s.chunks.slice(0, 4).every((c) => c.startsWith('\r') && c.endsWith('\x1b[K') && !c.includes('\n')));
  assert.equal(s.chunks[1], '\r[#-----------------------------]   4%  4/100  40.0/s  elapsed 0:00  ETA 0:02  1.6× real time\x1b[K');
  assert.match(s.chunks[2], /100%  100\/100/);
  assert.match(s.chunks[3], /100%  100\/100/);
  assert.equal(s.chunks[4], '\n');
});

test('updates after finish are ignored; a negative total throws', () => {
  const s = fakeStream(true);
  const p = createProgress(10, { stream: s, now: () => 0 });
  p.finish();
  const n = s.chunks.length;
  p.update(5);
  p.finish();
  assert.equal(s.chunks.length, n);
  assert.throws(() => createProgress(-1), RangeError);
  assert.throws(() => createProgress(NaN), RangeError);
});
