/** The native libraries' chatter filter: which stderr lines are theirs, which commands need it. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createChatterFilter, loadsNative } from '../../engine/cli/nativeChatter.js';

describe('native chatter', () => {
  it('drops ALSA, JACK, RtMidi and Dawn lines (with their continuations), keeps everything else', () => {
    const isChatter = createChatterFilter();
    const lines = [
      "ALSA lib pcm.c:2666:(snd_pcm_open_noupdate) Unknown PCM cards.pcm.front",
      'Cannot connect to server socket err = No such file or directory',
      'Cannot connect to server request channel',
      'jack server is not running or cannot be started',
      'JackShmReadWritePtr::~JackShmReadWritePtr - Init not done for -1, skipping unlock',
      'error: XDG_RUNTIME_DIR is invalid or not set in the environment.',
      'Warning: Vulkan shaderUniform*ArrayDynamicIndexing required.',
      ' - While initializing adapter (backend=BackendType::Vulkan)',
      '    at InitializeImpl (/build/Release/_deps/dawn-src/src/dawn/native/vulkan/PhysicalDeviceVk.cpp:253)',
      '',
      'MidiInAlsa::initialize: error creating ALSA sequencer client object.',
      "[vj generator] info: execution provider: cpu",
      'vj: output at http://127.0.0.1:7070/',
      'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory',
      '    at something the engine printed',
      'Segmentation fault',
    ];
    assert.deepEqual(lines.map(isChatter), [true, true, true, true, true, true, true, true, true, true, true, false, false, false, false, false]);
  });

  it('runs start, devices, render and analyze --input filtered; help and analyze FILE directly', () => {
    assert.deepEqual(
      [['start'], ['devices'], ['render', 'a.wav', '--out', 'x.mp4'], ['analyze', '--input', 'default'], ['analyze', 'a.wav', '--onsets'], ['--help'], []].map(loadsNative),
      [true, true, true, true, false, false, false],
    );
  });
});
