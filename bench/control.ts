/** Bench section "control": the mapping layer's cost and OSC's UDP-to-parameter latency. */
import { Client } from 'node-osc';
import { createControlHub } from '../controllers/ControlHub.js';
import { startOscServer } from '../controllers/osc/oscServer.js';
import { createLogger } from '../engine/log.js';
import { createParamStore } from '../engine/params/ParamStore.js';
import { defaultValues } from '../engine/params/registry.js';
import { quantile } from './eval/score.js';
import { line, median, sig, type BenchSection } from './lines.js';

export const controlSection: BenchSection = {
  name: 'control',
  async run() {
    const store = createParamStore(defaultValues());
    const hub = createControlHub({ store, presets: { get: () => undefined, names: () => [] } });

    // One set command through the hub (check, sanitize, new snapshot, notify).
    const N = 20000;
    const reps: number[] = [];
    for (let r = 0; r < 5; r++) {
      const t0 = performance.now();
      for (let i = 0; i < N; i++) hub.dispatch({ type: 'set', id: 'grain', value: (i % 300) / 1000 }, 'api');
      reps.push(((performance.now() - t0) * 1000) / N);
    }
    const dispatchUs = median(reps);
    line('hub dispatch, one set', dispatchUs, 'µs');

    // OSC over loopback UDP: a node-osc client's send → the new value in the store.
    const osc = await startOscServer({ hub, port: 0, bind: '127.0.0.1', log: createLogger('bench', 'silent') });
    const client = new Client('127.0.0.1', osc.port);
    const lat: number[] = [];
    let sentAt = 0;
    let seen: (() => void) | null = null;
    store.subscribe(() => {
      lat.push(performance.now() - sentAt);
      seen?.();
    });
    for (let i = 0; i < 500; i++) {
      const done = new Promise<void>((r) => (seen = r));
      sentAt = performance.now();
      await client.send('/vj/param/vignette', (i % 2) * 0.5 + 0.25);
      await done;
    }
    await client.close();
    await osc.close();
    const p50 = quantile(lat, 0.5);
    const p95 = quantile(lat, 0.95);
    line('OSC send → parameter set', p50, 'ms', `p50; p95 ${p95.toFixed(3)} ms (loopback UDP, node-osc client)`);
    return { hub_dispatch_us: sig(dispatchUs), osc_to_param_ms_p50: sig(p50), osc_to_param_ms_p95: sig(p95) };
  },
};
