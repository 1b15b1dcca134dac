/**
 * MIDI messages in and out, as data: checking what a backend delivered, which mappings a
 * message addresses, and the feedback a mapping sends for a parameter value (CC values for
 * knob LED rings and motorised faders, note-on velocity for pad LEDs).
 */
import { normFromValue } from '../../engine/params/ParamStore.js';
import { isParamId, type ParamValues } from '../../engine/params/registry.js';
import type { MidiMapping } from './MidiMapping.js';
import type { MidiMessage } from './MidiPort.js';
import { MAX_14BIT, positionFromValue } from './midiScaling.js';

const int = (v: unknown, lo: number, hi: number): boolean => Number.isInteger(v) && (v as number) >= lo && (v as number) <= hi;

/** Whether `msg` is a well-formed {@link MidiMessage} (known type, integers in range, channel 1..16). */
export function isValidMessage(msg: unknown): msg is MidiMessage {
  if (typeof msg !== 'object' || msg === null) return false;
  const m = msg as Record<string, unknown>;
  switch (m.type) {
    case 'clock':
    case 'start':
    case 'continue':
    case 'stop':
      return true;
    case 'cc':
      return int(m.channel, 1, 16) && int(m.controller, 0, 127) && int(m.value, 0, 127);
    case 'noteon':
    case 'noteoff':
      return int(m.channel, 1, 16) && int(m.note, 0, 127) && int(m.velocity, 0, 127);
    case 'pitch':
      return int(m.channel, 1, 16) && int(m.value, 0, MAX_14BIT);
    case 'position':
      return int(m.value, 0, MAX_14BIT);
    case 'program':
      return int(m.channel, 1, 16) && int(m.number, 0, 127);
    default:
      return false;
  }
}

/** Whether a port name matches a device substring (case-insensitive; none = any device). */
export function deviceMatches(device: string | undefined, portName: string): boolean {
  return device === undefined || portName.toLowerCase().includes(device.toLowerCase());
}

/** Whether a mapping listens to messages on `channel` from input `portName`. */
export function listensTo(m: MidiMapping, portName: string, channel: number): boolean {
  return (m.channel === undefined || m.channel === channel) && deviceMatches(m.device, portName);
}

/** The parameter or trigger a mapping drives (null for program change). */
export function targetOf(m: MidiMapping): string | null {
  if (m.kind === 'cc' || m.kind === 'pitch') return m.param;
  if (m.kind === 'note') return m.target;
  return null;
}

/** Whether a value counts as "on" for a pad LED (a switch on; a number or choice in its upper half). */
export function isOn(id: string, value: unknown): boolean {
  return isParamId(id) && normFromValue(id, value) >= 0.5;
}

/** What a mapping sends back for the current values: the messages, a key naming the control
 *  (for de-duplication per output) and the value compared to skip repeats. */
export interface Feedback {
  key: string;
  /** Compared with the last sent: the 7-bit value (the MSB for 14-bit controls), or the LED state. */
  level: number;
  msgs: MidiMessage[];
}

/**
 * The feedback for mapping `m` (null where there is none: triggers, program change). Controls
 * mapped to any channel answer on channel 1. A 14-bit control sends MSB then LSB.
 */
export function feedbackFor(m: MidiMapping, values: Readonly<ParamValues>): Feedback | null {
  const channel = m.channel ?? 1;
  switch (m.kind) {
    case 'cc': {
      const p = positionFromValue(m, values[m.param]);
      if (m.lsb === undefined) {
        const v = Math.round(p * 127);
        return { key: `cc:${channel}:${m.controller}`, level: v, msgs: [{ type: 'cc', channel, controller: m.controller, value: v }] };
      }
      const v14 = Math.round(p * MAX_14BIT);
      return {
        key: `cc:${channel}:${m.controller}`,
        level: v14 >> 7,
        msgs: [
          { type: 'cc', channel, controller: m.controller, value: v14 >> 7 },
          { type: 'cc', channel, controller: m.lsb, value: v14 & 127 },
        ],
      };
    }
    case 'pitch': {
      const v14 = Math.round(positionFromValue(m, values[m.param]) * MAX_14BIT);
      return { key: `pitch:${channel}`, level: v14 >> 7, msgs: [{ type: 'pitch', channel, value: v14 }] };
    }
    case 'note': {
      if (m.action === 'trigger' || !isParamId(m.target)) return null;
      const on = isOn(m.target, values[m.target]);
      return { key: `note:${channel}:${m.note}`, level: on ? 1 : 0, msgs: [{ type: 'noteon', channel, note: m.note, velocity: on ? 127 : 0 }] };
    }
    case 'program':
      return null;
  }
}
