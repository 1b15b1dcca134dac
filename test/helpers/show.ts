/** A running show on a known signal, for the browser tests, the output bench and the screenshot. */
import type { DecodedAudio } from '../../engine/audio/fileSource.js';
import { createArraySource } from '../../engine/audio/fileSource.js';
import { clickTrack } from '../../engine/audio/testSignals.js';
import { createLogger } from '../../engine/log.js';
import { createParamStore, type ParamStore } from '../../engine/params/ParamStore.js';
import type { ParamValues } from '../../engine/params/registry.js';
import { startShow, type Show, type ShowOptions } from '../../engine/show/liveShow.js';

export interface TestShowOptions {
  /** The starting values (the show's store is made from them: `show.store`). */
  params: ParamValues;
  /** Built-in generator size. */
  size: number;
  fps: number;
  /** Default 0: any free port. */
  port?: number;
  /** Default: a 120 BPM click track (4 s, peak 0.8, 48 kHz), looped. */
  audio?: DecodedAudio;
  /** The show's parameter store (default: a new one from `params`). */
  store?: ParamStore;
  /** What controllers add (as `vj start` passes them). */
  extras?: Pick<ShowOptions, 'openInput' | 'effectOrder' | 'stateExtras' | 'api' | 'onFrame' | 'pages' | 'sockets' | 'access'>;
}

/** Starts a show on loopback, its (mono) audio looped in real time, logging nothing. */
export function startTestShow(opts: TestShowOptions): Promise<Show> {
  const audio = opts.audio ?? { sampleRate: 48000, channels: [clickTrack({ sampleRate: 48000, bpm: 120, seconds: 4, amplitude: 0.8 }).samples] };
  const source = createArraySource(audio, { pace: 'realtime', framesPerBuffer: 256, loop: true, channels: 1 });
  return startShow({
    source, inputName: 'test signal', routes: [{ name: 'main', channels: [0] }], framesPerBuffer: 256, store: opts.store ?? createParamStore(opts.params), ...opts.extras,
    size: opts.size, seed: 1, fps: opts.fps, port: opts.port ?? 0, bind: '127.0.0.1', log: createLogger('test', 'silent'),
  });
}
