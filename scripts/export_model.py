#!/usr/bin/env python3
"""Export a StyleGAN2-ADA, StyleGAN3 or BigGAN generator to ONNX with its vj manifest.

  python3 scripts/export_model.py {stylegan2|stylegan3|biggan} --repo PATH (--pkl FILE | --random RES)
                                  --out DIR/NAME [--fp16] [--psi-input] [--config t|r]

Writes NAME.onnx and NAME.json (resolution, latent and class sizes read from the network), then
runs the ONNX model on a few latents and compares it with PyTorch (prints the largest absolute
difference; exits non-zero above the tolerance). Runs on the CPU with the user's own PyTorch
(1.13 and later) and the user's checkout of the model's repository, which it never edits: what
the export needs is patched in memory after import.

What is patched, and why (each is a pattern torch.onnx cannot export):
  * StyleGAN2's fused modulated convolution builds one weight per sample at run time
    ("convolution for kernel of unknown shape"): the synthesis is called with
    fused_modconv=False, the equivalent form that scales activations instead.
  * StyleGAN3's modulated_conv2d is always fused: replaced by the same activation-scaling form.
  * upfirdn2d's reference path builds its FIR filter tensor at run time: replaced by one that
    makes the filter a constant (the filters are fixed buffers of the network).
  * StyleGAN3's input layer samples a constant grid with affine_grid (no ONNX operator): the
    grid is computed once, as a constant.
Truncation: with --psi-input, psi is an input of the model (w = w_avg + psi (w - w_avg), the
networks' own formula), so the engine's `truncation` parameter works live.
"""
import argparse
import json
import os
import pickle
import subprocess
import sys
import tempfile
import time
import warnings

# Largest |ONNX - PyTorch| accepted, fp32 / fp16 weights, for images in [-1, 1]; scaled by the
# output's own peak when that is larger (a randomly initialised network's images are not in [-1, 1]).
TOLERANCE = {False: 2e-3, True: 5e-2}


def fail(msg):
    print(f"export_model: {msg}", file=sys.stderr)
    sys.exit(1)


try:
    import numpy as np
    import torch
except ImportError as e:
    fail(f"needs PyTorch and NumPy ({e}); on Debian: apt-get install python3-torch python3-onnx")


# --- patches ------------------------------------------------------------------------------------

def make_upfirdn2d_ref(mod):
    """upfirdn2d's reference semantics with the filter as a constant (numpy), never a traced tensor."""
    parse_scaling, parse_padding = mod._parse_scaling, mod._parse_padding

    def upfirdn2d_ref(x, f, up=1, down=1, padding=0, flip_filter=False, gain=1):
        n, c, h, w = (int(s) for s in x.shape)
        fa = np.ones((1, 1), np.float32) if f is None else f.detach().cpu().numpy().astype(np.float32)
        upx, upy = parse_scaling(up)
        downx, downy = parse_scaling(down)
        px0, px1, py0, py1 = parse_padding(padding)
        # Upsample by inserting zeros, then pad (or crop).
        x = x.reshape([n, c, h, 1, w, 1])
        x = torch.nn.functional.pad(x, [0, upx - 1, 0, 0, 0, upy - 1])
        x = x.reshape([n, c, h * upy, w * upx])
        x = torch.nn.functional.pad(x, [max(px0, 0), max(px1, 0), max(py0, 0), max(py1, 0)])
        x = x[:, :, max(-py0, 0): int(x.shape[2]) - max(-py1, 0), max(-px0, 0): int(x.shape[3]) - max(-px1, 0)]
        # The filter: gain, flip (a true convolution unless flip_filter), one copy per channel.
        fa = fa * (gain ** (fa.ndim / 2))
        if not flip_filter:
            fa = np.flip(fa, axis=tuple(range(fa.ndim)))
        const = lambda a: torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32)).to(x.dtype)
        if fa.ndim == 2:
            x = torch.nn.functional.conv2d(x, const(np.tile(fa[None, None], (c, 1, 1, 1))), groups=c)
        else:
            x = torch.nn.functional.conv2d(x, const(np.tile(fa[None, None, None, :], (c, 1, 1, 1))), groups=c)
            x = torch.nn.functional.conv2d(x, const(np.tile(fa[None, None, :, None], (c, 1, 1, 1))), groups=c)
        return x[:, :, ::downy, ::downx]

    return upfirdn2d_ref


def modulated_conv2d_unfused(x, w, s, demodulate=True, padding=0, input_gain=None):
    """StyleGAN3's modulated_conv2d without per-sample weights: the styles scale the activations."""
    out_ch, in_ch = int(w.shape[0]), int(w.shape[1])
    if demodulate:
        w = w * w.square().mean([1, 2, 3], keepdim=True).rsqrt()
        s = s * s.square().mean().rsqrt()
    dcoefs = None
    if demodulate:  # [N, O]: rsqrt(sum_i,k (w[o,i,k] s[i])^2), before the input gain, as the original
        dcoefs = (s.square() @ w.square().sum(dim=[2, 3]).t() + 1e-8).rsqrt()
    if input_gain is not None:
        s = s * input_gain.expand(s.shape[0], in_ch)
    x = x * s.to(x.dtype).reshape(-1, in_ch, 1, 1)
    x = torch.nn.functional.conv2d(x, w.to(x.dtype), padding=padding)
    if dcoefs is not None:
        x = x * dcoefs.to(x.dtype).reshape(-1, out_ch, 1, 1)
    return x


def constant_affine_grid(theta, size, align_corners=False):
    """affine_grid for a constant theta (StyleGAN3's input layer): the grid as a constant."""
    with torch.no_grad():
        g = _affine_grid(theta.detach().clone(), size, align_corners=align_corners)
    return torch.from_numpy(g.cpu().numpy())


_affine_grid = torch.nn.functional.affine_grid


def import_repo(kind, repo):
    """Imports the network modules from the user's checkout and applies the patches."""
    want = {'stylegan2': 'training/networks.py', 'stylegan3': 'training/networks_stylegan3.py'}.get(kind)
    if want and not os.path.isfile(os.path.join(repo, want)):
        hint = {'stylegan2': 'NVlabs/stylegan2-ada-pytorch', 'stylegan3': 'NVlabs/stylegan3'}[kind]
        fail(f"--repo {repo}: no {want} there (give the folder of a checkout of {hint})")
    sys.path.insert(0, os.path.abspath(repo))
    try:
        if kind == 'biggan':
            import pytorch_pretrained_biggan  # noqa: F401
            return None
        from torch_utils.ops import upfirdn2d
        upfirdn2d._upfirdn2d_ref = make_upfirdn2d_ref(upfirdn2d)
        if kind == 'stylegan2':
            from training import networks as nets
        else:
            from training import networks_stylegan3 as nets
            nets.modulated_conv2d = modulated_conv2d_unfused
            torch.nn.functional.affine_grid = constant_affine_grid
        from torch_utils import custom_ops
        custom_ops.verbosity = 'none'
        return nets
    except ImportError as e:
        fail(f"--repo {repo}: cannot import the network code ({e})")


def random_generator(kind, nets, res, config):
    """A generator initialised at random with the repository's own configuration for `res`."""
    torch.manual_seed(0)
    if kind == 'stylegan2':  # train.py's paper256/paper512 specs: 8 mapping layers, 0.5/1 fmaps
        base = 16384 if res < 512 else 32768
        return nets.Generator(z_dim=512, c_dim=0, w_dim=512, img_resolution=res, img_channels=3,
                              mapping_kwargs=dict(num_layers=8),
                              synthesis_kwargs=dict(channel_base=base, channel_max=512, num_fp16_res=0, conv_clamp=256))
    kw = dict(channel_base=32768, channel_max=512, magnitude_ema_beta=0.5 ** (32 / 20e3), num_fp16_res=0, conv_clamp=256)
    if config == 'r':  # train.py's stylegan3-r: 1x1 convolutions, twice the feature maps, radial filters
        kw.update(conv_kernel=1, channel_base=65536, channel_max=1024, use_radial_filters=True)
    return nets.Generator(z_dim=512, c_dim=0, w_dim=512, img_resolution=res, img_channels=3,
                          mapping_kwargs=dict(num_layers=2), **kw)


def load_pickle(path, repo):
    if not os.path.isfile(path):
        fail(f"--pkl {path}: no such file")
    try:
        try:
            import legacy  # the repository's own loader (also reads the TensorFlow pickles)
            load = legacy.load_network_pkl
        except ImportError:
            load = pickle.load
        with open(path, 'rb') as f:
            data = load(f)
    except Exception as e:  # a truncated file, another project's pickle, a wrong repository
        fail(f"--pkl {path}: cannot be read with the code in {repo} ({type(e).__name__}: {e})")
    if not isinstance(data, dict) or 'G_ema' not in data:
        fail(f"--pkl {path}: no G_ema in it (is it a generator snapshot of this repository?)")
    return data['G_ema']


class StyleGANWrap(torch.nn.Module):
    """z [, c] [, psi] -> image, through the network's own mapping and synthesis."""

    def __init__(self, G, kind, psi_input):
        super().__init__()
        self.G, self.kind, self.psi_input = G, kind, psi_input

    def forward(self, z, *rest):
        rest = list(rest)
        c = rest.pop(0) if self.G.c_dim > 0 else None
        ws = self.G.mapping(z, c, truncation_psi=1)
        if self.psi_input:
            psi = rest.pop(0)
            w_avg = self.G.mapping.w_avg
            ws = w_avg + psi.reshape(1, 1, 1) * (ws - w_avg)
        kw = dict(noise_mode='const', force_fp32=True)
        if self.kind == 'stylegan2':
            kw['fused_modconv'] = False
        return self.G.synthesis(ws, **kw)


class BigGANWrap(torch.nn.Module):
    def __init__(self, G):
        super().__init__()
        self.G = G

    def forward(self, z, c, t):
        return self.G(z, c, t[0])


# --- checking -----------------------------------------------------------------------------------

def run_onnx(onnx_path, feeds, out_name):
    """The ONNX model's output: onnxruntime in Python where installed, else the engine's own ORT (node)."""
    try:
        import onnxruntime as ort
        sess = ort.InferenceSession(onnx_path, providers=['CPUExecutionProvider'])
        return [sess.run([out_name], f)[0] for f in feeds]
    except ImportError:
        pass
    here = os.path.dirname(os.path.abspath(__file__))
    with tempfile.TemporaryDirectory() as d:
        spec = []
        for i, f in enumerate(feeds):
            names = {}
            for k, v in f.items():
                p = os.path.join(d, f'{i}-{k}.f32')
                v.astype(np.float32).tofile(p)
                names[k] = {'file': p, 'shape': list(v.shape)}
            spec.append({'inputs': names, 'output': os.path.join(d, f'{i}-out.f32')})
        job = os.path.join(d, 'job.json')
        with open(job, 'w') as fh:
            json.dump({'model': onnx_path, 'outputName': out_name, 'runs': spec}, fh)
        r = subprocess.run(['node', os.path.join(here, 'onnx_run.mjs'), job], capture_output=True, text=True)
        if r.returncode != 0:
            fail(f"checking with ONNX Runtime failed: {r.stderr.strip() or r.stdout.strip()}")
        return [np.fromfile(s['output'], dtype=np.float32) for s in spec]


def halve_weights(onnx_path):
    """--fp16: every large float32 initializer stored as float16, cast back to float32 on load."""
    import onnx
    from onnx import helper, numpy_helper, TensorProto
    m = onnx.load(onnx_path)
    g = m.graph
    casts = []
    for init in list(g.initializer):
        if init.data_type != TensorProto.FLOAT or np.prod(init.dims) < 1024:
            continue
        a = numpy_helper.to_array(init).astype(np.float16)
        half = numpy_helper.from_array(a, init.name + '__fp16')
        g.initializer.remove(init)
        g.initializer.append(half)
        casts.append(helper.make_node('Cast', [half.name], [init.name], to=TensorProto.FLOAT))
    for n in reversed(casts):
        g.node.insert(0, n)
    onnx.save(m, onnx_path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('arch', choices=['stylegan2', 'stylegan3', 'biggan'])
    ap.add_argument('--repo', required=True, help="the model's repository checkout (biggan: a folder with pytorch_pretrained_biggan)")
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument('--pkl', help='a network snapshot (.pkl; biggan: a model name or folder)')
    src.add_argument('--random', type=int, metavar='RES', help='a network initialised at random, at this resolution')
    ap.add_argument('--config', choices=['t', 'r'], default='t', help='stylegan3 --random: the -t or -r configuration')
    ap.add_argument('--out', required=True, help='DIR/NAME: writes NAME.onnx and NAME.json')
    ap.add_argument('--fp16', action='store_true', help='store the weights as float16 (half the file; computed in float32)')
    ap.add_argument('--psi-input', action='store_true', help='truncation psi as a model input (StyleGAN)')
    ap.add_argument('--opset', type=int, default=16)
    ap.add_argument('--check', type=int, default=3, help='latents compared with PyTorch (0: none)')
    a = ap.parse_args()

    out_dir, name = os.path.split(os.path.abspath(a.out))
    os.makedirs(out_dir, exist_ok=True)
    onnx_path = os.path.join(out_dir, name + '.onnx')
    nets = import_repo(a.arch, a.repo)
    t0 = time.time()

    if a.arch == 'biggan':
        from pytorch_pretrained_biggan import BigGAN, BigGANConfig
        G = BigGAN(BigGANConfig(output_dim=a.random)) if a.random else BigGAN.from_pretrained(a.pkl)
        model = BigGANWrap(G.eval().float()).eval()
        z_dim, c_dim, res = 128, G.config.num_classes, G.config.output_dim
        inputs = [('z', (1, z_dim)), ('class', (1, c_dim)), ('truncation', (1,))]
    else:
        G = load_pickle(a.pkl, a.repo) if a.pkl else random_generator(a.arch, nets, a.random, a.config)
        G = G.eval().float().requires_grad_(False)
        for attr in ('z_dim', 'c_dim', 'img_resolution'):
            if not hasattr(G, attr):
                fail(f"the network has no {attr}: not a {a.arch} generator")
        model = StyleGANWrap(G, a.arch, a.psi_input).eval()
        z_dim, c_dim, res = int(G.z_dim), int(G.c_dim), int(G.img_resolution)
        inputs = [('z', (1, z_dim))] + ([('c', (1, c_dim))] if c_dim else []) + ([('psi', (1,))] if a.psi_input else [])

    rng = np.random.default_rng(1)
    def example(k):
        feed = {}
        for n, shape in inputs:
            if n in ('c', 'class'):
                v = np.zeros(shape, np.float32)
                v[0, k % shape[1]] = 1
            elif n in ('psi', 'truncation'):
                v = np.full(shape, 0.7 if k % 2 == 0 else 1.0, np.float32)
            else:
                v = rng.standard_normal(shape).astype(np.float32)
            feed[n] = v
        return feed

    args = tuple(torch.from_numpy(v) for v in example(0).values())
    params = sum(p.numel() for p in model.parameters())
    print(f"export_model: {a.arch} {res}x{res}, z {z_dim}, c {c_dim}, {params / 1e6:.1f} M parameters", file=sys.stderr)
    warnings.filterwarnings('ignore')  # the tracer's notes on the constants made above, by design
    try:
        with torch.no_grad():
            export_kw = dict(input_names=[n for n, _ in inputs], output_names=['img'], opset_version=a.opset, do_constant_folding=True)
            if 'dynamo' in torch.onnx.export.__code__.co_varnames:
                export_kw['dynamo'] = False  # the TorchScript exporter, as in PyTorch 1.13
            torch.onnx.export(model, args, onnx_path, **export_kw)
    except Exception as e:
        first = str(e).strip().split('\n')[0]
        fail(f"torch.onnx.export failed: {first} (an operator this exporter cannot write: try another --opset, or report the op)")
    # torch.onnx.export puts the module back in the mode it found it in: eval, always (in training
    # mode StyleGAN's mapping moves w_avg on every call).
    model.eval()
    if a.fp16:
        halve_weights(onnx_path)
    export_s = time.time() - t0

    manifest = {
        'name': name,
        'model': name + '.onnx',
        'inputs': {'latent': {'name': 'z', 'size': z_dim}},
        'output': {'name': 'img', 'layout': 'NCHW', 'range': '[-1,1]', 'channels': 3},
        'resolution': {'width': res, 'height': res},
    }
    if c_dim:
        manifest['inputs']['class'] = {'name': 'class' if a.arch == 'biggan' else 'c', 'size': c_dim}
    if a.arch == 'biggan' or a.psi_input:
        manifest['inputs']['truncation'] = {'name': 'truncation' if a.arch == 'biggan' else 'psi', 'shape': [1]}
    with open(os.path.join(out_dir, name + '.json'), 'w') as fh:
        json.dump(manifest, fh, indent=2)
        fh.write('\n')

    size_mb = os.path.getsize(onnx_path) / 2 ** 20
    worst, peak = 0.0, 1.0
    if a.check:
        feeds = [example(k) for k in range(a.check)]
        with torch.no_grad():
            ref = [model(*(torch.from_numpy(v) for v in f.values())).numpy().ravel() for f in feeds]
        got = run_onnx(onnx_path, feeds, 'img')
        worst = max(float(np.abs(g.ravel() - r).max()) for g, r in zip(got, ref))
        peak = max(1.0, max(float(np.abs(r).max()) for r in ref))
    tol = TOLERANCE[a.fp16] * peak
    print(json.dumps({'onnx': onnx_path, 'exportSeconds': round(export_s, 1), 'sizeMB': round(size_mb, 1), 'parametersM': round(params / 1e6, 2),
                      'checked': a.check, 'maxAbsDiff': worst, 'outputPeak': peak, 'tolerance': tol}))
    if worst > tol:
        fail(f"ONNX output differs from PyTorch by {worst:.3g} (tolerance {tol}): the export is wrong")


if __name__ == '__main__':
    main()
