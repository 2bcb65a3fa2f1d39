#!/usr/bin/python3
"""The PyTorch twin of `pnpm names` (packages/examples/src/names.ts): the same tiny GPT, data split, batches, optimiser
and schedule, so its dev loss is the anchor for tensorgrad's. Run with Debian's torch 1.13, one thread:

    pnpm names                                                          # writes packages/examples/out/names/
    /usr/bin/python3 packages/examples/python/names_gpt.py check        # load gpt.safetensors, reproduce the logits
    /usr/bin/python3 packages/examples/python/names_gpt.py train        # train the twin from tensorgrad's initial weights
    /usr/bin/python3 packages/examples/python/names_gpt.py train --torch-init 1   # ... or from PyTorch's own init, seed 1
    /usr/bin/python3 packages/examples/python/names_gpt.py fixture      # write the jest fixture (a GPT PyTorch trained)

`check` and `train` read the run directory names.ts wrote (default packages/examples/out/names; pass --dir to change):
run.json (the config, hyperparameters, the split, tensorgrad's losses and logits on a probe input), init.safetensors
and gpt.safetensors. torch 1.13 has no safetensors package; the format is simple enough to read and write here: 8 bytes
of little-endian header length, a JSON header, then the raw little-endian tensor bytes.

The batches: names.ts draws each batch's rows with tensorgrad's seeded Generator (splitmix32-seeded sfc32, `integer`
from 53-bit uniforms); `TensorgradGenerator` below is that generator, so `train` sees exactly the same rows, in the same
order.
"""
import argparse
import json
import math
import os
import struct
import time
import warnings

import torch
from torch import nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DIR = os.path.join(HERE, '..', 'out', 'names')
FIXTURES = os.path.join(HERE, '..', 'test', 'fixtures')
CHARS = '.abcdefghijklmnopqrstuvwxyz'
IGNORE = -1
M32 = 0xFFFFFFFF
# torch 1.13's SequentialLR restarts the next scheduler with step(0), which warns about its own call.
warnings.filterwarnings('ignore', message='The epoch parameter')

DTYPES = {'F32': torch.float32, 'F64': torch.float64, 'I32': torch.int32, 'I64': torch.int64}
DTYPE_NAMES = {v: k for k, v in DTYPES.items()}


def read_safetensors(path):
    with open(path, 'rb') as f:
        blob = f.read()
    (n,) = struct.unpack('<Q', blob[:8])
    header = json.loads(blob[8:8 + n].decode('utf-8'))
    metadata = header.pop('__metadata__', {})
    data = blob[8 + n:]
    tensors = {}
    for name, info in header.items():
        begin, end = info['data_offsets']
        flat = torch.frombuffer(bytearray(data[begin:end]), dtype=DTYPES[info['dtype']])
        tensors[name] = flat.reshape(info['shape']).clone()
    return tensors, metadata


def write_safetensors(path, tensors, metadata=None):
    header, offset, chunks = {}, 0, []
    if metadata:
        header['__metadata__'] = metadata
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous()
        data = t.numpy().tobytes() if t.numel() > 0 else b''
        header[name] = {'dtype': DTYPE_NAMES[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(data)]}
        offset += len(data)
        chunks.append(data)
    text = json.dumps(header, separators=(',', ':')).encode('utf-8')
    text += b' ' * (-len(text) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        for c in chunks:
            f.write(c)


class TensorgradGenerator:
    """tensorgrad's `Generator` (packages/core/src/random.ts), bit for bit: sfc32 seeded through splitmix32."""

    def __init__(self, seed):
        s, hi = int(seed) & M32, (int(seed) // 4294967296) & M32

        def next_seed():
            nonlocal s
            s = (s + 0x9E3779B9) & M32
            z = s ^ hi
            z = ((z ^ (z >> 16)) * 0x85EBCA6B) & M32
            z = ((z ^ (z >> 13)) * 0xC2B2AE35) & M32
            return z ^ (z >> 16)

        self.a, self.b, self.c, self.d = next_seed(), next_seed(), next_seed(), next_seed()
        for _ in range(12):
            self.next_uint32()

    def next_uint32(self):
        t = (self.a + self.b + self.d) & M32
        self.d = (self.d + 1) & M32
        self.a = self.b ^ (self.b >> 9)
        self.b = (self.c + (self.c << 3)) & M32
        self.c = ((self.c << 21) | (self.c >> 11)) & M32
        self.c = (self.c + t) & M32
        return t

    def random(self):
        hi, lo = self.next_uint32() >> 5, self.next_uint32() >> 6
        return (hi * 67108864 + lo) / 9007199254740992

    def integer(self, low, high):
        return low + math.floor(self.random() * (high - low))


class NamesGpt(nn.Module):
    """names.ts's NamesGpt: the same layers under the same names, so state dicts load either way unchanged."""

    def __init__(self, vocab, block, layers, dim, heads):
        super().__init__()
        self.block = block
        self.tok = nn.Embedding(vocab, dim)
        self.pos = nn.Embedding(block, dim)
        self.blocks = nn.ModuleList([
            nn.TransformerEncoderLayer(dim, heads, 4 * dim, dropout=0.0, activation='gelu', batch_first=True, norm_first=True)
            for _ in range(layers)])
        self.ln = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, vocab, bias=False)
        # torch 1.13's layers take no is_causal: the causal mask is explicit (True = blocked).
        self.register_buffer('causal', torch.triu(torch.ones(block, block, dtype=torch.bool), 1), persistent=False)

    def forward(self, idx):
        t = idx.shape[1]
        x = self.tok(idx) + self.pos(torch.arange(t))
        for layer in self.blocks:
            x = layer(x, src_mask=self.causal[:t, :t])
        return self.head(self.ln(x))


def encode(names, block):
    x = torch.zeros(len(names), block, dtype=torch.long)
    y = torch.full((len(names), block), IGNORE, dtype=torch.long)
    for r, name in enumerate(names):
        tokens = [0] + [CHARS.index(ch) for ch in name] + [0]
        x[r, :len(tokens) - 1] = torch.tensor(tokens[:-1])
        y[r, :len(tokens) - 1] = torch.tensor(tokens[1:])
    return x, y


def mean_loss(model, x, y, batch=1024):
    total, count = 0.0, 0
    with torch.no_grad():
        for s in range(0, x.shape[0], batch):
            logits = model(x[s:s + batch])
            total += F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y[s:s + batch].reshape(-1), ignore_index=IGNORE, reduction='sum').item()
            count += (y[s:s + batch] != IGNORE).sum().item()
    return total / count


def make_model(config):
    return NamesGpt(config['vocab'], config['block'], config['layers'], config['dim'], config['heads'])


def optimiser(model, run, steps):
    """AdamW with decay on the matrices only, LinearLR warmup then CosineAnnealingLR, as names.ts."""
    matrices = [p for p in model.parameters() if p.dim() >= 2]
    others = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{'params': matrices, 'weight_decay': run['weightDecay']}, {'params': others, 'weight_decay': 0.0}], lr=run['lr'])
    warmup = run['warmup']
    schedule = torch.optim.lr_scheduler.SequentialLR(opt, [
        torch.optim.lr_scheduler.LinearLR(opt, start_factor=0.01, total_iters=warmup),
        torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps - warmup, eta_min=run['minLr']),
    ], milestones=[warmup])
    return opt, schedule


def train_step(model, opt, schedule, xb, yb, clip):
    """One step of names.ts's namesTrainer: zero the gradients, loss ignoring padding, backward, clip, AdamW, schedule."""
    opt.zero_grad()
    logits = model(xb)
    loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), yb.reshape(-1), ignore_index=IGNORE)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
    opt.step()
    schedule.step()
    return loss


def train(model, run, x, y, steps, batches, log_every=500):
    opt, schedule = optimiser(model, run, steps)
    losses = []
    n = x.shape[0]
    start, cpu_start = time.perf_counter(), time.process_time()
    for step in range(1, steps + 1):
        rows = torch.tensor([batches.integer(0, n) for _ in range(run['batchSize'])])
        loss = train_step(model, opt, schedule, x[rows], y[rows], run['clip'])
        losses.append(loss.item())
        if log_every and step % log_every == 0:
            print(f'  step {step}/{steps}  loss {sum(losses[-50:]) / len(losses[-50:]):.3f}  {time.perf_counter() - start:.1f} s')
    return losses, time.perf_counter() - start, time.process_time() - cpu_start


def load_run(directory):
    with open(os.path.join(directory, 'run.json')) as f:
        return json.load(f)


def cmd_check(args):
    run = load_run(args.dir)
    model = make_model(run['config'])
    state, metadata = read_safetensors(os.path.join(args.dir, 'gpt.safetensors'))
    model.load_state_dict(state)  # strict: every name must match
    model.eval()
    probe = torch.tensor(run['probe']['input'], dtype=torch.long).reshape(run['probe']['shape'])
    expected = torch.tensor(run['probe']['logits']).reshape(*run['probe']['shape'], -1)
    with torch.no_grad():
        logits = model(probe)
    diff = (logits - expected).abs().max().item()
    x, y = encode(run['split']['dev'], run['config']['block'])
    dev = mean_loss(model, x, y)
    print(f'loaded gpt.safetensors ({len(state)} tensors, metadata {metadata.get("format")}) into torch.nn modules with load_state_dict(strict=True)')
    print(f'logits on the probe input {list(probe.shape)}: largest difference from tensorgrad {diff:.2e}')
    print(f'dev loss of the loaded model: PyTorch {dev:.6f}, tensorgrad {run["tensorgrad"]["devLoss"]:.6f}')
    if diff > 1e-4 or abs(dev - run['tensorgrad']['devLoss']) > 1e-4:
        raise SystemExit('check FAILED: PyTorch does not reproduce tensorgrad\'s outputs')


def cmd_train(args):
    torch.set_num_threads(1)
    run = load_run(args.dir)
    steps = args.steps or run['steps']
    config = run['config']
    if args.torch_init is None:
        model = make_model(config)
        state, _ = read_safetensors(os.path.join(args.dir, 'init.safetensors'))
        model.load_state_dict(state)
        batches = TensorgradGenerator(run['seed'] + 1)
        origin = "tensorgrad's initial weights and batches"
    else:
        torch.manual_seed(args.torch_init)
        model = make_model(config)
        batches = TensorgradGenerator(args.torch_init + 1)
        origin = f'PyTorch\'s own initialisation (torch.manual_seed({args.torch_init})), batches from seed {args.torch_init + 1}'
    x, y = encode(run['split']['train'], config['block'])
    print(f'PyTorch {torch.__version__}, {torch.get_num_threads()} thread: the names GPT {config}, {steps} steps from {origin}')
    losses, seconds, cpu_seconds = train(model, run, x, y, steps, batches)
    train_loss = mean_loss(model, x, y)
    dev = mean_loss(model, *encode(run['split']['dev'], config['block']))
    print(f'{steps} steps in {seconds:.1f} s ({steps / seconds:.1f} steps/s; {1000 * cpu_seconds / steps:.1f} ms of CPU time per step)')
    print(f'loss per character: train {train_loss:.6f}, dev {dev:.6f}')
    if steps == run['steps']:
        tg = run['tensorgrad']
        print(f'tensorgrad (run.json): train {tg["trainLoss"]:.6f}, dev {tg["devLoss"]:.6f}, {tg["stepsPerSecond"]:.1f} steps/s, '
              f'{tg["cpuMsPerStep"]:.1f} ms of CPU time per step')
        if args.torch_init is None:
            first = max(abs(a - b) for a, b in zip(losses[:10], tg['losses'][:10]))
            print(f'first 10 step losses: largest difference from tensorgrad {first:.2e}')


def cmd_fixture(args):
    """A small GPT trained by PyTorch on names, for packages/examples/test/names-torch.test.ts: its state dict
    (names-gpt-torch.safetensors, PyTorch's names), and in names-gpt-torch-io.safetensors an input, PyTorch's logits,
    the loss on it and the gradient of that loss for every parameter (prefixed 'grad.')."""
    torch.set_num_threads(1)
    torch.manual_seed(0)
    config = {'vocab': 27, 'block': 16, 'layers': 2, 'dim': 16, 'heads': 2}
    run = {'config': config, 'lr': 3e-3, 'minLr': 3e-4, 'warmup': 10, 'weightDecay': 0.1, 'clip': 1.0, 'batchSize': 32}
    x, y = encode(load_run(args.dir)['split']['train'], config['block'])
    model = make_model(config)
    train(model, run, x, y, 100, TensorgradGenerator(1), log_every=0)
    idx, target = x[:4], y[:4]
    model.zero_grad()
    logits = model(idx)
    loss = F.cross_entropy(logits.reshape(-1, 27), target.reshape(-1), ignore_index=IGNORE)
    loss.backward()
    os.makedirs(FIXTURES, exist_ok=True)
    metadata = {'config': json.dumps(config), 'torch': torch.__version__}
    write_safetensors(os.path.join(FIXTURES, 'names-gpt-torch.safetensors'), model.state_dict(), metadata)
    io = {'input': idx.to(torch.int32), 'target': target.to(torch.int32), 'logits': logits.detach(), 'loss': loss.detach()}
    for name, p in model.named_parameters():
        io['grad.' + name] = p.grad
    write_safetensors(os.path.join(FIXTURES, 'names-gpt-torch-io.safetensors'), io, metadata)
    print(f'wrote the fixtures to {os.path.normpath(FIXTURES)}: loss after 100 PyTorch steps {mean_loss(model, x, y):.4f}, probe loss {loss.item():.4f}')


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest='command', required=True)
    for name, fn in (('check', cmd_check), ('train', cmd_train), ('fixture', cmd_fixture)):
        p = sub.add_parser(name)
        p.set_defaults(fn=fn)
        p.add_argument('--dir', default=DEFAULT_DIR, help='run directory written by names.ts')
        if name == 'train':
            p.add_argument('--steps', type=int, default=0, help='steps (default: as tensorgrad, from run.json)')
            p.add_argument('--torch-init', type=int, default=None, metavar='SEED', help="start from PyTorch's own initialisation")
    args = parser.parse_args()
    args.fn(args)


if __name__ == '__main__':
    main()
