/**
 * MIDI learn: arm a parameter or trigger, move a control, and the control is bound to it. A
 * CC n (n < 32) followed within 50 ms by CC n+32 on the same channel of the same device is a
 * 14-bit pair, and the binding is upgraded to it.
 */
import type { TriggerName } from '../commands.js';
import { isTrigger } from '../commands.js';
import { PARAMS, type ParamId } from '../../engine/params/registry.js';
import type { CcMapping, MidiMapping } from './MidiMapping.js';
import type { MidiMessage } from './MidiPort.js';
import { deviceMatches, targetOf } from './midiMessages.js';

/** What can be learned: a parameter, or a trigger (bound to a note). */
export type LearnTarget = ParamId | TriggerName;

/** How long after a learned CC n its LSB (CC n+32) may follow to make it 14-bit (ms). */
export const LSB_WINDOW_MS = 50;

/** The learn state: an armed target, and the last CC binding while its LSB may still follow. */
export interface Learner {
  arm(target: LearnTarget): void;
  cancel(): void;
  /** The armed target, or null. */
  target(): LearnTarget | null;
  /**
   * Offers a received message (arrived at `at` ms on input `from`). Returns the mapping it
   * teaches (a new binding, or the last one upgraded to 14-bit), or null if it teaches nothing.
   */
  offer(msg: MidiMessage, from: string, at: number): MidiMapping | null;
}

/**
 * The device substring a learned mapping keeps: the port name without ALSA's trailing
 * "client:port" numbers, which change when a device is plugged in again.
 */
export function deviceOf(portName: string): string {
  return portName.replace(/\s+\d+:\d+$/, '');
}

/** A disarmed learner. */
export function createLearner(): Learner {
  let armed: LearnTarget | null = null;
  let pending: { mapping: CcMapping; from: string; at: number } | null = null;

  const learnFrom = (target: LearnTarget, msg: MidiMessage, from: string): MidiMapping | null => {
    const device = deviceOf(from);
    if (isTrigger(target)) {
      return msg.type === 'noteon' && msg.velocity > 0
        ? { kind: 'note', device, channel: msg.channel, note: msg.note, action: 'trigger', target }
        : null;
    }
    const scaling = { param: target, curve: 'linear', invert: false } as const;
    if (msg.type === 'cc') return { kind: 'cc', device, channel: msg.channel, controller: msg.controller, ...scaling };
    if (msg.type === 'pitch') return { kind: 'pitch', device, channel: msg.channel, ...scaling };
    if (msg.type === 'noteon' && msg.velocity > 0 && PARAMS[target].kind === 'bool') {
      return { kind: 'note', device, channel: msg.channel, note: msg.note, action: 'toggle', target };
    }
    return null;
  };

  return {
    arm(target) {
      armed = target;
      pending = null;
    },
    cancel() {
      armed = null;
    },
    target: () => armed,
    offer(msg, from, at) {
      if (pending && at - pending.at > LSB_WINDOW_MS) pending = null;
      if (pending && msg.type === 'cc' && from === pending.from && msg.channel === pending.mapping.channel && msg.controller === pending.mapping.controller + 32) {
        const upgraded: CcMapping = { ...pending.mapping, lsb: msg.controller };
        pending = null;
        return upgraded;
      }
      if (armed === null) return null;
      const learned = learnFrom(armed, msg, from);
      if (!learned) return null;
      armed = null;
      if (learned.kind === 'cc' && learned.controller < 32) pending = { mapping: learned, from, at };
      return learned;
    },
  };
}

/** Whether `a` (an existing mapping) listens to the control `b` was learned from on input `from`. */
function sameControl(a: MidiMapping, b: MidiMapping, from: string): boolean {
  if (!deviceMatches(a.device, from) || (a.channel !== undefined && a.channel !== b.channel)) return false;
  if (b.kind === 'cc' && a.kind === 'cc') {
    const bs = [b.controller, b.lsb];
    return bs.includes(a.controller) || (a.lsb !== undefined && bs.includes(a.lsb));
  }
  if (b.kind === 'note' && a.kind === 'note') return a.note === b.note;
  return b.kind === 'pitch' && a.kind === 'pitch';
}

/** `mappings` with `learned` (from input `from`) added, replacing every mapping of the same
 *  control and every mapping of the same target. */
export function bindLearned(mappings: readonly MidiMapping[], learned: MidiMapping, from: string): MidiMapping[] {
  const target = targetOf(learned);
  return [...mappings.filter((m) => targetOf(m) !== target && !sameControl(m, learned, from)), learned];
}
