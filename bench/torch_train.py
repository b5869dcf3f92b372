"""PyTorch CPU reference for bench/wasm-train.ts: the PLATFORM.md net, batch 64, Adam, synthetic data.

Run with Debian's interpreter (/usr/bin/python3, python3-torch). Prints one JSON line.
"""
import argparse
import json
import time

import torch
from torch import nn


def build_net() -> nn.Module:
    # Same layers as bench/wasm-train.ts: NCHW here, NHWC there; same parameter count.
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(7 * 7 * 64, 128), nn.ReLU(), nn.Linear(128, 10),
    )


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--steps", type=int, default=60)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--batch", type=int, default=64)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    net = build_net()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    # A few distinct batches, cycled, as the tfjs side does.
    xs = [torch.rand(a.batch, 1, 28, 28) for _ in range(4)]
    ys = [torch.randint(0, 10, (a.batch,)) for _ in range(4)]

    def step(i: int) -> float:
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(net(xs[i % 4]), ys[i % 4])
        loss.backward()
        opt.step()
        return loss.item()  # a sync point per step, like `await loss.data()` in tfjs

    for i in range(a.warmup):
        step(i)
    times = []
    cpu0 = time.process_time()  # all threads of this process
    for i in range(a.steps):
        t0 = time.perf_counter()
        step(i)
        times.append(time.perf_counter() - t0)
    cpu = time.process_time() - cpu0
    total = sum(times)
    times.sort()
    print(json.dumps({
        "backend": f"torch {torch.__version__}",
        "threads": torch.get_num_threads(),
        "steps": a.steps,
        "img_per_s": a.batch * a.steps / total,
        "img_per_cpu_s": a.batch * a.steps / cpu,
        "median_ms": 1000 * times[len(times) // 2],
    }))


if __name__ == "__main__":
    main()
