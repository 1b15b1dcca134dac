#!/usr/bin/env python3
"""Trains the learned chroma (engine/analysis/chromaNet.ts) on the frames that
bench/eval/chromaTrain.ts wrote, and writes its weights as engine/analysis/chromaNetWeights.ts.

    /usr/bin/python3 scripts/train_chroma.py [--data .cache/chroma-train] [--epochs 10] [--hidden 128] [--hidden2 64] [--dense] [--add | --init I]

The file holds a list of nets (an ensemble: the chroma is the mean of their probabilities); a run
writes its net alone, or with --add after the ones already there, or with --init I in place of net
I, which it fine-tunes. The shipped pair: on chroma-train-5's material (whose chord runs left out
every tone above MIDI 96 but kept its label), --exclude csd-,song-csd-,organ-,ensemble-,pad-
--hidden 96 --hidden2 48 --epochs 12 (what was chroma-train-3), then --add --exclude
organ-,ensemble-,pad- (chroma-train-4), then each fine-tuned on all of it: --init 1 --epochs 3
--lr 5e-4 (27 minutes), and --init 0 --hidden 96 --hidden2 48 --epochs 3 --lr 5e-4 (20 minutes).
A candidate not shipped yet (it fails a chord-tone filter unit test): on chroma-train-6's material
(those tones sounded, and chord runs on C5-B5 roots), the same two fine-tunes with --exclude
gm-high- (28 and 21 minutes), then again on all of it with --epochs 2 (20 and 14 minutes).

The inputs are the chroma front end's (the line spectrum and the note activations, in log decades
below their maxima, and a leaky average of the note activations over --context seconds, so
sustained chord tones stand out from passing notes; the net sees that average only from
--context-floor up, so the notes long gone are zeros the forward pass skips). By default one
shared net (two ReLU hidden layers with dropout, one sigmoid output) is run for each pitch class k
on the input moved down by k semitones, so what it learns of one class holds for all twelve
(transposition-equivariant; far fewer weights per class, and it generalised better to timbres it
had not heard). --dense trains one net over the whole input with 12 outputs instead (the net
shipped before: --dense --hidden 256 --hidden2 256 --every 1). Trained with binary cross-entropy
against the sounding chord's pitch classes (not every sounding note: the bass line's passing tones and the
melody's non-chord tones are what it learns to leave out). Each training frame is transposed by a
random -6..+6 semitones (spectrum and notes shifted, the target rotated), so every root is seen in
every register. The songs' frames count --song-repeat times (a melody and a bass line over the
chords are what the chord-only clips lack). One clip in ten is held back; the epoch with the
lowest held-back loss is kept (with --init, the net as it was unless an epoch beats it). Seeded,
two threads: about 75 minutes on 2 cores for every second of chroma-train-4's 694,000 frames (the
defaults: the second shipped net).
"""
import argparse, base64, json, os, re, sys
import numpy as np
import torch

ap = argparse.ArgumentParser()
ap.add_argument('--data', default='.cache/chroma-train')
ap.add_argument('--epochs', type=int, default=10)
ap.add_argument('--hidden', type=int, default=128)
ap.add_argument('--out', default='engine/analysis/chromaNetWeights.ts')
ap.add_argument('--add', action='store_true', help='keep the nets already in --out: the new one joins them (the chroma is the mean of their probabilities)')
ap.add_argument('--init', type=int, default=-1, help='fine-tune net I of --out (same shape): start from its weights and write the result in its place, the other nets kept')
ap.add_argument('--shift', type=int, default=6, help='transpose each training frame by up to this many semitones')
ap.add_argument('--dropout', type=float, default=0.1)
ap.add_argument('--batch', type=int, default=1024)
ap.add_argument('--lr', type=float, default=2e-3)
ap.add_argument('--context', type=float, default=0.4, help='time constant (s) of the leaky average of the note activations added to the input; 0 = none')
ap.add_argument('--context-floor', type=float, default=0.1, help='context entries below this are given to the net as 0 (fewer nonzero inputs: the forward pass skips them)')
ap.add_argument('--dense', action='store_true', help='one dense net over the whole input with 12 outputs, instead of the shared one')
ap.add_argument('--hidden2', type=int, default=64, help='second hidden layer width')
ap.add_argument('--every', type=int, default=2, help='train on every n-th frame only (neighbouring frames are 43 ms apart and much alike)')
ap.add_argument('--exclude', default='', help='comma-separated clip-name prefixes to leave out of the data')
ap.add_argument('--song-repeat', type=int, default=3, help='training frames of songs (clips named song-...) are used this many times per epoch (3: songs on unheard timbres 0.743 -> 0.781 in bench/eval/unseen.ts, chord-only clips 0.785 -> 0.770)')
args = ap.parse_args()

torch.manual_seed(0)
np.random.seed(0)
torch.set_num_threads(2)
meta = json.load(open(os.path.join(args.data, 'meta.json')))
n, d = meta['frames'], meta['inputs']
n_bins, n_notes = meta['bins'], meta['notes']
assert n_bins + n_notes == d
X = np.fromfile(os.path.join(args.data, 'X.f32'), dtype=np.float32).reshape(n, d)
Y = np.fromfile(os.path.join(args.data, 'Y.u8'), dtype=np.uint8).reshape(n, 12).astype(np.float32)
clip = np.fromfile(os.path.join(args.data, 'clip.i32'), dtype=np.int32)
# Context: a leaky average of the note block over the chroma updates (every 8 hops of 256 at
# 48 kHz, as chromaTrain.ts runs it), restarted at each clip, as chroma.ts keeps it at run time.
UPDATE_SECONDS = 8 * 256 / 48000
if args.context > 0:
    a = 1 - np.exp(-UPDATE_SECONDS / args.context)
    notes = X[:, n_bins:]
    ctx = np.empty_like(notes)
    for i in range(n):
        ctx[i] = notes[i] if i == 0 or clip[i] != clip[i - 1] else ctx[i - 1] + a * (notes[i] - ctx[i - 1])
    ctx[ctx < args.context_floor] = 0  # after the average: the floor is on what the net sees, not on what is averaged
    X = np.concatenate([X, ctx], 1)
d_in = X.shape[1]
keep = np.ones(n, dtype=bool)
if args.exclude:
    names = meta['clips']
    prefixes = tuple(args.exclude.split(','))
    bad = np.array([name.startswith(prefixes) for name in names])
    keep &= ~bad[clip]
if args.every > 1:
    keep &= np.arange(n) % args.every == 0
X, Y, clip = X[keep], Y[keep], clip[keep]
val = clip % 10 == 0
train = np.flatnonzero(~val)
if args.song_repeat > 1:
    is_song = np.array([name.startswith('song-') for name in meta['clips']])[clip[train]]
    train = np.concatenate([train] + [train[is_song]] * (args.song_repeat - 1))
Xt, Yt, Xv, Yv = map(torch.from_numpy, (X[train], Y[train], X[val], Y[val]))
print(f'train {len(Xt)} frames, held back {len(Xv)} ({val.sum()} of {n}), {d_in} inputs', file=sys.stderr)

h = args.hidden
h2 = args.hidden2
# Shared (transposition-equivariant) net: the output for pitch class k is one small net applied to
# the input moved down by k semitones: position u of its window is note u + k - SHARED_OFFSET
# (spectrum semitone u + k - SHARED_OFFSET + 1, three bins each); outside the range is 0.
SHARED_OFFSET = 12
span = n_notes + SHARED_OFFSET
def shared_index(k):
    u = np.arange(span)
    note = u + k - SHARED_OFFSET
    semi = note + 1
    spec = np.where(((semi >= 0) & (semi < n_bins // 3))[:, None], 3 * semi[:, None] + np.arange(3)[None, :], d_in).reshape(-1)
    inside = (note >= 0) & (note < n_notes)
    parts = [spec, np.where(inside, n_bins + note, d_in)]
    if d_in > d:
        parts.append(np.where(inside, n_bins + n_notes + note, d_in))
    return np.concatenate(parts)
SHARED_IDX = torch.from_numpy(np.stack([shared_index(k) for k in range(12)]))
def mlp(inputs, outputs):
    """Two ReLU hidden layers (--hidden, --hidden2) with dropout, then `outputs` logits."""
    return torch.nn.Sequential(torch.nn.Linear(inputs, h), torch.nn.ReLU(), torch.nn.Dropout(args.dropout), torch.nn.Linear(h, h2), torch.nn.ReLU(), torch.nn.Dropout(args.dropout), torch.nn.Linear(h2, outputs))
class Shared(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.body = mlp(SHARED_IDX.shape[1], 1)
    def forward(self, x):
        padded = torch.cat([x, torch.zeros(len(x), 1)], 1)
        return self.body(padded[:, SHARED_IDX]).squeeze(-1)
if args.dense:
    net = mlp(d_in, 12)
else:
    net = Shared()
linears = [m for m in (net if args.dense else net.body) if isinstance(m, torch.nn.Linear)]

# The nets already in --out (kept with --add; --init starts from one of them). They must have been
# trained with the same context block (the front end computes one).
old_members = []
if args.add or args.init >= 0:
    old = open(args.out).read()
    for name, value in (('chromaNetContextSeconds', args.context), ('chromaNetContextFloor', args.context_floor)):
        if f'export const {name} = {value};' not in old:
            sys.exit(f'{args.out} has another {name} (this net: {value})')
    old_members = re.findall(r'^  \{ // .*?^    \] \},\n', old, re.S | re.M)
if args.init >= 0:
    blobs = re.findall(r"weights: '([^']*)',\s*bias: '([^']*)'", old_members[args.init])
    if len(blobs) != len(linears):
        sys.exit(f'--init {args.init}: {len(blobs)} layers, this net has {len(linears)}')
    with torch.no_grad():
        for lin, (w, b) in zip(linears, blobs):
            W = np.frombuffer(base64.b64decode(w), dtype='<f4')
            if W.size != lin.weight.numel():
                sys.exit(f'--init {args.init}: a layer of {W.size} weights, this net has {lin.weight.numel()} (--hidden, --hidden2)')
            lin.weight.copy_(torch.from_numpy(W.reshape(lin.weight.shape).copy()))
            lin.bias.copy_(torch.from_numpy(np.frombuffer(base64.b64decode(b), dtype='<f4').copy()))

# Transposition: a shift of k semitones moves the line spectrum by 3k bins and the notes (and their average) by k
# (what leaves the range is dropped, what enters is 0) and rotates the target by k.
def shift_index(k):
    spec = np.arange(n_bins) - 3 * k
    notes = np.arange(n_notes) - k
    note_idx = np.where((notes >= 0) & (notes < n_notes), n_bins + notes, d_in)
    parts = [np.where((spec >= 0) & (spec < n_bins), spec, d_in), note_idx]
    if d_in > d:
        parts.append(np.where(note_idx < d_in, note_idx + n_notes, d_in))
    idx = np.concatenate(parts)
    return torch.from_numpy(idx)
SHIFTS = list(range(-args.shift, args.shift + 1))
SHIFT_IDX = torch.stack([shift_index(k) for k in SHIFTS])
SHIFT_Y = torch.stack([torch.from_numpy((np.arange(12) - k) % 12) for k in SHIFTS])

def transpose(x, y):
    s = torch.randint(len(SHIFTS), (len(x),))
    padded = torch.cat([x, torch.zeros(len(x), 1)], 1)
    return torch.gather(padded, 1, SHIFT_IDX[s]), torch.gather(y, 1, SHIFT_Y[s])
opt = torch.optim.Adam(net.parameters(), lr=args.lr, weight_decay=1e-5)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, args.epochs)
loss_fn = torch.nn.BCEWithLogitsLoss()

# The 60 binary templates of the evaluation (12 roots x maj, min, 7, m7, maj7), unit length.
T = np.zeros((60, 12), dtype=np.float32)
for r in range(12):
    for q, iv in enumerate([(0, 4, 7), (0, 3, 7), (0, 4, 7, 10), (0, 3, 7, 10), (0, 4, 7, 11)]):
        for i in iv:
            T[r * 5 + q, (r + i) % 12] = 1 / np.sqrt(len(iv))
T = torch.from_numpy(T)

def template_accuracy(p, y):
    """Share of frames whose best template (cosine) has exactly the target's pitch classes (scored frames only)."""
    scored = (y @ T.T).max(1).values > 0.999  # the target is one of the 60
    got = (p / p.norm(dim=1, keepdim=True).clamp_min(1e-9)) @ T.T
    want = y @ T.T
    ok = got.argmax(1) == want.argmax(1)
    return ok[scored].float().mean().item()

def held_back():
    """The held-back loss and template accuracy (the net left in eval mode)."""
    net.eval()
    with torch.no_grad():
        lv = net(Xv)
        return loss_fn(lv, Yv).item(), template_accuracy(torch.sigmoid(lv), Yv)

def snapshot():
    return {k: v.clone() for k, v in net.state_dict().items()}

best = (float('inf'), None, -1)
if args.init >= 0:
    vloss, acc = held_back()
    best = (vloss, snapshot(), 0)
    print(f'net {args.init} as it was: held-back loss {vloss:.4f}, template accuracy {acc:.3f}', file=sys.stderr)
for epoch in range(args.epochs):
    net.train()
    perm = torch.randperm(len(Xt))
    for i in range(0, len(Xt), args.batch):
        b = perm[i:i + args.batch]
        x, y = transpose(Xt[b], Yt[b]) if args.shift > 0 else (Xt[b], Yt[b])
        x = x * (torch.rand(len(b), 1) * 0.4 + 0.8)  # a little level jitter of the log scale
        loss = loss_fn(net(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    sched.step()
    vloss, acc = held_back()
    with torch.no_grad():
        sub = torch.arange(0, len(Xt), 10)
        tacc = template_accuracy(torch.sigmoid(net(Xt[sub])), Yt[sub])
    print(f'epoch {epoch + 1}: held-back loss {vloss:.4f}, template accuracy {acc:.3f} (training frames {tacc:.3f})', file=sys.stderr)
    if vloss < best[0]:
        best = (vloss, snapshot(), epoch + 1)

net.load_state_dict(best[1])
layers = []
for m in linears:
    w = m.weight.detach().numpy().astype('<f4')
    b = m.bias.detach().numpy().astype('<f4')
    layers.append({'inputs': w.shape[1], 'outputs': w.shape[0], 'weights': base64.b64encode(w.tobytes()).decode(), 'bias': base64.b64encode(b.tobytes()).decode()})

origin = ''
if args.init >= 0:
    origin = f' Fine-tuned (lr {args.lr}, {args.epochs} epochs) from: ' + re.match(r'  \{ // (.*)\n', old_members[args.init]).group(1)
member = f'  {{ // {meta["version"]}: {len(X)} of {n} frames, {"-".join(str(w) for w in [layers[0]["inputs"]] + [l["outputs"] for l in layers])}, held-back loss {best[0]:.4f} at epoch {best[2]}.{origin}\n'
member += f'    shared: {{ span: {0 if args.dense else span}, offset: {SHARED_OFFSET} }},\n    layers: [\n'
for l in layers:
    member += f"      {{ inputs: {l['inputs']}, outputs: {l['outputs']},\n        weights: '{l['weights']}',\n        bias: '{l['bias']}' }},\n"
member += '    ] },\n'
if args.init >= 0:
    members = old_members[:args.init] + [member] + old_members[args.init + 1:]
else:
    members = old_members + [member]

with open(args.out, 'w') as f:
    f.write('// Generated by scripts/train_chroma.py from bench/eval/chromaTrain.ts\'s data; do not edit.\n')
    f.write("import type { ChromaNetWeights } from './chromaNet.js';\n\n")
    f.write(f'/** Time constant of the leaky average of the note activations appended to the input (0 = none). */\nexport const chromaNetContextSeconds = {args.context};\n')
    f.write(f'/** Context entries below this are given to the net as 0. */\nexport const chromaNetContextFloor = {args.context_floor};\n')
    f.write('/** The learned chroma\'s nets: its probabilities are the mean of theirs (see chromaNet.ts, ChromaNetWeights). */\n')
    f.write('export const chromaNets: readonly ChromaNetWeights[] = [\n')
    f.write(''.join(members))
    f.write('];\n')
print(f'wrote {args.out} (epoch {best[2]}, {len(members)} nets)', file=sys.stderr)
