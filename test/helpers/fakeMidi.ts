/**
 * A MIDI system in memory, behind the same {@link MidiBackend} interface as the easymidi
 * adapter: ports can appear and disappear, messages are injected on inputs, and what is sent
 * to outputs is recorded.
 */
import type { MidiBackend, MidiInputPort, MidiMessage, MidiOutputPort } from '../../controllers/midi/MidiPort.js';

/** One message sent to an output port. */
export interface SentMidi {
  port: string;
  msg: MidiMessage;
}

/** The fake MIDI system: a {@link MidiBackend} plus the test's handles on it. */
export interface FakeMidi extends MidiBackend {
  /** Messages sent to outputs, oldest first (tests may empty it). */
  sent: SentMidi[];
  /** Ports closed, in order, as `in:NAME` / `out:NAME`. */
  readonly closed: string[];
  addInput(name: string): void;
  removeInput(name: string): void;
  addOutput(name: string): void;
  removeOutput(name: string): void;
  /** Delivers `msg` (anything: bad messages too) on every open port of input `name`, arrived at `at` ms. */
  inject(name: string, msg: unknown, at?: number): void;
  /** Names of the ports open now. */
  openInputs(): string[];
  openOutputs(): string[];
}

/** A fake MIDI system with these ports listed (none open yet). */
export function createFakeMidi(ports: { inputs?: string[]; outputs?: string[] } = {}): FakeMidi {
  const inputs = new Set(ports.inputs ?? []);
  const outputs = new Set(ports.outputs ?? []);
  const openIns = new Map<MidiInputPort, Array<(msg: MidiMessage, at: number) => void>>();
  const openOuts = new Set<MidiOutputPort>();
  const closed: string[] = [];

  const fake: FakeMidi = {
    sent: [],
    closed,
    listInputs: () => [...inputs],
    listOutputs: () => [...outputs],
    openInput(name) {
      if (!inputs.has(name)) throw new Error(`No MIDI input found with name: ${name}`);
      const listeners: Array<(msg: MidiMessage, at: number) => void> = [];
      const port: MidiInputPort = {
        name,
        onMessage: (fn) => listeners.push(fn),
        close() {
          openIns.delete(port);
          closed.push(`in:${name}`);
        },
      };
      openIns.set(port, listeners);
      return port;
    },
    openOutput(name) {
      if (!outputs.has(name)) throw new Error(`No MIDI output found with name: ${name}`);
      const port: MidiOutputPort = {
        name,
        send(msg) {
          if (!openOuts.has(port)) throw new Error(`MIDI output ${name} is closed`);
          fake.sent.push({ port: name, msg });
        },
        close() {
          openOuts.delete(port);
          closed.push(`out:${name}`);
        },
      };
      openOuts.add(port);
      return port;
    },
    addInput: (name) => void inputs.add(name),
    removeInput: (name) => void inputs.delete(name),
    addOutput: (name) => void outputs.add(name),
    removeOutput: (name) => void outputs.delete(name),
    inject(name, msg, at = 0) {
      for (const [port, listeners] of openIns) {
        if (port.name === name) for (const fn of listeners) fn(msg as MidiMessage, at);
      }
    },
    openInputs: () => [...openIns.keys()].map((p) => p.name),
    openOutputs: () => [...openOuts].map((p) => p.name),
  };
  return fake;
}
