#!/usr/bin/env bash
# An ONNX model through the command-line tools: sinter-import-onnx -> .sinter, sinter-compile
# ahead of time -> shared object, sinter-run on the saved input; the result must match the
# PyTorch output that make_models.py saved (1e-5). Usage: import_compile_run.sh BIN MODELS NAME
set -euo pipefail
BIN=$1 MODELS=$2 NAME=$3
WORK=$MODELS/$NAME-tools
rm -rf "$WORK"
mkdir -p "$WORK"
"$BIN/sinter-import-onnx" "$MODELS/$NAME.onnx" -o "$WORK/$NAME.sinter"
"$BIN/sinter-compile" "$WORK/$NAME.sinter" --entry predict --emit=so -o "$WORK/$NAME.so"
"$BIN/sinter-run" "$WORK/$NAME.so" --entry predict --input "x=$MODELS/${NAME}_input.npy" \
  --save-dir "$WORK" > "$WORK/run.log"
/usr/bin/python3 - "$WORK/y.npy" "$MODELS/${NAME}_expected.npy" <<'PY'
import sys
import numpy as np
got, want = np.load(sys.argv[1]), np.load(sys.argv[2])
assert got.shape == want.shape, (got.shape, want.shape)
err = float(np.max(np.abs(got - want) - 1e-5 * np.abs(want)))
print(f"import_compile_run.sh: {sys.argv[2]}: max error beyond 1e-5 relative: {err:.2e}")
sys.exit(0 if err <= 1e-5 else 1)
PY
# An unsupported op fails with the node named, exit status 1.
if "$BIN/sinter-import-onnx" "$MODELS/unsupported.onnx" -o "$WORK/bad.sinter" 2> "$WORK/err.log"; then
  echo "import_compile_run.sh: an unsupported op was accepted" >&2
  exit 1
fi
grep -q "node 'outer_product' (Einsum)" "$WORK/err.log"
test ! -e "$WORK/bad.sinter"
