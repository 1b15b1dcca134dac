/** The output's estimate of the engine's clock: the shortest recent round trip wins. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClockSync } from '../../app/renderer/clockSync.js';

/** One exchange with a true offset, an outbound and a return delay (ms). */
const exchange = (sync: ReturnType<typeof createClockSync>, at: number, offset: number, out: number, back: number) =>
  sync.sample(at, at + out + offset, at + out + back);

describe('clock sync', () => {
  it('is 0 before any exchange; one symmetric exchange gives the offset exactly', () => {
    const c = createClockSync();
    assert.equal(c.offset(), 0);
    assert.equal(c.rtt(), Infinity);
    exchange(c, 1000, -250, 2, 2);
    assert.equal(c.offset(), -250);
    assert.equal(c.rtt(), 4);
  });

  it('a busy page (pongs held 40 ms on its side) loses to a clean exchange; the error stays within rtt/2', () => {
    const c = createClockSync();
    exchange(c, 0, 500, 1, 40); // alone it would be off by 19.5 ms
    assert.equal(c.offset(), 500 - 19.5);
    exchange(c, 1000, 500, 0.4, 0.6);
    exchange(c, 2000, 500, 1, 35);
    assert.ok(Math.abs(c.offset() - 500) <= c.rtt() / 2);
    assert.ok(Math.abs(c.offset() - (500 - 0.1)) < 1e-9, String(c.offset()));
  });

  it('forgets exchanges older than its window (a drifting clock is followed)', () => {
    const c = createClockSync(4);
    exchange(c, 0, 100, 0.1, 0.1);
    for (let i = 1; i <= 4; i++) exchange(c, i * 1000, 130, 2, 2);
    assert.equal(c.offset(), 130);
  });

  it('ignores impossible samples (received before sent, not a number)', () => {
    const c = createClockSync();
    exchange(c, 0, 10, 1, 1);
    c.sample(100, 50, 90);
    c.sample(100, NaN, 101);
    assert.equal(c.offset(), 10);
  });
});
