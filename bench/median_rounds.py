#!/usr/bin/python3
"""The median of repeated benchmark rounds: reads result lines ("NAME key=value ...", or
"key=value ..." without a name) from stdin, several rounds of the same workloads, and prints each
line once, in first-seen order, with every value the median over the rounds (an odd number of
rounds gives a value one round measured; non-numeric values are kept from the first round)."""
import sys


def main():
    order, values = [], {}
    for line in sys.stdin:
        tokens = line.split()
        if not tokens:
            continue
        name = "" if "=" in tokens[0] else tokens[0]
        pairs = [t.split("=", 1) for t in tokens if "=" in t]
        if name not in values:
            order.append(name)
            values[name] = {}
        for key, value in pairs:
            values[name].setdefault(key, []).append(value)
    for name in order:
        fields = [name] if name else []
        for key, seen in values[name].items():
            try:
                seen = sorted(seen, key=float)
                fields.append(f"{key}={seen[(len(seen) - 1) // 2]}")
            except ValueError:
                fields.append(f"{key}={seen[0]}")
        print(" ".join(fields))


if __name__ == "__main__":
    main()
