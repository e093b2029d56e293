#!/usr/bin/python3
"""Writes the benchmark MLP (784-256-128-10, ReLU; PyTorch's default initialisation, seed 0) as
an ONNX model with a symbolic batch dimension, for the ONNX Runtime comparison of bench/run.sh:
Sinter (through sinter-import-onnx's importer) and ONNX Runtime run the same file.
Usage: export_mlp_onnx.py OUT.onnx"""
import sys

import torch
from torch import nn

torch.manual_seed(0)
mlp = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                    nn.Linear(128, 10)).eval()
torch.onnx.export(mlp, torch.randn(1, 784), sys.argv[1], input_names=["x"], output_names=["y"],
                  dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}}, opset_version=13)
