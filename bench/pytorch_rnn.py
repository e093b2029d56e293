#!/usr/bin/python3
"""PyTorch peer for the recurrent benchmark: the chapter-11 sentiment network's training step.

    OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 bench/pytorch_rnn.py [--seconds 2.5] [--threads 2]

Embedding(10000, 100) over [128, 80] token ids → nn.LSTM(100, 64) → last step → Linear(64, 1)
→ sigmoid, binary cross-entropy, Adam(1e-3). Prints the median over repetitions after warm-up:
    lstm_train_b128 steps_per_s=...
"""
import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_timing import parse_args, train_seconds  # noqa: E402


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(10000, 100)
        self.lstm = nn.LSTM(100, 64, batch_first=True)
        self.out = nn.Linear(64, 1)

    def forward(self, x):
        h, _ = self.lstm(self.embedding(x))
        return torch.sigmoid(self.out(h[:, -1]))


def main():
    args = parse_args(__doc__)
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = Net()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    x = torch.randint(0, 10000, (128, 80))
    y = (torch.arange(128) % 2).float().reshape(128, 1)
    per_step = train_seconds(model, nn.BCELoss(), opt, x, y, args.seconds, warmup=3)
    print(f"lstm_train_b128 steps_per_s={1.0 / per_step:.2f}")


if __name__ == "__main__":
    main()
