/** What every image generator offers the engine: one frame from one latent. */

/** Execution providers, in the default order of preference. */
export const PROVIDER_ORDER = ['cuda', 'tensorrt', 'webgpu', 'coreml', 'dml', 'cpu'] as const;
export type ProviderName = (typeof PROVIDER_ORDER)[number];

/** How a model's output tensor encodes pixels. */
export interface PixelFormat {
  layout: 'NCHW' | 'NHWC';
  range: '[-1,1]' | '[0,1]' | 'uint8';
  channels: 3 | 4;
  width: number;
  height: number;
}

export interface GeneratorInfo {
  /** The manifest's name, or `builtin-cppn`. */
  name: string;
  builtin: boolean;
  latentDim: number;
  /** 0 for a model without classes. */
  classCount: number;
  width: number;
  height: number;
  /** The execution provider running it. */
  provider: ProviderName;
}

export interface Generator {
  readonly info: GeneratorInfo;
  /**
   * Runs the model once: `z` (length `latentDim`), `classVec` (length `classCount`, ignored
   * without classes), `truncation` (used by models with a truncation input); writes RGBA8 into
   * `out` (`width × height × 4` bytes). Inputs are copied into preallocated tensors, so the
   * caller may reuse its arrays as soon as the call returns.
   */
  generate(z: Float32Array, classVec: Float32Array, truncation: number, out: Uint8Array): Promise<void>;
  dispose(): Promise<void>;
}
