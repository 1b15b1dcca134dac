/**
 * The MIDI port interface: what the mapping code sees of a device. The easymidi adapter
 * (easymidiBackend.ts, the only importer of easymidi) implements it for real hardware; tests
 * inject messages through the same interface where no ALSA sequencer exists.
 */

/** MIDI channels as users count them: 1..16. */
export type MidiChannel = number;

/** One MIDI message, decoded. 7-bit values 0..127; pitch bend 0..16383 (8192 = centre). */
export type MidiMessage =
  | { type: 'cc'; channel: MidiChannel; controller: number; value: number }
  | { type: 'noteon'; channel: MidiChannel; note: number; velocity: number }
  | { type: 'noteoff'; channel: MidiChannel; note: number; velocity: number }
  | { type: 'pitch'; channel: MidiChannel; value: number }
  | { type: 'program'; channel: MidiChannel; number: number }
  /** Song position pointer: MIDI beats (16th notes, 6 clock pulses each) since the song start. */
  | { type: 'position'; value: number }
  | { type: 'clock' }
  | { type: 'start' }
  | { type: 'continue' }
  | { type: 'stop' };

export interface MidiInputPort {
  readonly name: string;
  /** `at` is the arrival time in ms (`performance.now()` scale). */
  onMessage(fn: (msg: MidiMessage, at: number) => void): void;
  close(): void;
}

export interface MidiOutputPort {
  readonly name: string;
  send(msg: MidiMessage): void;
  close(): void;
}

/** A MIDI system: lists and opens ports by exact name. */
export interface MidiBackend {
  listInputs(): string[];
  listOutputs(): string[];
  openInput(name: string): MidiInputPort;
  openOutput(name: string): MidiOutputPort;
}
