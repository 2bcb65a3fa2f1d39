"""PyTorch twin of `pnpm mnist-cnn`: the same LeNet-style CNN, initialisation rule, optimiser, schedule, batch size and
augmentation, trained on exactly the same 8,000 / 2,000 split of the `mnist` package's digits, on one CPU thread.

    pnpm run build && /usr/bin/python3 packages/examples/python/mnist_cnn.py [--epochs 10] [--runs 2]

The split comes from Node (`node packages/examples/dist/mnist-cnn.js --export-split DIR` writes the tensors the
TypeScript example trains on), so the two programs see the same images in the same train/test roles. Only the random
streams differ (initial weights, batch order, shifts): PyTorch's generator is not ours.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

# One thread everywhere, and OpenBLAS left to detect the CPU itself. These must be set before numpy or torch load, so the
# script re-executes itself once with the cleaned environment.
if os.environ.get("TENSORGRAD_TWIN_ENV") != "1":
    env = dict(os.environ, TENSORGRAD_TWIN_ENV="1", OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    for key in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        env.pop(key, None)
    os.execve(sys.executable, [sys.executable] + sys.argv, env)

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.dirname(HERE)


def lenet() -> nn.Sequential:
    """The model of packages/examples/src/mnist-cnn.ts (and of the benchmarks' CNN row)."""
    return nn.Sequential(
        nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(256, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10),
    )


def load_split():
    """The tensors `runMnistCnn` trains and tests on (its default split: seed 0, a fifth held out), written by Node."""
    script = os.path.join(EXAMPLES, "dist", "mnist-cnn.js")
    if not os.path.exists(script):
        sys.exit(f"mnist_cnn.py: {script} is missing; run `pnpm run build` first")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["node", script, "--export-split", tmp], check=True)
        read = lambda name, dtype: np.fromfile(os.path.join(tmp, name), dtype=dtype)  # noqa: E731
        x_train = torch.from_numpy(read("train-images.f32", "<f4").reshape(-1, 1, 28, 28).copy())
        y_train = torch.from_numpy(read("train-labels.i32", "<i4").astype(np.int64))
        x_test = torch.from_numpy(read("test-images.f32", "<f4").reshape(-1, 1, 28, 28).copy())
        y_test = torch.from_numpy(read("test-labels.i32", "<i4").astype(np.int64))
    return x_train, y_train, x_test, y_test


def random_shift(batch: torch.Tensor, max_shift: int, rng: np.random.Generator) -> torch.Tensor:
    """`randomShift` of mnist.ts: out[r, c] = image[r - dy, c - dx] with dx, dy drawn per image from [-max_shift, max_shift],
    background (0) where that falls outside the image. One gather from a zero-padded copy, no Python loop per image."""
    if max_shift == 0:
        return batch
    n, s = batch.shape[0], max_shift
    dx = torch.from_numpy(rng.integers(-s, s + 1, size=n))
    dy = torch.from_numpy(rng.integers(-s, s + 1, size=n))
    padded = nn.functional.pad(batch[:, 0], (s, s, s, s))
    r = torch.arange(28)
    rows = (r[None, :] - dy[:, None] + s)[:, :, None]
    cols = (r[None, :] - dx[:, None] + s)[:, None, :]
    return padded[torch.arange(n)[:, None, None], rows, cols][:, None]


@torch.no_grad()
def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch_size: int = 500) -> float:
    model.eval()
    correct = sum(int((model(x[i:i + batch_size]).argmax(1) == y[i:i + batch_size]).sum()) for i in range(0, len(x), batch_size))
    model.train()
    return correct / len(x)


def run(data, epochs: int, batch_size: int, lr: float, max_shift: int, seed: int):
    x_train, y_train, x_test, y_test = data
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = lenet()
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)
    loss_fn = nn.CrossEntropyLoss()
    epoch_s = []
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        order = torch.randperm(len(x_train))
        total = 0.0
        for i in range(0, len(x_train), batch_size):
            idx = order[i:i + batch_size]
            xb, yb = random_shift(x_train[idx], max_shift, rng), y_train[idx]
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        schedule.step()
        epoch_s.append(time.perf_counter() - start)
        print(f"epoch {epoch:2d}  loss {total / len(x_train):.4f}  test accuracy {100 * evaluate(model, x_test, y_test):.2f}%  "
              f"time {epoch_s[-1]:.2f} s", flush=True)
    test_acc, train_acc = evaluate(model, x_test, y_test), evaluate(model, x_train, y_train)
    mean = sum(epoch_s) / len(epoch_s)
    print(f"Summary: test accuracy {100 * test_acc:.2f}% on {len(x_test)} held-out digits (train {100 * train_acc:.2f}%), "
          f"{mean:.2f} s per epoch on average, {sum(epoch_s):.2f} s in all", flush=True)
    return test_acc, mean


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--max-shift", type=int, default=2)
    p.add_argument("--seed", type=int, default=0, help="seed of the weights, batch order and shifts (the split is fixed)")
    p.add_argument("--runs", type=int, default=1, help="train this many times (seeds seed, seed+1, …) on the same split")
    a = p.parse_args()
    torch.set_num_threads(1)
    print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} thread; OpenBLAS env: "
          f"{ {k: v for k, v in os.environ.items() if k.startswith('OPENBLAS')} }", flush=True)
    data = load_split()
    print(f"MNIST: {len(data[0])} digits for training, {len(data[2])} for testing (the split of `pnpm mnist-cnn`)", flush=True)
    print(lenet(), flush=True)
    for r in range(a.runs):
        run(data, a.epochs, a.batch_size, a.lr, a.max_shift, a.seed + r)


if __name__ == "__main__":
    main()
