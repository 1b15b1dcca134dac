/**
 * Rolling latency and rate figures for `GET /api/stats` and the status line: per stage, the
 * milliseconds from audio capture to that stage (p50/p95 over the last samples), and events per
 * second over the last few seconds.
 */

/** Stages after capture: analysis done, latent stepped, inference done, sent, presented. */
export const STAGES = ['analysis', 'latent', 'inference', 'sent', 'presented'] as const;
export type Stage = (typeof STAGES)[number];

/** A ring of the last `n` values with quantiles. */
export interface Window {
  push(v: number): void;
  quantile(q: number): number;
  readonly count: number;
}

export function createWindow(n = 300): Window {
  const buf = new Float64Array(n);
  const sorted = new Float64Array(n);
  let len = 0;
  let next = 0;
  return {
    push(v) {
      if (!Number.isFinite(v)) return;
      buf[next] = v;
      next = (next + 1) % n;
      if (len < n) len++;
    },
    quantile(q) {
      if (len === 0) return NaN;
      sorted.set(buf.subarray(0, len));
      const s = sorted.subarray(0, len).sort();
      const pos = Math.min(len - 1, Math.max(0, q * (len - 1)));
      const lo = Math.floor(pos);
      const hi = Math.min(len - 1, lo + 1);
      return s[lo] + (s[hi] - s[lo]) * (pos - lo);
    },
    get count() {
      return len;
    },
  };
}

/** Counts events and reports their rate over the last `spanMs`. */
export interface RateMeter {
  tick(now: number): void;
  rate(now: number): number;
}

export function createRateMeter(spanMs = 2000): RateMeter {
  const times: number[] = [];
  const trim = (now: number) => {
    while (times.length && times[0] < now - spanMs) times.shift();
  };
  return {
    tick(now) {
      times.push(now);
      trim(now);
    },
    rate(now) {
      trim(now);
      return (times.length * 1000) / spanMs;
    },
  };
}

export interface StageFigures {
  p50: number;
  p95: number;
  /** The smallest of the window's samples. */
  min: number;
  count: number;
}

export interface StatsSnapshot {
  /** Inference frames per second, and the mean run time. */
  inferenceFps: number;
  inferenceMs: StageFigures;
  /** Frames presented per second, summed over outputs. */
  outputFps: number;
  outputs: number;
  /** Milliseconds from audio capture to each stage. */
  latencyMs: Record<Stage, StageFigures>;
  /**
   * Presented reports left out of `latencyMs.presented` since the start: placed before the frame
   * was sent or after the report arrived (the output's clock offset was off).
   */
  presentedRejected: number;
}

export interface EngineStats {
  /** ms from capture for a stage. */
  stage(stage: Stage, ms: number): void;
  inferenceRun(ms: number, now: number): void;
  presented(now: number): void;
  /** A presented report whose time cannot be true (see `presentedRejected`). */
  rejectPresented(): void;
  snapshot(outputs: number, now: number): StatsSnapshot;
}

const round = (x: number) => (Number.isFinite(x) ? Math.round(x * 100) / 100 : null) as number;

export function createEngineStats(): EngineStats {
  const stages = Object.fromEntries(STAGES.map((s) => [s, createWindow()])) as Record<Stage, Window>;
  const infer = createWindow();
  const inferRate = createRateMeter();
  const outRate = createRateMeter();
  let rejected = 0;
  const fig = (w: Window): StageFigures => ({ p50: round(w.quantile(0.5)), p95: round(w.quantile(0.95)), min: round(w.quantile(0)), count: w.count });
  return {
    stage: (s, ms) => stages[s].push(ms),
    inferenceRun(ms, now) {
      infer.push(ms);
      inferRate.tick(now);
    },
    presented: (now) => outRate.tick(now),
    rejectPresented: () => void rejected++,
    snapshot(outputs, now) {
      return {
        inferenceFps: round(inferRate.rate(now)),
        inferenceMs: fig(infer),
        outputFps: round(outRate.rate(now)),
        outputs,
        latencyMs: Object.fromEntries(STAGES.map((s) => [s, fig(stages[s])])) as Record<Stage, StageFigures>,
        presentedRejected: rejected,
      };
    },
  };
}
