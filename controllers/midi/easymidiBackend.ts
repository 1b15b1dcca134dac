/**
 * The MIDI adapter for real hardware: easymidi (RtMidi: ALSA on Linux, CoreMIDI, WinMM) behind
 * the {@link MidiBackend} interface. The only importer of easymidi in the project.
 *
 * easymidi counts channels 0..15; {@link MidiMessage} counts them 1..16 as users do. Messages
 * of other kinds (aftertouch, sysex, MTC, active sensing) are dropped here.
 */
import type easymidi from 'easymidi';
import type { MidiBackend, MidiInputPort, MidiMessage, MidiOutputPort } from './MidiPort.js';

type Easymidi = typeof easymidi;

/** An easymidi message (as emitted on 'message', with `_type`) → a {@link MidiMessage}; null if
 *  the kind is not one we use or a field is missing or out of range. */
export function fromEasymidi(msg: easymidi.Message): MidiMessage | null {
  const seven = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 127;
  const ch = msg.channel;
  if (msg._type === 'clock' || msg._type === 'start' || msg._type === 'continue' || msg._type === 'stop') return { type: msg._type };
  if (msg._type === 'position') {
    const v = msg.value;
    return Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 16383 ? { type: 'position', value: v as number } : null;
  }
  if (!(Number.isInteger(ch) && (ch as number) >= 0 && (ch as number) <= 15)) return null;
  const channel = (ch as number) + 1;
  switch (msg._type) {
    case 'cc':
      return seven(msg.controller) && seven(msg.value) ? { type: 'cc', channel, controller: msg.controller, value: msg.value } : null;
    case 'noteon':
    case 'noteoff':
      return seven(msg.note) && seven(msg.velocity) ? { type: msg._type, channel, note: msg.note, velocity: msg.velocity } : null;
    case 'pitch': {
      const v = msg.value;
      return Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 16383 ? { type: 'pitch', channel, value: v as number } : null;
    }
    case 'program':
      return seven(msg.number) ? { type: 'program', channel, number: msg.number } : null;
    default:
      return null;
  }
}

/** A {@link MidiMessage} → easymidi's `send(type, args)` arguments (0-based channel). */
export function toEasymidi(msg: MidiMessage): [string, easymidi.Message | undefined] {
  switch (msg.type) {
    case 'cc':
      return ['cc', { channel: msg.channel - 1, controller: msg.controller, value: msg.value }];
    case 'noteon':
    case 'noteoff':
      return [msg.type, { channel: msg.channel - 1, note: msg.note, velocity: msg.velocity }];
    case 'pitch':
      return ['pitch', { channel: msg.channel - 1, value: msg.value }];
    case 'program':
      return ['program', { channel: msg.channel - 1, number: msg.number }];
    case 'position':
      return ['position', { value: msg.value }];
    default:
      return [msg.type, undefined];
  }
}

/** Why RtMidi could not start, in words a user can act on. */
function unavailable(err: unknown): Error {
  const why = err instanceof Error ? err.message : String(err);
  const hint = process.platform === 'linux'
    ? 'RtMidi could not open the ALSA sequencer (/dev/snd/seq is missing or not accessible: load the snd-seq kernel module, or give the process access to /dev/snd)'
    : 'RtMidi could not initialise the system MIDI service';
  return new Error(`MIDI unavailable: ${hint} (${why.split('\n')[0]})`, { cause: err });
}

async function loadEasymidi(): Promise<Easymidi> {
  try {
    const mod = (await import('easymidi')) as unknown as { default?: Easymidi } & Easymidi;
    return mod.default ?? mod;
  } catch (err) {
    const code = (err as { code?: string }).code;
    const missing = (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && String((err as Error).message).includes("'easymidi'");
    const why = missing
      ? 'the optional package easymidi is not installed (npm install easymidi)'
      : `easymidi could not be loaded (its native RtMidi binding failed: ${(err as Error).message.split('\n')[0]})`;
    throw new Error(`MIDI unavailable: ${why}`, { cause: err });
  }
}

/**
 * Loads easymidi and checks that RtMidi starts by listing the ports once.
 *
 * @throws Error starting "MIDI unavailable:" when easymidi is not installed, its native binding
 * does not load, or RtMidi cannot initialise (on Linux: no ALSA sequencer).
 */
export async function openEasymidiBackend(): Promise<MidiBackend> {
  const api = await loadEasymidi();
  try {
    api.getInputs();
    api.getOutputs();
  } catch (err) {
    throw unavailable(err);
  }

  const openInput = (name: string): MidiInputPort => {
    const input = new api.Input(name);
    return {
      name,
      onMessage(fn) {
        input.on('message', (raw) => {
          const msg = fromEasymidi(raw);
          if (msg) fn(msg, performance.now());
        });
      },
      close: () => input.close(),
    };
  };

  const openOutput = (name: string): MidiOutputPort => {
    const output = new api.Output(name);
    return {
      name,
      send(msg) {
        const [type, args] = toEasymidi(msg);
        output.send(type, args);
      },
      close: () => output.close(),
    };
  };

  return {
    listInputs: () => api.getInputs(),
    listOutputs: () => api.getOutputs(),
    openInput,
    openOutput,
  };
}
