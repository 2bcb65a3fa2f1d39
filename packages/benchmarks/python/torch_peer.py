"""PyTorch as a peer of `pnpm bench`: a long-lived process that builds one workload at a time and times batches of it.

bench.ts starts it with /usr/bin/python3 (Debian's python3-torch), OPENBLAS_NUM_THREADS=1 and without the
OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE overrides, and talks to it in JSON lines on stdin/stdout:

    <- {"ready": true, "torch": "1.13.0", "threads": 1, "blas": "Cooperlake"}   (or {"ready": false, "error": ...})
    -> {"cmd": "setup", "workload": "mlp", "params": {...}}    <- {"ok": true}
    -> {"cmd": "run", "iterations": 20, "clock": "wall"}       <- {"seconds": 0.123}   (sum over the iterations)
    -> {"cmd": "exit"}

Each workload is written the way a PyTorch user would write it (torch.nn modules, torch.optim, F.cross_entropy), with
the same sizes as the tensorgrad and TensorFlow.js versions (workloads.ts). Timing happens here, so the pipe's latency
is not counted: time.perf_counter for the wall clock, time.process_time (all threads of this process) for "cpu".
"""
import json
import math
import os
import sys
import time


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
clock = time.perf_counter


def reply(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def blas_core():
    """The OpenBLAS kernel family in use (e.g. 'Cooperlake'), or None when it cannot be read."""
    try:
        import ctypes
        import re
        with open("/proc/self/maps") as f:
            libs = sorted(set(re.findall(r"/\S*libopenblas\S*\.so\S*", f.read())))
        if not libs:
            return None
        lib = ctypes.CDLL(libs[0])
        lib.openblas_get_corename.restype = ctypes.c_char_p
        return lib.openblas_get_corename().decode()
    except Exception:  # noqa: BLE001 - informational only
        return None


def build(torch, name, p):
    """Returns run(iterations) -> seconds for workload `name` with parameters `p`."""
    nn = torch.nn
    F = torch.nn.functional

    def timed(step):
        def run(iterations):
            t0 = clock()
            for _ in range(iterations):
                step()
            return clock() - t0
        return run

    def train_step(model, optimizer, loss_of):
        def step():
            optimizer.zero_grad()
            loss = loss_of(model)
            loss.backward()
            optimizer.step()
        return step

    if name == "matmul":
        a, b = torch.randn(p["n"], p["n"]), torch.randn(p["n"], p["n"])
        return timed(lambda: a @ b)

    if name == "mlp":
        sizes = [p["inputs"], *p["hidden"], p["classes"]]
        layers = []
        for i in range(len(sizes) - 1):
            layers.append(nn.Linear(sizes[i], sizes[i + 1]))
            if i + 2 < len(sizes):
                layers.append(nn.ReLU())
        model = nn.Sequential(*layers)
        x, y = torch.randn(p["batch"], p["inputs"]), torch.randint(0, p["classes"], (p["batch"],))
        opt = torch.optim.Adam(model.parameters(), lr=p["learningRate"])
        return timed(train_step(model, opt, lambda m: F.cross_entropy(m(x), y)))

    if name == "mnist":
        model = nn.Sequential(nn.Linear(p["inputs"], p["hidden"]), nn.ReLU(), nn.Linear(p["hidden"], p["classes"]))
        images, labels = torch.rand(p["samples"], p["inputs"]), torch.randint(0, p["classes"], (p["samples"],))
        opt = torch.optim.Adam(model.parameters(), lr=p["learningRate"])
        n, batch = p["samples"], p["batch"]

        def epoch():
            # Index batches from a fresh permutation: what torch's DataLoader does, without its per-sample collate.
            order = torch.randperm(n)
            for start in range(0, n, batch):
                idx = order[start:start + batch]
                xb, yb = images[idx], labels[idx]
                train_step(model, opt, lambda m: F.cross_entropy(m(xb), yb))()
        return timed(epoch)

    if name == "charMlp":
        v, ctx, emb = p["vocab"], p["context"], p["embedding"]
        model = nn.Sequential(nn.Embedding(v, emb), nn.Flatten(), nn.Linear(ctx * emb, p["hidden"]), nn.Tanh(), nn.Linear(p["hidden"], v))
        xs, ys = torch.randint(0, v, (p["samples"], ctx)), torch.randint(0, v, (p["samples"],))
        opt = torch.optim.Adam(model.parameters(), lr=p["learningRate"])

        def step():
            ix = torch.randint(0, p["samples"], (p["batch"],))
            train_step(model, opt, lambda m: F.cross_entropy(m(xs[ix]), ys[ix]))()
        return timed(step)

    if name == "gpt":
        model = Gpt(torch, p)
        tokens = torch.randint(0, p["vocab"], (p["batch"], p["block"] + 1))
        x, y = tokens[:, :-1].contiguous(), tokens[:, 1:].contiguous()
        opt = torch.optim.AdamW(model.parameters(), lr=p["learningRate"], weight_decay=p["weightDecay"])
        return timed(train_step(model, opt, lambda m: F.cross_entropy(m(x).view(-1, p["vocab"]), y.view(-1))))

    if name == "namesGpt":
        # pnpm names' PyTorch twin (packages/examples/python/names_gpt.py): its model, optimiser and schedule.
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples", "python"))
        import names_gpt
        import random
        rng = random.Random(0)
        names = ["".join(rng.choice(names_gpt.CHARS[1:]) for _ in range(rng.randint(p["minLetters"], p["maxLetters"])))
                 for _ in range(p["pool"])]
        xs, ys = names_gpt.encode(names, p["block"])
        model = names_gpt.NamesGpt(p["vocab"], p["block"], p["layers"], p["dim"], p["heads"])
        opt, schedule = names_gpt.optimiser(model, p, p["steps"])

        def names_step():
            rows = torch.randint(0, p["pool"], (p["batch"],))
            names_gpt.train_step(model, opt, schedule, xs[rows], ys[rows], p["clip"])
        return timed(names_step)

    if name == "lstm":
        lstm, head = nn.LSTM(p["inputs"], p["hidden"]), nn.Linear(p["hidden"], 1)
        x, y = torch.randn(p["seq"], p["batch"], p["inputs"]), torch.randn(p["batch"], 1)
        opt = torch.optim.Adam([*lstm.parameters(), *head.parameters()], lr=p["learningRate"])

        def lstm_step():
            opt.zero_grad()
            _, (h, _) = lstm(x)
            F.mse_loss(head(h.squeeze(0)), y).backward()
            opt.step()
        return timed(lstm_step)

    if name == "cnn":
        (c0, c1, c2), k, (f0, f1, f2) = p["channels"], p["kernel"], p["hidden"]
        model = nn.Sequential(
            nn.Conv2d(c0, c1, k), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(c1, c2, k), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
            nn.Linear(f0, f1), nn.ReLU(), nn.Linear(f1, f2), nn.ReLU(), nn.Linear(f2, p["classes"]))
        x, y = torch.randn(p["batch"], c0, p["image"], p["image"]), torch.randint(0, p["classes"], (p["batch"],))
        opt = torch.optim.Adam(model.parameters(), lr=p["learningRate"])
        return timed(train_step(model, opt, lambda m: F.cross_entropy(m(x), y)))

    if name in ("smallOps", "deepBackward"):
        consts = p["constants"]

        def chain(x):
            y = x
            for i in range(p["length"]):
                k = i % 3
                y = y + consts["add"] if k == 0 else y * consts["mul"] if k == 1 else torch.tanh(y)
            return y.sum()
        x = torch.randn(p["size"], requires_grad=True)
        if name == "smallOps":
            def forward_backward():
                x.grad = None
                chain(x).backward()
            return timed(forward_backward)

        def backward_only(iterations):
            total = 0.0
            for _ in range(iterations):
                x.grad = None
                out = chain(x)
                t0 = clock()
                out.backward()
                total += clock() - t0
            return total
        return backward_only

    if name == "fusedElementwise":
        a, b, c = (torch.randn(p["size"]) for _ in range(3))
        return timed(lambda: torch.tanh(a * b + c))

    raise ValueError(f"unknown workload '{name}'")


def Gpt(torch, p):
    """nanoGPT's model at the workload's size; attention written out, as torch 1.13 has no scaled_dot_product_attention."""
    nn = torch.nn
    F = torch.nn.functional
    dim, heads, block = p["dim"], p["heads"], p["block"]

    class Attention(nn.Module):
        def __init__(self):
            super().__init__()
            self.qkv = nn.Linear(dim, 3 * dim)
            self.proj = nn.Linear(dim, dim)
            self.register_buffer("mask", torch.tril(torch.ones(block, block)).view(1, 1, block, block))

        def forward(self, x):
            b, t, c = x.shape
            q, k, v = self.qkv(x).split(dim, dim=2)
            q, k, v = (z.view(b, t, heads, c // heads).transpose(1, 2) for z in (q, k, v))
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(c // heads))
            att = att.masked_fill(self.mask[:, :, :t, :t] == 0, float("-inf")).softmax(dim=-1)
            return self.proj((att @ v).transpose(1, 2).contiguous().view(b, t, c))

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln1, self.attn, self.ln2 = nn.LayerNorm(dim), Attention(), nn.LayerNorm(dim)
            self.mlp = nn.Sequential(nn.Linear(dim, 4 * dim), nn.GELU(), nn.Linear(4 * dim, dim))

        def forward(self, x):
            x = x + self.attn(self.ln1(x))
            return x + self.mlp(self.ln2(x))

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.tok, self.pos = nn.Embedding(p["vocab"], dim), nn.Embedding(block, dim)
            self.blocks = nn.Sequential(*[Block() for _ in range(p["layers"])])
            self.ln, self.head = nn.LayerNorm(dim), nn.Linear(dim, p["vocab"], bias=False)

        def forward(self, idx):
            t = idx.shape[1]
            x = self.tok(idx) + self.pos(torch.arange(t))
            return self.head(self.ln(self.blocks(x)))

    return Model()


def main():
    global clock
    try:
        import torch
    except Exception as e:  # noqa: BLE001 - any import failure means "no PyTorch here"
        reply({"ready": False, "error": f"{type(e).__name__}: {e}"})
        return
    torch.set_num_threads(1)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    torch.manual_seed(0)
    reply({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads(), "blas": blas_core()})
    run = None
    for line in sys.stdin:
        msg = json.loads(line)
        try:
            if msg["cmd"] == "setup":
                run = build(torch, msg["workload"], msg["params"])
                reply({"ok": True})
            elif msg["cmd"] == "run":
                clock = CLOCKS[msg.get("clock", "wall")]
                reply({"seconds": run(int(msg["iterations"]))})
            elif msg["cmd"] == "exit":
                return
            else:
                reply({"error": f"unknown command {msg['cmd']!r}"})
        except Exception as e:  # noqa: BLE001 - reported to bench.ts, which names the workload
            reply({"error": f"{type(e).__name__}: {e}"})


if __name__ == "__main__":
    main()
