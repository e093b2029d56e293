#!/usr/bin/python3
"""PyTorch peer for the convolution benchmark: the book's LeNet-5 (chapter 10.4).

The same network as bench/conv_bench.cpp: Conv2d(1, 6, 3) -> MaxPool(2, 2) -> ReLU ->
Conv2d(6, 16, 3) -> MaxPool(2, 2) -> ReLU -> Flatten -> Linear 400-120 (ReLU) -> 120-84 (ReLU)
-> 84-10 logits; CrossEntropyLoss, Adam(lr 1e-3, eps 1e-7 as Keras).

Run with Debian's interpreter:
    OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 bench/pytorch_conv.py [--seconds 2.5] [--threads 2]

Prints, medians over repetitions after warm-up:
    lenet5_train_b128 steps_per_s=...
    lenet5_infer_b100 us_per_image=...
With --resnet18 instead (in a process of its own, for its peak memory): the book's ResNet-18
for 32x32 images (BasicBlocks of 64-128-256-512 filters, 3x3 stem, max pool 2x2 stride 1
"same" — padded on the bottom/right as TensorFlow — global average pooling, Dense 10),
Adam(1e-4), batch 32:
    resnet18_train_b32 steps_per_s=... peak_rss_mb=...
"""
import os
import resource
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_timing import infer_seconds, parse_args, train_seconds  # noqa: E402


def make_lenet5():
    return nn.Sequential(
        nn.Conv2d(1, 6, 3), nn.MaxPool2d(2, 2), nn.ReLU(),
        nn.Conv2d(6, 16, 3), nn.MaxPool2d(2, 2), nn.ReLU(),
        nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10),
    )


class BasicBlock(nn.Module):
    def __init__(self, cin, filters, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, filters, 3, stride, padding=1)
        self.bn1 = nn.BatchNorm2d(filters, momentum=0.01, eps=1e-3)
        self.conv2 = nn.Conv2d(filters, filters, 3, 1, padding=1)
        self.bn2 = nn.BatchNorm2d(filters, momentum=0.01, eps=1e-3)
        self.down = nn.Conv2d(cin, filters, 1, stride) if stride != 1 else None

    def forward(self, x):
        out = torch.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return torch.relu(out + (self.down(x) if self.down is not None else x))


def make_resnet18():
    layers = [nn.Conv2d(3, 64, 3), nn.BatchNorm2d(64, momentum=0.01, eps=1e-3), nn.ReLU(),
              nn.ZeroPad2d((0, 1, 0, 1)), nn.MaxPool2d(2, 1)]
    cin = 64
    for stage, filters in enumerate((64, 128, 256, 512)):
        for b in range(2):
            layers.append(BasicBlock(cin, filters, 2 if stage > 0 and b == 0 else 1))
            cin = filters
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, 10)]
    return nn.Sequential(*layers)


def resnet18(seconds):
    model = make_resnet18()
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=1e-4, eps=1e-7)
    x = torch.rand(32, 3, 32, 32)
    y = torch.arange(32) % 10

    per_step = train_seconds(model, loss_fn, opt, x, y, seconds, warmup=2, min_reps=5)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(f"resnet18_train_b32 steps_per_s={1.0 / per_step:.2f} peak_rss_mb={peak:.0f}", flush=True)


def main():
    args = parse_args(__doc__, lambda ap: ap.add_argument(
        "--resnet18", action="store_true", help="the ResNet-18 training step only"))

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    if args.resnet18:
        resnet18(args.seconds)
        return
    model = make_lenet5()
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)

    # (1) training step, batch 128 (forward, loss, backward, Adam update).
    x = torch.rand(128, 1, 28, 28)
    y = torch.arange(128) % 10

    per_step = train_seconds(model, loss_fn, opt, x, y, args.seconds)
    print(f"lenet5_train_b128 steps_per_s={1.0 / per_step:.1f}", flush=True)

    # (2) inference, batch 100.
    per_call = infer_seconds(model, torch.rand(100, 1, 28, 28), args.seconds)
    print(f"lenet5_infer_b100 us_per_image={per_call * 1e6 / 100:.2f}", flush=True)


if __name__ == "__main__":
    main()
