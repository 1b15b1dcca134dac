import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { devicesCommand, type DeviceSources } from '../../engine/cli/devicesCommand.js';
import { createFakeMidi } from '../helpers/fakeMidi.js';

/** Runs `vj devices` on the given sources; its exit code and output. */
async function run(audio: DeviceSources['audio'], midi: DeviceSources['midi']): Promise<{ code: number; text: string }> {
  let text = '';
  const out = new Writable({ write: (chunk, _enc, cb) => ((text += String(chunk)), cb()) });
  const code = await devicesCommand([], { audio, midi, out });
  return { code, text };
}

describe('vj devices', () => {
  const scarlett = { index: 3, name: 'Scarlett 4i4 USB', hostApi: 'ALSA', maxInputChannels: 4, defaultSampleRate: 48000 };

  it('lists audio inputs, then MIDI inputs and outputs', async () => {
    const midi = createFakeMidi({ inputs: ['APC mini:APC mini MIDI 1 20:0', 'Midi Through:Midi Through Port-0 14:0'], outputs: [] });
    const r = await run(async () => [scarlett], async () => midi);
    assert.equal(r.code, 0);
    assert.equal(r.text, [
      'index  channels  rate    host API  name',
      '    3         4  48000   ALSA      Scarlett 4i4 USB',
      '',
      'MIDI inputs (vj start opens all but Midi Through; --midi NAME picks by part of the name):',
      '  APC mini:APC mini MIDI 1 20:0',
      '  Midi Through:Midi Through Port-0 14:0',
      '',
      'MIDI outputs: none',
      '',
    ].join('\n'));
  });

  it('without audio devices or a MIDI system it says so in one line each, and exits 0', async () => {
    const r = await run(async () => [], async () => {
      throw new Error('MIDI unavailable: RtMidi could not open the ALSA sequencer (x)\nstack');
    });
    assert.equal(r.code, 0);
    assert.equal(r.text, 'no audio input devices found (vj analyze --input default plays the demo clip)\n\nMIDI unavailable: RtMidi could not open the ALSA sequencer (x)\n');
  });
});
