/**
 * The live inference loop: decoupled from the audio path. The engine submits a latent whenever
 * it has one; the loop always runs the newest submission, with at most one run in flight and a
 * single pending slot (a newer submission replaces an older one, so there is never a queue).
 * Frames alternate between two preallocated buffers: a delivered frame stays valid until the
 * next one is delivered.
 */
import type { Seconds } from '../units.js';
import type { Generator } from './Generator.js';

/** What a delivered frame carries besides its pixels. */
export interface FrameMeta {
  /** Sequence number of the submission that produced it (1-based). */
  seq: number;
  /** Engine time of the audio that drove its latent. */
  audioTime: Seconds;
  /** performance.now() when it was submitted, when its run started and when it ended (ms). */
  submittedAt: number;
  startedAt: number;
  doneAt: number;
}

export interface InferenceStats {
  submitted: number;
  /** Submissions replaced by a newer one before they ran. */
  superseded: number;
  frames: number;
  errors: number;
}

export interface InferenceLoop {
  /** Queues a latent (copied at once); replaces any pending one. Never blocks. */
  submit(z: Float32Array, classVec: Float32Array, truncation: number, audioTime: Seconds): void;
  readonly stats: Readonly<InferenceStats>;
  /** Resolves when no run is in flight or pending. */
  idle(): Promise<void>;
  /** Stops taking submissions, waits for the run in flight, disposes the generator. */
  close(): Promise<void>;
}

/** A frame callback: `rgba` is valid until the next call (copy it to keep it). */
export type FrameSink = (rgba: Uint8Array, meta: FrameMeta) => void;

interface Slot {
  z: Float32Array;
  classVec: Float32Array;
  truncation: number;
  meta: FrameMeta;
}

export function createInferenceLoop(gen: Generator, onFrame: FrameSink, onError: (err: unknown) => void = () => {}): InferenceLoop {
  const { latentDim, classCount, width, height } = gen.info;
  const slot = (): Slot => ({
    z: new Float32Array(latentDim),
    classVec: new Float32Array(classCount),
    truncation: 1,
    meta: { seq: 0, audioTime: 0, submittedAt: 0, startedAt: 0, doneAt: 0 },
  });
  let pending = slot();
  let running = slot();
  let hasPending = false;
  let inFlight = false;
  let closed = false;
  const frames = [new Uint8Array(width * height * 4), new Uint8Array(width * height * 4)];
  let nextFrame = 0;
  const stats: InferenceStats = { submitted: 0, superseded: 0, frames: 0, errors: 0 };
  let idleWaiters: (() => void)[] = [];

  const pump = (): void => {
    if (inFlight) return;
    if (!hasPending) {
      const w = idleWaiters;
      idleWaiters = [];
      for (const f of w) f();
      return;
    }
    [pending, running] = [running, pending];
    hasPending = false;
    inFlight = true;
    const job = running;
    const out = frames[nextFrame];
    job.meta.startedAt = performance.now();
    gen.generate(job.z, job.classVec, job.truncation, out).then(
      () => {
        job.meta.doneAt = performance.now();
        nextFrame ^= 1;
        stats.frames++;
        inFlight = false;
        try {
          onFrame(out, job.meta);
        } finally {
          pump();
        }
      },
      (err) => {
        stats.errors++;
        inFlight = false;
        onError(err);
        pump();
      },
    );
  };

  return {
    stats,
    submit(z, classVec, truncation, audioTime) {
      if (closed) return;
      if (hasPending) stats.superseded++;
      stats.submitted++;
      pending.z.set(z);
      if (classCount > 0) pending.classVec.set(classVec);
      pending.truncation = truncation;
      const m = pending.meta;
      m.seq = stats.submitted;
      m.audioTime = audioTime;
      m.submittedAt = performance.now();
      hasPending = true;
      pump();
    },
    idle() {
      if (!inFlight && !hasPending) return Promise.resolve();
      return new Promise<void>((r) => idleWaiters.push(r));
    },
    async close() {
      closed = true;
      hasPending = false;
      await this.idle();
      await gen.dispose();
    },
  };
}
