/**
 * MIDI in and out: opens the matching devices of a {@link MidiBackend} (several at once, with
 * hot-plug), turns their messages into commands for the mapping layer through the mappings,
 * sends parameter values back as feedback, learns mappings, and follows MIDI clock.
 *
 * @remarks Policies, chosen for a live show:
 * - 14-bit CC: an MSB resets the LSB to 0 (as MIDI 1.0 specifies), so the MSB alone applies
 *   `msb·128` and the LSB that usually follows refines it; an LSB combines with the last MSB.
 * - Soft takeover (pickup) for numeric parameters: a knob more than 2/127 away from the
 *   parameter is ignored until it comes within that distance or crosses the value. A change of
 *   the parameter by anything but the knob itself (OSC, the UI, a preset morph, another MIDI
 *   control) drops the pickup again.
 * - Feedback: a knob or fader is not echoed its own moves (a motorised fader would fight the
 *   hand); every other change is sent, pad LEDs always (the pad does not hold the state). Each
 *   output gets a control's value only when its 7-bit level (the MSB for 14-bit) changes, so a
 *   morph sends at most 128 messages per control.
 * - With no device substrings every input and output is opened except ALSA's "Midi Through"
 *   loopback, which would return our own feedback as input.
 */
import type { ControlCommand, DispatchResult } from '../commands.js';
import { isTrigger, type TriggerName } from '../commands.js';
import type { ControlHub } from '../ControlHub.js';
import { rateLimited, type Logger } from '../../engine/log.js';
import type { MidiMapping } from './MidiMapping.js';
import type { MidiBackend, MidiInputPort, MidiMessage, MidiOutputPort } from './MidiPort.js';
import { createClockTracker, isClockMessage } from './midiClock.js';
import { bindLearned, createLearner, type LearnTarget } from './midiLearn.js';
import { deviceMatches, feedbackFor, isOn, isValidMessage, listensTo, targetOf } from './midiMessages.js';
import { combine14, commandFromPosition, isContinuous, MAX_14BIT, positionFromValue, type ScaledMapping } from './midiScaling.js';

export type { LearnTarget } from './midiLearn.js';

/** How far (in 0..1 control position) a knob may be from the parameter and still pick it up. */
export const PICKUP_WINDOW = 2 / 127;

/** What {@link createMidiController} needs: the MIDI system, the hub, which devices, which mappings. */
export interface MidiControllerOptions {
  backend: MidiBackend;
  hub: ControlHub;
  /** Port name substrings (case-insensitive); empty = every port but "Midi Through". */
  devices?: readonly string[];
  mappings?: readonly MidiMapping[];
  /** The preset names, for program change without a preset list (sorted, by program number). */
  presetNames?: () => string[];
  log: Logger;
  /** Hot-plug scan and clock time-out check interval (ms); 0 = only when `poll()` is called. */
  pollMs?: number;
  /** Wall clock (ms) for time-outs and rate limits; message times come from the ports. */
  now?: () => number;
}

/** A running MIDI controller: its ports, mappings and learn state. */
export interface MidiController {
  /** The open input ports' names. */
  inputs(): string[];
  /** The open output ports' names. */
  outputs(): string[];
  mappings(): MidiMapping[];
  /** Replaces the mappings (pickup starts over) and sends their feedback. */
  setMappings(mappings: readonly MidiMapping[]): void;
  /** Arms MIDI learn: the next CC or pitch bend (or a note, for a trigger or a switch) binds to `target`. */
  learn(target: LearnTarget): void;
  cancelLearn(): void;
  /** The armed learn target, or null. */
  learning(): LearnTarget | null;
  /** Called with each learned mapping (again, upgraded, when a 14-bit pair is recognised). */
  onLearned(fn: (mapping: MidiMapping) => void): () => void;
  /** Opens newly appeared matching ports, closes vanished ones, checks the clock time-out. */
  poll(): void;
  /** Closes every port, stops the timer and hands the tempo back. */
  close(): void;
}

interface Pickup {
  picked: boolean;
  /** The knob's last position, for noticing that it crossed the parameter's value. */
  last: number | null;
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err)).split('\n')[0];

/** Opens the matching ports of `backend` and wires them to `hub`. */
export function createMidiController(opts: MidiControllerOptions): MidiController {
  const { backend, hub, log } = opts;
  const now = opts.now ?? (() => performance.now());
  const devices = (opts.devices ?? []).map((d) => d.toLowerCase());
  const presetNames = opts.presetNames ?? (() => []);
  const warnDispatch = rateLimited(log, 1000, now);
  const warnPorts = rateLimited(log, 1000, now);
  const inputs = new Map<string, MidiInputPort>();
  const outputs = new Map<string, MidiOutputPort>();
  /** Per output: the level last sent per control. */
  const sent = new Map<string, Map<string, number>>();
  /** Per input: the last value of every CC, index (channel − 1)·128 + controller. */
  const lastCc = new Map<string, Uint8Array>();
  const learnedListeners = new Set<(m: MidiMapping) => void>();
  const learner = createLearner();
  const clock = createClockTracker((bpm, beatAt) => hub.setClock(bpm, beatAt));
  let mappings: MidiMapping[] = [...(opts.mappings ?? [])];
  let pickups = new Map<MidiMapping, Pickup>();
  /** The mapping whose command is being dispatched (its own change is not echoed or un-picked). */
  let active: MidiMapping | null = null;
  let closed = false;

  const wanted = (name: string): boolean => {
    const n = name.toLowerCase();
    return devices.length ? devices.some((d) => n.includes(d)) : !n.includes('midi through');
  };

  const run = (m: MidiMapping, cmd: ControlCommand): void => {
    let r: DispatchResult;
    active = m;
    try {
      r = hub.dispatch(cmd, 'midi');
    } catch (err) {
      warnDispatch(`MIDI: applying ${cmd.type} failed: ${errorText(err)}`);
      return;
    } finally {
      active = null;
    }
    if (!r.ok) warnDispatch(`MIDI: ${r.errors.join('; ')}`);
  };

  const sendTo = (port: MidiOutputPort, msgs: readonly MidiMessage[]): void => {
    try {
      for (const msg of msgs) port.send(msg);
    } catch (err) {
      warnPorts(`MIDI out "${port.name}": send failed: ${errorText(err)}`);
    }
  };

  /** Sends `m`'s feedback to its outputs where the level changed; `quiet` only records it. */
  const feedback = (m: MidiMapping, only: string | null, quiet: boolean): void => {
    const fb = feedbackFor(m, hub.store.current());
    if (!fb) return;
    for (const [name, port] of outputs) {
      if ((only !== null && name !== only) || !deviceMatches(m.device, name)) continue;
      const levels = sent.get(name);
      if (!levels || levels.get(fb.key) === fb.level) continue;
      levels.set(fb.key, fb.level);
      if (!quiet) sendTo(port, fb.msgs);
    }
  };
  const feedbackAll = (only: string | null): void => {
    for (const m of mappings) feedback(m, only, false);
  };

  /** The control position 0..1 a message gives mapping `m`, or null if it is not `m`'s control. */
  const positionOf = (m: MidiMapping, msg: MidiMessage, from: string): number | null => {
    if (m.kind === 'pitch' && msg.type === 'pitch') return msg.value / MAX_14BIT;
    if (m.kind !== 'cc' || msg.type !== 'cc') return null;
    if (msg.controller === m.controller) return m.lsb === undefined ? msg.value / 127 : combine14(msg.value, 0) / MAX_14BIT;
    if (msg.controller === m.lsb) {
      const msb = lastCc.get(from)?.[(msg.channel - 1) * 128 + m.controller] ?? 0;
      return combine14(msb, msg.value) / MAX_14BIT;
    }
    return null;
  };

  /** A continuous control moved to `p`: applies it unless soft takeover holds it back. */
  const move = (m: ScaledMapping, p: number): void => {
    if (isContinuous(m)) {
      let pickup = pickups.get(m);
      if (!pickup) pickups.set(m, (pickup = { picked: false, last: null }));
      if (!pickup.picked) {
        const target = positionFromValue(m, hub.store.current()[m.param]);
        const near = Math.abs(p - target) <= PICKUP_WINDOW + 1e-9;
        const crossed = pickup.last !== null && (pickup.last - target) * (p - target) <= 0;
        pickup.last = p;
        if (!near && !crossed) return;
        pickup.picked = true;
      }
      pickup.last = p;
    }
    run(m, commandFromPosition(m, p));
  };

  const note = (m: Extract<MidiMapping, { kind: 'note' }>, on: boolean): void => {
    if (isTrigger(m.target) || m.action === 'trigger') {
      if (on) run(m, { type: 'trigger', name: m.target as TriggerName });
    } else if (m.action === 'toggle') {
      if (on) run(m, { type: 'setNorm', id: m.target, norm: isOn(m.target, hub.store.current()[m.target]) ? 0 : 1 });
    } else {
      run(m, { type: 'setNorm', id: m.target, norm: on ? 1 : 0 });
    }
  };

  const program = (m: Extract<MidiMapping, { kind: 'program' }>, n: number): void => {
    const list = m.presets ?? [...presetNames()].sort();
    const name = list[n];
    if (name === undefined) warnDispatch(`MIDI: program ${n} has no preset (${list.length} listed)`);
    else run(m, { type: 'preset', name });
  };

  const learned = (m: MidiMapping, msg: MidiMessage, from: string): void => {
    mappings = bindLearned(mappings, m, from);
    const p = positionOf(m, msg, from);
    pickups.set(m, { picked: false, last: p });
    log.info(`MIDI learn: ${describe(m)} → ${targetOf(m) ?? ''}`);
    feedback(m, null, false);
    for (const fn of learnedListeners) fn(m);
  };

  const receive = (from: string, msg: MidiMessage, at: number): void => {
    if (closed || !isValidMessage(msg)) return;
    if (isClockMessage(msg)) {
      clock.message(msg, at, from);
      return;
    }
    if (msg.type === 'cc') {
      let table = lastCc.get(from);
      if (!table) lastCc.set(from, (table = new Uint8Array(16 * 128)));
      table[(msg.channel - 1) * 128 + msg.controller] = msg.value;
    }
    const taught = learner.offer(msg, from, at);
    if (taught) {
      learned(taught, msg, from);
      return;
    }
    for (const m of mappings) {
      if (!listensTo(m, from, msg.channel)) continue;
      if (m.kind === 'cc' || m.kind === 'pitch') {
        const p = positionOf(m, msg, from);
        if (p !== null) move(m, p);
      } else if (m.kind === 'note' && (msg.type === 'noteon' || msg.type === 'noteoff') && msg.note === m.note) {
        note(m, msg.type === 'noteon' && msg.velocity > 0);
      } else if (m.kind === 'program' && msg.type === 'program') {
        program(m, msg.number);
      }
    }
  };

  /** Opens listed matching ports that are not open, closes open ones no longer listed. */
  const sync = <P extends { close(): void }>(kind: 'in' | 'out', listed: string[], open: Map<string, P>, openPort: (name: string) => P): string[] => {
    const opened: string[] = [];
    for (const [name, port] of open) {
      if (listed.includes(name)) continue;
      open.delete(name);
      try {
        port.close();
      } catch (err) {
        warnPorts(`MIDI ${kind} "${name}": close failed: ${errorText(err)}`);
      }
      log.info(`MIDI ${kind}: "${name}" is gone`);
    }
    for (const name of listed) {
      if (open.has(name) || !wanted(name)) continue;
      try {
        open.set(name, openPort(name));
        opened.push(name);
        log.info(`MIDI ${kind}: opened "${name}"`);
      } catch (err) {
        warnPorts(`MIDI ${kind} "${name}": cannot open: ${errorText(err)}`);
      }
    }
    return opened;
  };

  const list = (what: () => string[], kind: string): string[] | null => {
    try {
      return what();
    } catch (err) {
      warnPorts(`MIDI: listing ${kind} failed: ${errorText(err)}`);
      return null;
    }
  };

  const poll = (): void => {
    if (closed) return;
    const ins = list(() => backend.listInputs(), 'inputs');
    if (ins) {
      sync('in', ins, inputs, (name) => {
        const port = backend.openInput(name);
        port.onMessage((msg, at) => {
          if (inputs.get(name) === port) receive(name, msg, at);
        });
        return port;
      });
      for (const name of lastCc.keys()) if (!inputs.has(name)) lastCc.delete(name);
    }
    const outs = list(() => backend.listOutputs(), 'outputs');
    if (outs) {
      for (const name of sent.keys()) if (!outs.includes(name)) sent.delete(name);
      for (const name of sync('out', outs, outputs, (n) => backend.openOutput(n))) {
        sent.set(name, new Map());
        feedbackAll(name);
      }
    }
    clock.check(now());
  };

  const unsubscribe = hub.store.subscribe((change) => {
    for (const m of mappings) {
      const target = targetOf(m);
      if (target === null || !(change.ids as readonly string[]).includes(target)) continue;
      const continuous = m.kind === 'cc' || m.kind === 'pitch';
      const own = change.source === 'midi' && m === active && continuous;
      if (continuous && !own) {
        const pickup = pickups.get(m);
        if (pickup) pickup.picked = false;
      }
      feedback(m, null, own);
    }
  });

  const setMappings = (next: readonly MidiMapping[]): void => {
    mappings = [...next];
    pickups = new Map();
    feedbackAll(null);
  };

  const unPreset = hub.onPreset((preset) => {
    if (preset.mappings) setMappings(preset.mappings);
    else feedbackAll(null);
  });

  const pollMs = opts.pollMs ?? 1000;
  poll();
  if (inputs.size === 0) log.info(`MIDI: no input${devices.length ? ` matches ${devices.map((d) => `"${d}"`).join(', ')}` : ''} yet`);
  const timer = pollMs > 0 ? setInterval(poll, pollMs) : null;
  timer?.unref();

  return {
    inputs: () => [...inputs.keys()],
    outputs: () => [...outputs.keys()],
    mappings: () => [...mappings],
    setMappings,
    learn: (target) => learner.arm(target),
    cancelLearn: () => learner.cancel(),
    learning: () => learner.target(),
    onLearned(fn) {
      learnedListeners.add(fn);
      return () => learnedListeners.delete(fn);
    },
    poll,
    close() {
      if (closed) return;
      closed = true;
      if (timer) clearInterval(timer);
      unsubscribe();
      unPreset();
      for (const [name, port] of [...inputs, ...outputs]) {
        try {
          port.close();
        } catch (err) {
          warnPorts(`MIDI "${name}": close failed: ${errorText(err)}`);
        }
      }
      inputs.clear();
      outputs.clear();
      clock.reset();
    },
  };
}

/** A mapping's control in words, for the log. */
function describe(m: MidiMapping): string {
  const where = `ch ${m.channel ?? 'any'}${m.device ? ` on "${m.device}"` : ''}`;
  if (m.kind === 'cc') return `CC ${m.controller}${m.lsb !== undefined ? `/${m.lsb} (14-bit)` : ''} ${where}`;
  if (m.kind === 'pitch') return `pitch bend ${where}`;
  if (m.kind === 'note') return `note ${m.note} (${m.action}) ${where}`;
  return `program change ${where}`;
}
