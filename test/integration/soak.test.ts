/**
 * The soak run's short form (bench/soak.ts; the 8-minute figures are in bench/SOAK.md): 30 s of
 * OSC load and garbage, preset changes (a broken one among them) and output clients that leave,
 * die and stall; the show keeps its frame rate, its memory and its state.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { soak } from '../../bench/soak.js';

it('30 s of load and faults: frames keep coming, memory holds, garbage changes nothing', { timeout: 120_000 }, async (t) => {
  const r = await soak(30);
  t.diagnostic(JSON.stringify(r));
  assert.equal(r.stateUnchanged, true, 'the final garbage burst changed the state');
  assert.ok(r.finalGarbage >= 19_000, `final burst: ${r.finalGarbage} of 20000 packets handled and rejected`);
  assert.ok(r.osc.rejected >= 10_000 && r.osc.applied >= 5_000, `OSC ${JSON.stringify(r.osc)}`);
  assert.ok(r.outputClients.died >= 10 && r.outputClients.stalled >= 10, 'clients died and stalled');
  assert.ok(r.presetChanges >= 8, `${r.presetChanges} preset changes`);
  // 30 fps is a 33 ms gap; the bound leaves room for a loaded CI machine, not for a stall.
  assert.ok(r.framesAtHealthyOutput >= 300, `${r.framesAtHealthyOutput} frames at the healthy output`);
  assert.ok(r.largestFrameGapMs < 750, `largest frame gap ${r.largestFrameGapMs.toFixed(0)} ms`);
  assert.ok(r.rssGrowthPercent < 20, `RSS grew ${r.rssGrowthPercent.toFixed(1)} % after the warm-up`);
});
