#!/usr/bin/python3
"""PyTorch peer for ch11_sentiment's accuracy: the same network on the same split.

    build/bin/ch11_sentiment --cell lstm --layers --export /tmp/split   # writes the .npy files
    /usr/bin/python3 bench/pytorch_sentiment.py --cell lstm --data /tmp/split [--epochs 20]

Embedding(num_words, 100) → two recurrent layers of 64 units (nn.RNN with tanh, nn.LSTM or
nn.GRU) with dropout 0.5 on each layer's input → Linear(64, 1) → sigmoid; Adam(1e-3), binary
cross-entropy, batches of 128 shuffled each epoch. Keras' cell dropout keeps one mask per
sequence; nn.Dropout here draws one per element and step. Prints
    cell=... epochs=N train_accuracy=... test_accuracy=...
"""
import argparse
import os

import numpy as np
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, cell, num_words):
        super().__init__()
        rnn = {"simple": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[cell]
        self.embedding = nn.Embedding(num_words, 100)
        self.rnn0 = rnn(100, 64, batch_first=True)
        self.rnn1 = rnn(64, 64, batch_first=True)
        self.dropout = nn.Dropout(0.5)
        self.out = nn.Linear(64, 1)

    def forward(self, x):
        h, _ = self.rnn0(self.dropout(self.embedding(x)))
        h, _ = self.rnn1(self.dropout(h))
        return torch.sigmoid(self.out(h[:, -1]))


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        return float(((model(x) > 0.5).float() == y).float().mean())


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cell", choices=["simple", "lstm", "gru"], default="lstm")
    ap.add_argument("--data", required=True, help="folder of ch11_sentiment --export")
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    load = lambda name: np.load(os.path.join(args.data, name + ".npy"))  # noqa: E731
    x_train, y_train = torch.from_numpy(load("x_train")).long(), torch.from_numpy(load("y_train"))
    x_test, y_test = torch.from_numpy(load("x_test")).long(), torch.from_numpy(load("y_test"))
    num_words = int(max(x_train.max(), x_test.max())) + 1
    model = Net(args.cell, num_words)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = nn.BCELoss()
    for _ in range(args.epochs):
        model.train()
        order = torch.randperm(len(x_train))
        for start in range(0, len(x_train), 128):
            idx = order[start:start + 128]
            opt.zero_grad()
            loss_fn(model(x_train[idx]), y_train[idx]).backward()
            opt.step()
    print(f"cell={args.cell} epochs={args.epochs} "
          f"train_accuracy={accuracy(model, x_train, y_train):.4f} "
          f"test_accuracy={accuracy(model, x_test, y_test):.4f}")


if __name__ == "__main__":
    main()
