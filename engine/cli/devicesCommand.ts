import type { Writable } from 'node:stream';
import { openEasymidiBackend } from '../../controllers/midi/easymidiBackend.js';
import type { MidiBackend } from '../../controllers/midi/MidiPort.js';
import type { DeviceInfo } from '../audio/AudioBlock.js';
import { listDevices } from '../audio/portaudio.js';

/** Where `vj devices` looks (tests pass their own). */
export interface DeviceSources {
  audio: () => Promise<DeviceInfo[]>;
  /** Rejects with a "MIDI unavailable: …" error where there is no MIDI system. */
  midi: () => Promise<Pick<MidiBackend, 'listInputs' | 'listOutputs'>>;
  out: Writable;
}

/** `vj devices`: one line per audio input device, then the MIDI inputs and outputs. */
export async function devicesCommand(_args: string[], src: DeviceSources = { audio: listDevices, midi: openEasymidiBackend, out: process.stdout }): Promise<number> {
  const w = (line: string): boolean => src.out.write(`${line}\n`);
  const devices = await src.audio();
  if (devices.length === 0) {
    w('no audio input devices found (vj analyze --input default plays the demo clip)');
  } else {
    w('index  channels  rate    host API  name');
    for (const d of devices) {
      w(`${String(d.index).padStart(5)}  ${String(d.maxInputChannels).padStart(8)}  ${String(d.defaultSampleRate).padEnd(6)}  ${d.hostApi.padEnd(8)}  ${d.name}`);
    }
  }
  let midi: Awaited<ReturnType<DeviceSources['midi']>>;
  try {
    midi = await src.midi();
  } catch (err) {
    w(`\n${(err as Error).message.split('\n')[0]}`);
    return 0;
  }
  for (const [what, names] of [['inputs', midi.listInputs()], ['outputs', midi.listOutputs()]] as const) {
    w(`\nMIDI ${what}${names.length ? ' (vj start opens all but Midi Through; --midi NAME picks by part of the name):' : ': none'}`);
    for (const n of names) w(`  ${n}`);
  }
  return 0;
}
