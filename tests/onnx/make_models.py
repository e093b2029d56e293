#!/usr/bin/python3
"""Writes the ONNX models of the importer's tests into OUT_DIR, each with an input and the
output PyTorch computes for it (float32 .npy): an MLP, a LeNet-style CNN, a ResNet-style block
(grouped and dilated convolutions, a residual Add), a Reshape/MatMul graph made by hand, and
two models the importer must refuse (an unsupported op; an opset older than 13)."""
import os
import sys

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper
from torch import nn

OUT = sys.argv[1]
os.makedirs(OUT, exist_ok=True)
torch.manual_seed(0)
rng = np.random.default_rng(0)


def randomize_batch_norms(model):
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 1.5)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.5, 0.5)


def export(name, model, x):
    model.eval()
    randomize_batch_norms(model)
    with torch.no_grad():
        y = model(x)
    path = f"{OUT}/{name}.onnx"
    torch.onnx.export(model, x, path, input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}}, opset_version=13)
    onnx.checker.check_model(onnx.load(path))
    np.save(f"{OUT}/{name}_input.npy", x.numpy().astype(np.float32))
    np.save(f"{OUT}/{name}_expected.npy", y.numpy().astype(np.float32))


class Residual(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(channels, channels, 3, padding=1, bias=False), nn.BatchNorm2d(channels),
            nn.ReLU(),
            nn.Conv2d(channels, channels, 3, padding=2, dilation=2, groups=2, bias=False),
            nn.BatchNorm2d(channels))

    def forward(self, x):
        return torch.relu(self.body(x) + x)


mlp = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 16), nn.Tanh(), nn.Linear(16, 3),
                    nn.Softmax(dim=1))
export("mlp", mlp, torch.randn(4, 20))

lenet = nn.Sequential(
    nn.Conv2d(1, 6, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(6, 16, 3), nn.BatchNorm2d(16), nn.ReLU(), nn.AvgPool2d(2),
    nn.Flatten(), nn.Linear(16 * 6 * 6, 32), nn.ReLU(), nn.Linear(32, 10))
export("lenet", lenet, torch.randn(3, 1, 28, 28))

resnet = nn.Sequential(
    nn.Conv2d(3, 8, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU(),
    Residual(8), nn.MaxPool2d(3, stride=2, padding=1), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
    nn.Linear(8, 5))
export("resnet", resnet, torch.randn(2, 3, 16, 16))

# By hand: y = softmax(reshape(x, [-1, 6]) @ W + b), x [batch, 2, 3].
w = rng.standard_normal((6, 4)).astype(np.float32)
b = rng.standard_normal(4).astype(np.float32)
nodes = [
    helper.make_node("Reshape", ["x", "shape"], ["flat"], name="flatten_by_reshape"),
    helper.make_node("MatMul", ["flat", "W"], ["mm"], name="project"),
    helper.make_node("Add", ["mm", "b"], ["logits"], name="bias"),
    helper.make_node("Softmax", ["logits"], ["y"], name="probabilities", axis=-1),
]
graph = helper.make_graph(
    nodes, "reshape_matmul",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 2, 3])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 4])],
    [numpy_helper.from_array(np.array([-1, 6], dtype=np.int64), "shape"),
     numpy_helper.from_array(w, "W"), numpy_helper.from_array(b, "b")])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
onnx.checker.check_model(model)
onnx.save(model, f"{OUT}/reshape.onnx")
x = rng.standard_normal((5, 2, 3)).astype(np.float32)
logits = x.reshape(5, 6) @ w + b
e = np.exp(logits - logits.max(axis=1, keepdims=True))
np.save(f"{OUT}/reshape_input.npy", x)
np.save(f"{OUT}/reshape_expected.npy", (e / e.sum(axis=1, keepdims=True)).astype(np.float32))

# Refused: an op the importer does not have, and an opset before 13.
graph = helper.make_graph(
    [helper.make_node("Einsum", ["x", "x"], ["y"], name="outer_product", equation="i,j->ij")],
    "unsupported", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [3])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [3, 3])])
onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]),
          f"{OUT}/unsupported.onnx")
graph = helper.make_graph(
    [helper.make_node("Relu", ["x"], ["y"], name="relu")], "old",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [3])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [3])])
onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 9)]), f"{OUT}/old.onnx")
print(f"make_models.py: models written to {OUT}")
