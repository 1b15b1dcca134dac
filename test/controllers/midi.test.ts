import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createControlHub, type PresetSource } from '../../controllers/ControlHub.js';
import { fromEasymidi, openEasymidiBackend, toEasymidi } from '../../controllers/midi/easymidiBackend.js';
import { createMidiController, type MidiControllerOptions } from '../../controllers/midi/midiController.js';
import { MidiMappingSchema, type MidiMapping } from '../../controllers/midi/MidiMapping.js';
import type { MidiMessage } from '../../controllers/midi/MidiPort.js';
import type { Preset } from '../../controllers/presets/Preset.js';
import type { Logger } from '../../engine/log.js';
import { createParamStore } from '../../engine/params/ParamStore.js';
import { defaultValues, fromNorm, PARAMS } from '../../engine/params/registry.js';
import { createFakeMidi } from '../helpers/fakeMidi.js';

const KNOBS = 'Knobs:Knobs MIDI 1 20:0';
const map = (m: unknown): MidiMapping => MidiMappingSchema.parse(m);
const cc = (controller: number, value: number, channel = 1): MidiMessage => ({ type: 'cc', channel, controller, value });
const noteOn = (note: number, velocity = 100, channel = 1): MidiMessage => ({ type: 'noteon', channel, note, velocity });
const preset = (name: string, params: Preset['params'], mappings?: MidiMapping[]): Preset => ({ name, version: 1, morph: { seconds: 0 }, params, ...(mappings ? { mappings } : {}) });

interface SetupOptions extends Partial<Pick<MidiControllerOptions, 'devices' | 'presetNames'>> {
  mappings?: unknown[];
  presets?: Preset[];
  inputs?: string[];
  outputs?: string[];
}

/** A real ControlHub and ParamStore, a fake MIDI system and a controller on it. */
function setup(opts: SetupOptions = {}) {
  const time = { now: 0 };
  const clock = () => time.now;
  const store = createParamStore(defaultValues(), clock);
  const list = opts.presets ?? [];
  const presets: PresetSource = { get: (n) => list.find((p) => p.name === n), names: () => list.map((p) => p.name) };
  const hub = createControlHub({ store, presets });
  const midi = createFakeMidi({ inputs: opts.inputs ?? [KNOBS], outputs: opts.outputs ?? [KNOBS] });
  const lines: string[] = [];
  const log: Logger = { debug: () => {}, info: (m) => lines.push(`info: ${m}`), warn: (m) => lines.push(`warn: ${m}`), error: (m) => lines.push(`error: ${m}`) };
  const ctl = createMidiController({
    backend: midi, hub, log, pollMs: 0, now: clock,
    mappings: (opts.mappings ?? []).map(map), devices: opts.devices, presetNames: opts.presetNames ?? presets.names,
  });
  const send = (...msgs: unknown[]) => msgs.forEach((m) => midi.inject(KNOBS, m, time.now));
  return { time, store, hub, midi, lines, ctl, send, value: (id: keyof typeof PARAMS) => store.current()[id] };
}

describe('MIDI: scaling', () => {
  it('a 7-bit CC over a range, linear: CC 64 → 64/127', () => {
    const t = setup({ mappings: [{ kind: 'cc', controller: 1, param: 'hue_react', range: [0, 1] }] });
    t.send(cc(1, 0), cc(1, 64));
    assert.equal(t.value('hue_react'), 64 / 127);
    t.send(cc(1, 127));
    assert.equal(t.value('hue_react'), 1);
  });

  it('without a range the registry curve applies over the whole range (setNorm)', () => {
    const t = setup({ mappings: [{ kind: 'cc', controller: 1, param: 'class_shuffle_seconds' }] });
    t.send(cc(1, 0), cc(1, 64));
    assert.equal(t.value('class_shuffle_seconds'), fromNorm(PARAMS.class_shuffle_seconds, 64 / 127));
    assert.equal(t.value('class_shuffle_seconds'), (60 * Math.expm1((4 * 64) / 127)) / Math.expm1(4));
  });

  it('exponential, logarithmic, invert and a partial range are exact', () => {
    const p = 64 / 127;
    const e = setup({ mappings: [{ kind: 'cc', controller: 1, param: 'hue_react', range: [0, 1], curve: 'exponential' }] });
    e.send(cc(1, 0), cc(1, 64));
    assert.equal(e.value('hue_react'), Math.expm1(4 * p) / Math.expm1(4));
    const l = setup({ mappings: [{ kind: 'cc', controller: 1, param: 'hue_react', range: [0, 1], curve: 'logarithmic' }] });
    l.send(cc(1, 0), cc(1, 64));
    assert.equal(l.value('hue_react'), Math.log1p(p * Math.expm1(4)) / 4);
    const i = setup({ mappings: [{ kind: 'cc', controller: 1, param: 'hue_react', range: [0, 1], invert: true }] });
    i.send(cc(1, 127));
    assert.equal(i.value('hue_react'), 0);
    i.send(cc(1, 32));
    assert.equal(i.value('hue_react'), 1 - 32 / 127);
    const r = setup({ mappings: [{ kind: 'cc', controller: 1, param: 'zoom_pulse', range: [0.1, 0.3] }] });
    r.send(cc(1, 0));
    assert.equal(r.value('zoom_pulse'), 0.1);
    r.send(cc(1, 64));
    assert.equal(r.value('zoom_pulse'), 0.1 + p * (0.3 - 0.1));
  });

  it('14-bit: MSB resets the LSB to 0, the LSB refines the last MSB', () => {
    const t = setup({ mappings: [{ kind: 'cc', controller: 1, lsb: 33, param: 'motion_randomness' }] });
    t.send(cc(1, 64));
    assert.equal(t.value('motion_randomness'), 8192 / 16383);
    t.send(cc(33, 127));
    assert.equal(t.value('motion_randomness'), 8319 / 16383);
    t.send(cc(1, 65));
    assert.equal(t.value('motion_randomness'), 8320 / 16383);
    t.send(cc(33, 5));
    assert.equal(t.value('motion_randomness'), 8325 / 16383);
  });

  it('pitch bend over 0..16383, channel filter', () => {
    const t = setup({ mappings: [{ kind: 'pitch', channel: 2, param: 'hue_react', range: [0, 1] }] });
    t.send({ type: 'pitch', channel: 2, value: 0 }, { type: 'pitch', channel: 2, value: 8192 });
    assert.equal(t.value('hue_react'), 8192 / 16383);
    t.send({ type: 'pitch', channel: 1, value: 16383 });
    assert.equal(t.value('hue_react'), 8192 / 16383);
    t.send({ type: 'pitch', channel: 2, value: 16383 });
    assert.equal(t.value('hue_react'), 1);
  });
});

describe('MIDI: soft takeover', () => {
  it('a far knob waits until it crosses the value; another source un-picks it', () => {
    const t = setup({ mappings: [{ kind: 'cc', controller: 1, param: 'motion_randomness' }] });
    t.send(cc(1, 127), cc(1, 100));
    assert.equal(t.value('motion_randomness'), 0.5);
    t.send(cc(1, 60));
    assert.equal(t.value('motion_randomness'), 60 / 127);
    t.send(cc(1, 20));
    assert.equal(t.value('motion_randomness'), 20 / 127);
    assert.ok(t.hub.dispatch({ type: 'set', id: 'motion_randomness', value: 0.9 }, 'osc').ok);
    t.send(cc(1, 21), cc(1, 90));
    assert.equal(t.value('motion_randomness'), 0.9);
    t.send(cc(1, 113));
    assert.equal(t.value('motion_randomness'), 113 / 127, 'within 2/127 of 0.9 picks up');
  });

  it('the first message counts as far unless within 2/127; a preset morph un-picks', () => {
    const t = setup({ mappings: [{ kind: 'cc', controller: 1, param: 'motion_randomness' }], presets: [preset('a', { motion_randomness: 0.1 })] });
    t.send(cc(1, 66));
    assert.equal(t.value('motion_randomness'), 0.5, '66/127 is 2.5/127 away');
    t.send(cc(1, 65));
    assert.equal(t.value('motion_randomness'), 65 / 127);
    t.hub.dispatch({ type: 'preset', name: 'a' }, 'ui');
    t.send(cc(1, 64));
    assert.equal(t.value('motion_randomness'), 0.1);
  });

  it('a switch on a CC follows at once', () => {
    const t = setup({ mappings: [{ kind: 'cc', controller: 5, param: 'motion_percussive' }] });
    t.send(cc(5, 127));
    assert.equal(t.value('motion_percussive'), true);
    t.send(cc(5, 0));
    assert.equal(t.value('motion_percussive'), false);
  });
});

describe('MIDI: notes and program change', () => {
  it('trigger on note-on, toggle flips, momentary follows the key', () => {
    const t = setup({
      mappings: [
        { kind: 'note', note: 36, action: 'trigger', target: 'flash' },
        { kind: 'note', note: 37, action: 'toggle', target: 'motion_percussive' },
        { kind: 'note', note: 38, action: 'toggle', target: 'zoom_pulse' },
        { kind: 'note', note: 39, action: 'momentary', target: 'pulse_harmonic' },
      ],
    });
    t.send(noteOn(36), noteOn(36, 0), { type: 'noteoff', channel: 1, note: 36, velocity: 0 });
    assert.deepEqual(t.store.takeTriggers().map((e) => e.name), ['flash']);
    t.send(noteOn(37));
    assert.equal(t.value('motion_percussive'), true);
    t.send({ type: 'noteoff', channel: 1, note: 37, velocity: 64 }, noteOn(37));
    assert.equal(t.value('motion_percussive'), false);
    t.send(noteOn(38));
    assert.equal(t.value('zoom_pulse'), 0.5);
    t.send(noteOn(38));
    assert.equal(t.value('zoom_pulse'), 0);
    t.send(noteOn(39));
    assert.equal(t.value('pulse_harmonic'), true);
    t.send({ type: 'noteoff', channel: 1, note: 39, velocity: 0 });
    assert.equal(t.value('pulse_harmonic'), false);
    t.send(noteOn(39), noteOn(39, 0));
    assert.equal(t.value('pulse_harmonic'), false);
  });

  it('program change loads presets by sorted name, or from the mapping list, and takes their mappings', () => {
    const dark = preset('dark', { vignette: 1 }, [map({ kind: 'cc', controller: 7, param: 'vignette' })]);
    const t = setup({ presets: [preset('zeta', { vignette: 0.2 }), dark, preset('bright', { vignette: 0 })], mappings: [{ kind: 'program', channel: 1 }, { kind: 'program', channel: 2, presets: ['zeta'] }] });
    t.send({ type: 'program', channel: 1, number: 0 });
    assert.equal(t.value('vignette'), 0);
    assert.equal(t.hub.presetState().name, 'bright');
    t.send({ type: 'program', channel: 2, number: 0 });
    assert.equal(t.hub.presetState().name, 'zeta');
    t.send({ type: 'program', channel: 1, number: 1 });
    assert.equal(t.value('vignette'), 1);
    assert.deepEqual(t.ctl.mappings(), dark.mappings);
  });

  it('bad messages are ignored; dispatch errors are logged at most once a second', () => {
    const t = setup({ mappings: [{ kind: 'cc', controller: 1, param: 'hue_react', range: [0, 1] }, { kind: 'note', note: 40, action: 'trigger', target: 'vignette' }] });
    t.send(cc(1, 0), cc(1, 128), cc(1, -1), cc(1, 1.5), { type: 'cc', channel: 0, controller: 1, value: 5 }, { type: 'sysex' }, null, 'x');
    assert.equal(t.value('hue_react'), 0);
    t.send(noteOn(40), noteOn(40));
    t.time.now = 999;
    t.send(noteOn(40));
    t.time.now = 1000;
    t.send(noteOn(40));
    assert.deepEqual(t.lines.filter((l) => l.startsWith('warn')), [
      'warn: MIDI: unknown trigger "vignette"',
      'warn: MIDI: unknown trigger "vignette" (and 2 more since the last warning)',
    ]);
  });
});

describe('MIDI: feedback', () => {
  it('sends CC values on open, on changes from other sources and on preset load; never the same twice; no echo', () => {
    const t = setup({ mappings: [{ kind: 'cc', controller: 1, param: 'hue_react', range: [0, 1] }], presets: [preset('full', { hue_react: 1 })] });
    assert.deepEqual(t.midi.sent, [{ port: KNOBS, msg: cc(1, 0) }]);
    t.midi.sent = [];
    t.hub.dispatch({ type: 'set', id: 'hue_react', value: 0.5 }, 'osc');
    t.hub.dispatch({ type: 'set', id: 'hue_react', value: 0.501 }, 'osc');
    assert.deepEqual(t.midi.sent.map((s) => s.msg), [cc(1, 64)]);
    t.send(cc(1, 64), cc(1, 70));
    assert.equal(t.value('hue_react'), 70 / 127);
    t.hub.dispatch({ type: 'set', id: 'hue_react', value: 70 / 127 + 0.001 }, 'osc');
    assert.deepEqual(t.midi.sent.map((s) => s.msg), [cc(1, 64)], 'the knob is at 70 already');
    t.hub.dispatch({ type: 'preset', name: 'full' }, 'osc');
    assert.deepEqual(t.midi.sent.map((s) => s.msg), [cc(1, 64), cc(1, 127)]);
  });

  it('14-bit as MSB then LSB, LEDs as note-on 127/0, only to matching outputs', () => {
    const t = setup({
      outputs: [KNOBS, 'Pads 24:0'],
      mappings: [
        { kind: 'cc', device: 'knobs', channel: 3, controller: 2, lsb: 34, param: 'motion_randomness' },
        { kind: 'note', device: 'pads', note: 37, action: 'toggle', target: 'motion_percussive' },
      ],
    });
    assert.deepEqual(t.midi.sent, [
      { port: KNOBS, msg: cc(2, 64, 3) },
      { port: KNOBS, msg: cc(34, 0, 3) },
      { port: 'Pads 24:0', msg: noteOn(37, 0) },
    ]);
    t.midi.sent = [];
    t.hub.dispatch([{ type: 'set', id: 'motion_randomness', value: 0.25 }, { type: 'set', id: 'motion_percussive', value: true }], 'ui');
    const v14 = Math.round(0.25 * 16383);
    assert.deepEqual(t.midi.sent, [
      { port: KNOBS, msg: cc(2, v14 >> 7, 3) },
      { port: KNOBS, msg: cc(34, v14 & 127, 3) },
      { port: 'Pads 24:0', msg: noteOn(37, 127) },
    ]);
    t.midi.sent = [];
    t.midi.inject(KNOBS, noteOn(37), 0);
    assert.deepEqual(t.midi.sent, [], 'the pad mapping listens to "pads" only');
  });

  it('a pad toggled from MIDI gets its LED (no echo policy is for knobs)', () => {
    const t = setup({ mappings: [{ kind: 'note', note: 37, action: 'toggle', target: 'motion_percussive' }] });
    t.midi.sent = [];
    t.send(noteOn(37));
    assert.deepEqual(t.midi.sent.map((s) => s.msg), [noteOn(37, 127)]);
  });
});

describe('MIDI: learn', () => {
  it('binds the next CC, replacing mappings of that control and of that target, and then controls the param', () => {
    const t = setup({ mappings: [{ kind: 'cc', channel: 3, controller: 7, param: 'vignette' }, { kind: 'cc', controller: 9, param: 'hue_react' }, { kind: 'cc', controller: 10, param: 'grain' }] });
    const learned: MidiMapping[] = [];
    t.ctl.onLearned((m) => learned.push(m));
    t.ctl.learn('hue_react');
    assert.equal(t.ctl.learning(), 'hue_react');
    t.send(noteOn(50), cc(7, 0, 3));
    const want = { kind: 'cc', device: 'Knobs:Knobs MIDI 1', channel: 3, controller: 7, param: 'hue_react', curve: 'linear', invert: false };
    assert.deepEqual(learned, [want]);
    assert.equal(t.ctl.learning(), null);
    assert.deepEqual(t.ctl.mappings(), [map({ kind: 'cc', controller: 10, param: 'grain' }), want]);
    t.send(cc(7, 64, 3));
    assert.equal(t.value('hue_react'), fromNorm(PARAMS.hue_react, 64 / 127));
    assert.equal(t.value('vignette'), 0.35);
  });

  it('CC n then CC n+32 within 50 ms upgrades to 14-bit; later it does not', () => {
    const t = setup();
    const learned: MidiMapping[] = [];
    t.ctl.onLearned((m) => learned.push(m));
    t.ctl.learn('motion_randomness');
    t.time.now = 1000;
    t.send(cc(1, 64, 2));
    t.time.now = 1010;
    t.send(cc(33, 0, 2));
    assert.deepEqual(learned.map((m) => (m.kind === 'cc' ? m.lsb : null)), [undefined, 33]);
    assert.deepEqual(t.ctl.mappings().map((m) => m.kind === 'cc' && [m.controller, m.lsb]), [[1, 33]]);
    t.send(cc(1, 64, 2), cc(33, 127, 2));
    assert.equal(t.value('motion_randomness'), 8319 / 16383);
    t.ctl.learn('hue_react');
    t.send(cc(2, 0));
    t.time.now = 1061;
    t.send(cc(34, 0));
    assert.deepEqual(t.ctl.mappings().map((m) => m.kind === 'cc' && [m.controller, m.lsb]), [[1, 33], [2, undefined]]);
  });

  it('a trigger or a switch learns a note; cancel disarms', () => {
    const t = setup();
    t.ctl.learn('flash');
    t.send(cc(1, 5), noteOn(40, 90, 10));
    assert.deepEqual(t.ctl.mappings(), [{ kind: 'note', device: 'Knobs:Knobs MIDI 1', channel: 10, note: 40, action: 'trigger', target: 'flash' }]);
    t.send(noteOn(40, 90, 10));
    assert.deepEqual(t.store.takeTriggers().map((e) => e.name), ['flash']);
    t.ctl.learn('motion_percussive');
    t.send(noteOn(41));
    assert.deepEqual(t.ctl.mappings()[1], { kind: 'note', device: 'Knobs:Knobs MIDI 1', channel: 1, note: 41, action: 'toggle', target: 'motion_percussive' });
    t.ctl.learn('vignette');
    t.ctl.cancelLearn();
    t.send(cc(3, 0));
    assert.equal(t.ctl.learning(), null);
    assert.equal(t.ctl.mappings().length, 2);
  });
});

describe('MIDI: clock', () => {
  const pulses = (t: ReturnType<typeof setup>, bpm: number, n: number, from = 0): number => {
    const dt = (1000 * 60) / (bpm * 24);
    for (let i = 0; i < n; i++) t.midi.inject(KNOBS, { type: 'clock' }, from + i * dt);
    return from + (n - 1) * dt;
  };

  for (const bpm of [120, 128]) {
    it(`24 pulses per beat at ${bpm} BPM → hub tempo; stop hands it back`, () => {
      const t = setup();
      pulses(t, bpm, 24);
      assert.equal(t.hub.tempo(), null, 'not before a whole beat');
      pulses(t, bpm, 40, 24 * (60000 / (bpm * 24)));
      assert.ok(Math.abs((t.hub.tempo() ?? 0) - bpm) <= 0.5, String(t.hub.tempo()));
      t.midi.inject(KNOBS, { type: 'stop' }, 0);
      assert.equal(t.hub.tempo(), null);
      const end = pulses(t, bpm, 60, 10000);
      assert.equal(t.hub.tempo(), null, 'pulses while stopped are ignored');
      t.midi.inject(KNOBS, { type: 'start' }, end);
      pulses(t, bpm, 25, end + 1);
      assert.ok(Math.abs((t.hub.tempo() ?? 0) - bpm) <= 0.5, String(t.hub.tempo()));
    });
  }

  it('follows a tempo change and times out after 2 s without pulses', () => {
    const t = setup();
    const end = pulses(t, 120, 60);
    pulses(t, 90, 60, end + 60000 / (90 * 24));
    assert.ok(Math.abs((t.hub.tempo() ?? 0) - 90) <= 0.5, String(t.hub.tempo()));
    t.time.now = 0;
    t.ctl.poll();
    assert.ok(t.hub.tempo() !== null);
    t.time.now = end + 60 * (60000 / (90 * 24)) + 2001;
    t.ctl.poll();
    assert.equal(t.hub.tempo(), null);
  });
});

describe('MIDI: clock beats', () => {
  const PULSE_MS = 60000 / (120 * 24);
  /** A hub listener's records, and `n` pulses at 120 BPM from pulse index `from` on (pulse i at i·PULSE_MS). */
  const clocked = () => {
    const t = setup();
    const told: [number | null, number | null][] = [];
    t.hub.onClock((bpm, at) => told.push([bpm, at]));
    const pulses = (from: number, n: number) => {
      for (let i = from; i < from + n; i++) t.midi.inject(KNOBS, { type: 'clock' }, i * PULSE_MS);
    };
    return { ...t, told, pulses };
  };

  it('after Start the first pulse is a beat: every 24th pulse is told with its time once the tempo is known', () => {
    const t = clocked();
    t.midi.inject(KNOBS, { type: 'start' }, 0);
    t.pulses(0, 24);
    assert.deepEqual(t.told, [], 'nothing before a whole beat');
    t.pulses(24, 49);
    assert.deepEqual(t.told, [[120, 24 * PULSE_MS], [120, 48 * PULSE_MS], [120, 72 * PULSE_MS]]);
    t.midi.inject(KNOBS, { type: 'stop' }, 80 * PULSE_MS);
    assert.deepEqual(t.told.at(-1), [null, null]);
  });

  it('a song position before Continue places the beats (position 2 = 12 pulses: the 13th pulse is a beat)', () => {
    const t = clocked();
    t.midi.inject(KNOBS, { type: 'position', value: 2 }, 0);
    t.midi.inject(KNOBS, { type: 'continue' }, 0);
    t.pulses(0, 61);
    // The tempo is known from pulse 24 on; beats at pulses 12, 36, 60.
    assert.deepEqual(t.told, [[120, null], [120, 36 * PULSE_MS], [120, 60 * PULSE_MS]]);
  });

  it('Continue after Stop goes on counting where it stopped', () => {
    const t = clocked();
    t.midi.inject(KNOBS, { type: 'start' }, 0);
    t.pulses(0, 40); // stops at song position 40 pulses
    t.midi.inject(KNOBS, { type: 'stop' }, 40 * PULSE_MS);
    t.told.length = 0;
    t.midi.inject(KNOBS, { type: 'continue' }, 1000);
    for (let i = 0; i < 60; i++) t.midi.inject(KNOBS, { type: 'clock' }, 1000 + i * PULSE_MS);
    // Song pulse 40 + i is a beat at i = 8, 32, 56; the tempo is known again from i = 24.
    assert.deepEqual(t.told, [[120, null], [120, 1000 + 32 * PULSE_MS], [120, 1000 + 56 * PULSE_MS]]);
  });

  it('a clock joined mid-song gives the tempo once a beat, never a beat time', () => {
    const t = clocked();
    t.pulses(0, 24 * 4 + 1);
    assert.deepEqual(t.told, [[120, null], [120, null], [120, null], [120, null]]);
  });

  it('song position messages are checked (14-bit) and converted for easymidi', () => {
    const t = clocked();
    t.midi.inject(KNOBS, { type: 'position', value: 16384 }, 0);
    t.midi.inject(KNOBS, { type: 'continue' }, 0);
    t.pulses(0, 49);
    assert.ok(t.told.every(([, at]) => at === null), 'an out-of-range position is ignored');
    assert.deepEqual(fromEasymidi({ _type: 'position', value: 300 } as never), { type: 'position', value: 300 });
    assert.equal(fromEasymidi({ _type: 'position', value: 16384 } as never), null);
    assert.deepEqual(toEasymidi({ type: 'position', value: 300 }), ['position', { value: 300 }]);
  });
});

describe('MIDI: ports', () => {
  it('opens matching devices, several at once; without substrings all but Midi Through', () => {
    const names = [KNOBS, 'Keys:Keys MIDI 1 24:0', 'Midi Through:Midi Through Port-0 14:0'];
    const some = setup({ inputs: names, outputs: [], devices: ['KNOB', 'keys'], mappings: [{ kind: 'cc', controller: 1, param: 'hue_react', range: [0, 1] }] });
    assert.deepEqual(some.ctl.inputs(), names.slice(0, 2));
    some.midi.inject(names[1], cc(1, 0), 0);
    some.midi.inject(names[1], cc(1, 127), 0);
    assert.equal(some.value('hue_react'), 1);
    assert.deepEqual(setup({ inputs: names, devices: ['keys'] }).ctl.inputs(), [names[1]]);
    assert.deepEqual(setup({ inputs: names }).ctl.inputs(), names.slice(0, 2));
  });

  it('hot-plug: a port appearing is opened on poll, one vanishing is closed', () => {
    const t = setup({ devices: ['knobs', 'pads'], mappings: [{ kind: 'cc', controller: 1, param: 'hue_react', range: [0, 1] }] });
    t.midi.sent = [];
    t.midi.addInput('Pads 24:0');
    t.midi.addOutput('Pads 24:0');
    t.midi.addInput('Drums 28:0');
    t.ctl.poll();
    assert.deepEqual(t.ctl.inputs(), [KNOBS, 'Pads 24:0']);
    assert.deepEqual(t.midi.sent, [{ port: 'Pads 24:0', msg: cc(1, 0) }], 'a new output gets the current values');
    t.midi.removeInput(KNOBS);
    t.midi.removeOutput(KNOBS);
    t.ctl.poll();
    assert.deepEqual(t.ctl.inputs(), ['Pads 24:0']);
    assert.deepEqual(t.ctl.outputs(), ['Pads 24:0']);
    assert.deepEqual(t.midi.closed, [`in:${KNOBS}`, `out:${KNOBS}`]);
    assert.deepEqual(t.lines.filter((l) => l.includes('Pads') || l.includes('gone')), [
      'info: MIDI in: opened "Pads 24:0"',
      'info: MIDI out: opened "Pads 24:0"',
      `info: MIDI in: "${KNOBS}" is gone`,
      `info: MIDI out: "${KNOBS}" is gone`,
    ]);
    t.ctl.close();
    assert.deepEqual(t.midi.openInputs(), []);
    assert.deepEqual(t.midi.openOutputs(), []);
  });
});

describe('MIDI: easymidi adapter', () => {
  it('converts channels 0..15 ↔ 1..16 and drops what it does not use', () => {
    assert.deepEqual(fromEasymidi({ _type: 'cc', channel: 0, controller: 7, value: 100 }), cc(7, 100, 1));
    assert.deepEqual(fromEasymidi({ _type: 'pitch', channel: 15, value: 16383 }), { type: 'pitch', channel: 16, value: 16383 });
    assert.deepEqual(fromEasymidi({ _type: 'noteoff', channel: 2, note: 60, velocity: 0 }), { type: 'noteoff', channel: 3, note: 60, velocity: 0 });
    assert.deepEqual(fromEasymidi({ _type: 'program', channel: 0, number: 4 }), { type: 'program', channel: 1, number: 4 });
    assert.deepEqual(fromEasymidi({ _type: 'clock' }), { type: 'clock' });
    assert.equal(fromEasymidi({ _type: 'channel aftertouch', channel: 0 }), null);
    assert.equal(fromEasymidi({ _type: 'cc', channel: 16, controller: 1, value: 1 }), null);
    assert.deepEqual(toEasymidi(noteOn(37, 127, 16)), ['noteon', { channel: 15, note: 37, velocity: 127 }]);
    assert.deepEqual(toEasymidi(cc(34, 5, 3)), ['cc', { channel: 2, controller: 34, value: 5 }]);
  });

  it('on a real MIDI system: a CC from a virtual easymidi port arrives through the adapter, and what the adapter sends reaches a virtual input', async (t) => {
    if (process.platform === 'linux' && !existsSync('/dev/snd/seq')) return t.skip('no ALSA sequencer here (/dev/snd/seq); the next test checks the error');
    const easymidi = ((await import('easymidi')) as unknown as { default: typeof import('easymidi') }).default;
    const poll = async <T>(get: () => T | undefined): Promise<T> => {
      for (let i = 0; i < 200; i++) {
        const v = get();
        if (v !== undefined) return v;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error('timed out');
    };
    const source = new easymidi.Output('vj-test-source', true);
    const sink = new easymidi.Input('vj-test-sink', true);
    try {
      const backend = await openEasymidiBackend();
      const input = backend.openInput(await poll(() => backend.listInputs().find((n) => n.includes('vj-test-source'))));
      const got: MidiMessage[] = [];
      input.onMessage((m) => got.push(m));
      source.send('cc', { channel: 2, controller: 20, value: 99 });
      assert.deepEqual(await poll(() => got[0]), { type: 'cc', channel: 3, controller: 20, value: 99 });
      const output = backend.openOutput(await poll(() => backend.listOutputs().find((n) => n.includes('vj-test-sink'))));
      const fed: Record<string, unknown>[] = [];
      sink.on('message', (m) => fed.push(m as unknown as Record<string, unknown>));
      output.send({ type: 'noteon', channel: 10, note: 36, velocity: 127 });
      const m = await poll(() => fed[0]);
      assert.deepEqual([m._type, m.channel, m.note, m.velocity], ['noteon', 9, 36, 127]);
      input.close();
      output.close();
    } finally {
      source.close();
      sink.close();
    }
  });

  it('opens the real RtMidi, or rejects with a clear error where there is no ALSA sequencer', async () => {
    if (process.platform !== 'linux' || existsSync('/dev/snd/seq')) {
      const backend = await openEasymidiBackend();
      assert.ok(Array.isArray(backend.listInputs()));
    } else {
      await assert.rejects(openEasymidiBackend(), /^Error: MIDI unavailable: RtMidi could not open the ALSA sequencer \(\/dev\/snd\/seq is missing/);
    }
  });
});
