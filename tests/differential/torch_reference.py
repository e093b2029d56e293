#!/usr/bin/env python3
"""PyTorch's side of the differential test (Differential.cpp): replays each case of a JSON-lines
file in float64 and compares every node's value, the gradient of sum(node * weights) with
respect to each input, and the gradient of the squared first-order gradients, with Sinter's
numbers in the file. Prints "FAIL <id> <what>" per disagreeing case; exit status 1 if any."""
import json
import sys

import torch

RTOL, ATOL = 1e-9, 1e-11


def build(op, a, node):
    ints, flag = node["ints"], node["flag"]
    unary = {
        "neg": torch.neg, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu,
        "square": torch.square, "abs": torch.abs,
        "exp_tanh": lambda x: torch.exp(torch.tanh(x)),
        "log1p_sq": lambda x: torch.log(torch.square(x) + 1.0),
        "sqrt1p_sq": lambda x: torch.sqrt(torch.square(x) + 1.0),
    }
    if op in unary:
        return unary[op](a[0])
    if op == "add":
        return a[0] + a[1]
    if op == "sub":
        return a[0] - a[1]
    if op == "mul":
        return a[0] * a[1]
    if op == "div":
        return a[0] / (torch.square(a[1]) + 1.0)
    if op == "maximum":
        return torch.maximum(a[0], a[1])
    if op in ("sum", "mean", "max"):
        dims = ints if ints else list(range(a[0].dim()))
        if op == "sum":
            return torch.sum(a[0], dim=dims, keepdim=flag)
        if op == "mean":
            return torch.mean(a[0], dim=dims, keepdim=flag)
        return torch.amax(a[0], dim=dims, keepdim=flag)
    if op == "reshape":
        return a[0].reshape(ints)
    if op == "transpose":
        return a[0].permute(ints)
    if op == "slice":
        axis, start, stride = ints
        index = torch.arange(start, a[0].shape[axis], stride)
        return torch.index_select(a[0], axis, index)
    if op == "gather":
        return torch.index_select(a[0], 0, torch.tensor(ints, dtype=torch.long))
    if op == "matmul":
        return a[0] @ (a[1].t() if flag else a[1])
    if op == "softmax":
        return torch.softmax(a[0], dim=-1)
    if op == "concat":
        return torch.cat([a[0], a[1]], dim=ints[0])
    raise ValueError("unknown op " + op)


def replay(case):
    values, inputs, loss = [], [], 0.0
    for node in case["nodes"]:
        shape = node["shape"]
        if node["op"] == "input":
            x = torch.tensor(node["values"], dtype=torch.float64).reshape(shape)
            x.requires_grad_(True)
            values.append(x)
            inputs.append(x)
            continue
        y = build(node["op"], [values[i] for i in node["args"]], node)
        values.append(y)
        w = torch.tensor(node["weights"], dtype=torch.float64).reshape(shape)
        loss = loss + torch.sum(y * w)

    def grads(of, create):
        gs = torch.autograd.grad(of, inputs, create_graph=create, allow_unused=True)
        return [torch.zeros_like(x) if g is None else g for x, g in zip(inputs, gs)]

    first = grads(loss, True)
    squares = sum(torch.sum(torch.square(g)) for g in first)
    second = grads(squares, False) if squares.requires_grad else [torch.zeros_like(x) for x in inputs]
    outputs = [v for v, n in zip(values, case["nodes"]) if n["op"] != "input"]
    names = [f"value of %{i}" for i, n in enumerate(case["nodes"]) if n["op"] != "input"]
    inputs_at = [i for i, n in enumerate(case["nodes"]) if n["op"] == "input"]
    names += [f"d loss / d %{i}" for i in inputs_at] + [f"second order d / d %{i}" for i in inputs_at]
    return names, outputs + first + second


def main():
    failed = 0
    cases = 0
    with open(sys.argv[1]) as f:
        for line in f:
            case = json.loads(line)
            cases += 1
            names, expected = replay(case)
            got = case["sinter"]
            problem = None
            if len(got) != len(expected):
                problem = f"{len(got)} results from Sinter, {len(expected)} from PyTorch"
            for name, e, g in zip(names, expected, got):
                if problem:
                    break
                e = e.detach().reshape(-1)
                g = torch.tensor(g, dtype=torch.float64)
                if g.numel() != e.numel():
                    problem = f"{name}: {g.numel()} numbers from Sinter, {e.numel()} from PyTorch"
                elif not torch.allclose(g, e, rtol=RTOL, atol=ATOL, equal_nan=True):
                    k = int(torch.argmax(torch.abs(g - e)))
                    problem = (f"{name}: element {k} is {g[k].item()!r} in Sinter, "
                               f"{e[k].item()!r} in PyTorch")
            if problem:
                failed += 1
                print(f"FAIL {case['id']} {problem}")
    print(f"torch_reference: {cases - failed} of {cases} cases agree")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
