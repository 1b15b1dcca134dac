import { listDevices } from '../audio/portaudio.js';

/** `vj devices`: one line per input device. */
export async function devicesCommand(_args: string[]): Promise<number> {
  const devices = await listDevices();
  if (devices.length === 0) {
    process.stdout.write('no audio input devices found (vj analyze --input default plays the demo clip)\n');
    return 0;
  }
  process.stdout.write('index  channels  rate    host API  name\n');
  for (const d of devices) {
    process.stdout.write(
      `${String(d.index).padStart(5)}  ${String(d.maxInputChannels).padStart(8)}  ${String(d.defaultSampleRate).padEnd(6)}  ${d.hostApi.padEnd(8)}  ${d.name}\n`,
    );
  }
  return 0;
}
