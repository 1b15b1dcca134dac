/**
 * scripts/export_model.py on the project's tiny StyleGAN-like generator (test/fixtures/tinygan:
 * the NVlabs interface and its two export-hostile patterns), with Debian's PyTorch: a plain
 * torch.onnx.export fails on it, the tool exports it (checked against PyTorch), writes its
 * manifest, and `vj render` renders it; bad arguments give one clear line.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { writeWav } from '../../engine/audio/testSignals.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TOOL = join(ROOT, 'scripts/export_model.py');
const TINY = join(ROOT, 'test/fixtures/tinygan');

/** A Python with PyTorch: Debian's (apt python3-torch) first, as a pyenv python3 may lack it. */
function torchPython(): string | null {
  for (const py of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(py, ['-c', 'import torch, onnx'], { stdio: 'ignore' });
    if (r.status === 0) return py;
  }
  return null;
}
const PY = torchPython();
const skip = PY === null && process.env.CI !== 'true' ? 'python3-torch/python3-onnx not installed (scripts/setup-system.sh)' : false;

const py = (args: string[]) => spawnSync(PY ?? 'python3', args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, PYTHONWARNINGS: 'ignore' } });

describe('export_model.py', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'vj-export-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the fixture is export-hostile as NVlabs code is: a plain torch.onnx.export fails on it', () => {
    const r = py(['-c', `
import sys, torch
sys.path.insert(0, ${JSON.stringify(TINY)})
from training import networks
G = networks.Generator(512, 0, 512, 32, 3).eval()
class W(torch.nn.Module):
    def __init__(s, G): super().__init__(); s.G = G
    def forward(s, z): return s.G(z, None, noise_mode='const', force_fp32=True)
torch.onnx.export(W(G), (torch.randn(1, 512),), ${JSON.stringify(join(dir, 'plain.onnx'))}, opset_version=16)
`]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /ONNX export of convolution for kernel of unknown shape/);
  });

  it('exports it with psi as an input, checked against PyTorch, with its manifest; vj render renders it', async () => {
    const r = py([TOOL, 'stylegan2', '--repo', TINY, '--random', '32', '--psi-input', '--out', join(dir, 'tiny')]);
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    assert.equal(report.checked, 3);
    assert.ok(report.maxAbsDiff <= 2e-3, `largest difference to PyTorch ${report.maxAbsDiff}`);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'tiny.json'), 'utf8')), {
      name: 'tiny', model: 'tiny.onnx',
      inputs: { latent: { name: 'z', size: 512 }, truncation: { name: 'psi', shape: [1] } },
      output: { name: 'img', layout: 'NCHW', range: '[-1,1]', channels: 3 },
      resolution: { width: 32, height: 32 },
    });

    const wav = join(dir, 'one.wav');
    const x = new Float32Array(48000).map((_, i) => 0.3 * Math.sin((2 * Math.PI * 220 * i) / 48000));
    await writeWav(wav, 48000, [x], 16);
    const frames = join(dir, 'frames');
    const vj = spawnSync(process.execPath, [join(ROOT, 'bin/vj.js'), 'render', wav, '--model', join(dir, 'tiny.json'), '--frames', frames, '--fps', '10'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(vj.status, 0, vj.stderr);
    assert.doesNotMatch(vj.stderr, /built-in generator instead/);
    const pngs = readdirSync(frames).filter((f) => f.endsWith('.png'));
    assert.equal(pngs.length, 10);
    const probe = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', join(frames, pngs[0])], { encoding: 'utf8' });
    assert.equal(probe.trim(), '32,32');
  });

  it('a wrong --repo, a bad pickle: one line naming what to do, exit 1', () => {
    const wrong = py([TOOL, 'stylegan2', '--repo', dir, '--random', '32', '--out', join(dir, 'x')]);
    assert.equal(wrong.status, 1);
    assert.match(wrong.stderr.trim(), /^export_model: --repo .*: no training\/networks\.py there \(give the folder of a checkout of NVlabs\/stylegan2-ada-pytorch\)$/m);
    const pkl = join(dir, 'bad.pkl');
    writeFileSync(pkl, 'not a pickle');
    const bad = py([TOOL, 'stylegan2', '--repo', TINY, '--pkl', pkl, '--out', join(dir, 'y')]);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr.trim(), /^export_model: --pkl .*bad\.pkl: cannot be read with the code in /m);
    assert.equal(existsSync(join(dir, 'y.onnx')), false);
  });
});
