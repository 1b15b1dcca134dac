import { writeMidi, renderMidi } from './render.js';
for (const p of [16, 65, 81, 50]) {
  await writeMidi({ bpm: 120, duration: 8, parts: [{ channel: 0, program: p, notes: [{ time: 0.5, midi: 60, duration: 6, velocity: 0.8 }, { time: 0.5, midi: 64, duration: 6, velocity: 0.8 }] }] }, `/tmp/ev/long${p}.mid`);
  await renderMidi(`/tmp/ev/long${p}.mid`, `/tmp/ev/long${p}.wav`, 8);
}
