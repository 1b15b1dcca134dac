/**
 * Opens what `--input` names, for the show and `vj analyze`: an audio file (looped in real time,
 * for rehearsal without the sound card), the bundled demo clip (`demo`), or a PortAudio device
 * by name or index (`default`: the system's default input, or the demo clip when there is no
 * device at all). Also lists the choices for the operator window.
 */
import { existsSync, statSync } from 'node:fs';
import type { AudioSource, DeviceInfo } from './AudioBlock.js';
import { openFileSource } from './fileSource.js';
import { listDevices, openPortAudioSource } from './portaudio.js';
import { projectPath } from '../paths.js';
import type { Hz } from '../units.js';

/** The bundled demo clip, played when there is no input device. */
export const DEMO_CLIP = projectPath('engine', 'audio', 'demo-clip.wav');

/** The input name that plays the demo clip. */
export const DEMO_INPUT = 'demo';

export interface OpenInputOptions {
  sampleRate: Hz;
  framesPerBuffer: number;
  /** Where "no device, playing the demo clip" and similar lines go. */
  note?: (line: string) => void;
}

/** One choice of input as the operator window lists it. */
export interface InputChoice {
  /** What to pass as `--input` (a device's name, or `demo`). */
  name: string;
  /** Input channels (devices), 0 where unknown until opened. */
  channels: number;
  hostApi?: string;
}

/** True when `name` is an existing file: it is played, looped, as the input. */
export function isInputFile(name: string): boolean {
  return existsSync(name) && statSync(name).isFile();
}

/** PortAudio's input devices; none (and a note why) where PortAudio cannot be loaded. */
async function devicesOrNone(note: (line: string) => void = () => {}): Promise<DeviceInfo[]> {
  try {
    return await listDevices();
  } catch (err) {
    note(`audio input unavailable (${err instanceof Error ? err.message : String(err)})`);
    return [];
  }
}

/** Opens a file, the demo clip, or a device by name or index (see the module doc). */
export async function openInput(name: string, opts: OpenInputOptions): Promise<AudioSource> {
  const { framesPerBuffer, note = () => {} } = opts;
  const looped = (path: string): Promise<AudioSource> => openFileSource(path, { pace: 'realtime', framesPerBuffer, loop: true });
  if (name === DEMO_INPUT) return looped(DEMO_CLIP);
  if (isInputFile(name)) return looped(name);
  const devices = await devicesOrNone(note);
  if (devices.length === 0) {
    if (name !== 'default') throw new Error(`no audio input devices found, so "${name}" cannot be opened (vj devices)`);
    note(`no audio input device; playing the demo clip ${DEMO_CLIP}`);
    return looped(DEMO_CLIP);
  }
  const device = name === 'default' ? undefined : /^\d+$/.test(name) ? Number(name) : name;
  return openPortAudioSource({ device, sampleRate: opts.sampleRate, framesPerBuffer });
}

/** The inputs there are: PortAudio's input devices (none where PortAudio is missing; files by path still open), then the demo clip. */
export async function listInputs(): Promise<InputChoice[]> {
  const devices = await devicesOrNone();
  return [
    ...devices.map((d) => ({ name: d.name, channels: d.maxInputChannels, hostApi: d.hostApi })),
    { name: DEMO_INPUT, channels: 0 },
  ];
}
