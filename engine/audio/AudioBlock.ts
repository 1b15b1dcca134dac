import type { Frames, Hz, Seconds } from '../units.js';

/**
 * One buffer of audio as every source delivers it: deinterleaved float channels in [-1, 1].
 *
 * @remarks The arrays may be reused by the source for the next block (no allocation per
 * buffer): a consumer that keeps samples must copy them.
 */
export interface AudioBlock {
  /** One Float32Array per channel, all `frames` long. */
  readonly channels: readonly Float32Array[];
  readonly frames: Frames;
  readonly sampleRate: Hz;
  /** Index of the block's first frame on the engine clock (frames since the source started). */
  readonly startFrame: Frames;
  /** Engine-clock time of the block's first frame: `startFrame / sampleRate`. */
  readonly captureTime: Seconds;
  /**
   * `performance.now()` in ms at which the block's first frame was captured (estimated as
   * arrival time minus the block duration), for latency measurement; equals the engine
   * time in ms for offline sources.
   */
  readonly wallTimeMs: number;
  /** True when the source is delivering silence in place of a faulted device. */
  readonly silent?: boolean;
}

/** A named mono input made from one or more channels of a (multi-channel) source. */
export interface InputRoute {
  /** Name later stages refer to (e.g. "drums", "keys", "main"). */
  readonly name: string;
  /** Zero-based channel indices mixed (averaged) into this input. */
  readonly channels: readonly number[];
}

/** What `vj devices` lists. */
export interface DeviceInfo {
  readonly index: number;
  readonly name: string;
  readonly hostApi: string;
  readonly maxInputChannels: number;
  readonly defaultSampleRate: Hz;
}

/** Receives blocks; must not throw (a source catches and logs what a consumer throws). */
export type BlockHandler = (block: AudioBlock) => void;

/** Every audio source (PortAudio device, file, test signal) implements this. */
export interface AudioSource {
  readonly sampleRate: Hz;
  readonly channelCount: number;
  /** Starts delivering blocks to `onBlock`; resolves when the source is running. */
  start(onBlock: BlockHandler): Promise<void>;
  /** Stops and releases the device or file; resolves when nothing more will be delivered. */
  stop(): Promise<void>;
  /** Resolves when a finite source (a file) has delivered its last block. */
  readonly ended: Promise<void>;
}
