/**
 * MIDI mappings as data (saved in presets): which control drives which parameter or trigger,
 * and how. Parsed with zod; parameter and trigger names are checked against the registry.
 */
import { z } from 'zod';
import { isTrigger, TRIGGERS } from '../../engine/params/ParamStore.js';
import { isParamId, PARAM_IDS, type ParamId } from '../../engine/params/registry.js';
import type { TriggerName } from '../commands.js';

const channel = z.number().int().min(1).max(16).optional().describe('1..16; omitted = any channel');
const seven = z.number().int().min(0).max(127);
const paramId = z.string().refine(isParamId, { message: `expected a parameter id (${PARAM_IDS.join(', ')})` }).transform((s) => s as ParamId);
const triggerName = z.string().refine(isTrigger, { message: `expected a trigger (${TRIGGERS.join(', ')})` }).transform((s) => s as TriggerName);

/** How a control's 0..1 position is shaped before the range: `exp` fine at the bottom, `log` at the top. */
export const MappingCurveSchema = z.enum(['linear', 'exponential', 'logarithmic']);
export type MappingCurve = z.infer<typeof MappingCurveSchema>;

/** Scaling shared by continuous controls. `range` is in the parameter's units (default: its
 *  whole range through the registry's own curve). */
const scaling = {
  param: paramId,
  range: z.tuple([z.number(), z.number()]).optional(),
  curve: MappingCurveSchema.default('linear'),
  invert: z.boolean().default(false),
};

/** CC → parameter. With `lsb`, a 14-bit pair: `controller` carries the MSB, `lsb` (usually controller + 32) the LSB. */
export const CcMappingSchema = z.object({
  kind: z.literal('cc'),
  device: z.string().optional().describe('device name substring; omitted = any device'),
  channel,
  controller: seven,
  lsb: seven.optional(),
  ...scaling,
}).strict();

/** Pitch bend (14-bit) → parameter. */
export const PitchMappingSchema = z.object({
  kind: z.literal('pitch'),
  device: z.string().optional(),
  channel,
  ...scaling,
}).strict();

/** Note → trigger (on note-on), toggle (a switch flips on each note-on) or momentary (on while held). */
export const NoteMappingSchema = z.object({
  kind: z.literal('note'),
  device: z.string().optional(),
  channel,
  note: seven,
  action: z.enum(['trigger', 'toggle', 'momentary']),
  /** A trigger name for `trigger`; a parameter for `toggle` and `momentary` (a switch, or a number: range ends). */
  target: z.union([triggerName, paramId]),
}).strict();

/** Program change → preset: the `presets` list by program number, or else the preset names sorted. */
export const ProgramMappingSchema = z.object({
  kind: z.literal('program'),
  device: z.string().optional(),
  channel,
  presets: z.array(z.string()).optional(),
}).strict();

export const MidiMappingSchema = z.discriminatedUnion('kind', [CcMappingSchema, PitchMappingSchema, NoteMappingSchema, ProgramMappingSchema]);
export type MidiMapping = z.infer<typeof MidiMappingSchema>;
export type CcMapping = z.infer<typeof CcMappingSchema>;
export type PitchMapping = z.infer<typeof PitchMappingSchema>;
export type NoteMapping = z.infer<typeof NoteMappingSchema>;
export type ProgramMapping = z.infer<typeof ProgramMappingSchema>;
