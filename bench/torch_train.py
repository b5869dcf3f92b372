"""PyTorch CPU reference for bench/wasm-train.ts: batch 64, Adam, synthetic data, one of two nets:
`--net platform` (default) the platform net (docs/architecture.md#the-benchmark-net), `--net small48` the workshop
preset's model (the registry's `small` at 48x48x1, 8 classes, dropout 0.25).

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


def build_small48(classes: int = 8, dropout: float = 0.25, width: float = 1.0) -> nn.Module:
    """src/core/models/small.ts at 48x48x1, layer for layer (683,880 trainable parameters, as tfjs counts):
    three stages of conv 3x3 'same' without bias (BatchNorm's beta does that job) -> BatchNorm -> ReLU ->
    2x2/2 max-pool (tfjs's ceil-mode pool is 'same', which at 48, 24, 12 equals plain 2x2), 32, 64, 128
    filters: 48 -> 24 -> 12 -> 6; flatten 6*6*128; dense 128 + ReLU (`embedding`); dropout 0.25 after it;
    dense `logits`. BatchNorm: tfjs momentum 0.9 (moving = 0.9 * moving + 0.1 * batch) is PyTorch's 0.1;
    epsilon 1e-3. Differences that cost nothing measurable: flatten order (NHWC there, NCHW here), PyTorch's
    unbiased running variance, default initialisers."""
    layers: list[nn.Module] = []
    cin = 1
    for filters in (round(32 * width), round(64 * width), round(128 * width)):
        layers += [
            nn.Conv2d(cin, filters, 3, padding=1, bias=False),
            nn.BatchNorm2d(filters, eps=1e-3, momentum=0.1),
            nn.ReLU(),
            nn.MaxPool2d(2),
        ]
        cin = filters
    top, dense = round(128 * width), round(128 * width)
    layers += [nn.Flatten(), nn.Linear(6 * 6 * top, dense), nn.ReLU(), nn.Dropout(dropout), nn.Linear(dense, classes)]
    return nn.Sequential(*layers)


def build_demo48() -> nn.Module:
    """The demo presets' model: `small` at width 0.25 (8, 16, 32 filters, dense 32), no dropout."""
    return build_small48(dropout=0.0, width=0.25)


def build_resnet50() -> nn.Module:
    """torchvision's ResNet-50 at 224x224x3, 8 classes (needs torchvision)."""
    import torchvision  # only for this net
    return torchvision.models.resnet50(num_classes=8)


NETS = {
    # name: (builder, input shape C,H,W, classes)
    "platform": (build_net, (1, 28, 28), 10),
    "small48": (build_small48, (1, 48, 48), 8),
    "demo48": (build_demo48, (1, 48, 48), 8),
    "resnet50": (build_resnet50, (3, 224, 224), 8),
}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--steps", type=int, default=60)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--net", choices=sorted(NETS), default="platform")
    p.add_argument("--device", default="cpu", help="cpu or cuda (the GPU bench: npm run bench -- --only gpu --device)")
    a = p.parse_args()
    dev = torch.device(a.device)
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    builder, shape, classes = NETS[a.net]
    net = builder().to(dev)
    net.train()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    # A few distinct batches, cycled, as the tfjs side does.
    xs = [torch.rand(a.batch, *shape, device=dev) for _ in range(4)]
    ys = [torch.randint(0, classes, (a.batch,), device=dev) for _ in range(4)]

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
        "net": a.net,
        "device": a.device,
        "params": sum(q.numel() for q in net.parameters() if q.requires_grad),
        "threads": torch.get_num_threads(),
        "steps": a.steps,
        "img_per_s": a.batch * a.steps / total,
        "img_per_cpu_s": a.batch * a.steps / cpu,
        "median_ms": 1000 * times[len(times) // 2],
    }))


if __name__ == "__main__":
    main()
