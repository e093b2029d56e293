#!/usr/bin/env bash
# install-deps.sh [--bench] [--fuzz] — installs Sinter's build/test dependencies from Debian 12
# packages.
# Idempotent: checks with dpkg-query first and only runs apt-get (update + install) when
# something is missing, so a second run takes well under 2 s.
#   --bench   also installs libopenblas0 for the PyTorch peer of bench/.
#   --fuzz    also installs clang-22, libFuzzer and the sanitizer runtimes (scripts/fuzz.sh).
# python3-torch is a test dependency: the differential test compares Sinter with PyTorch.
# lit and FileCheck-22 come with llvm-22-tools (/usr/lib/llvm-22/bin/lit, /usr/bin/FileCheck-22).
set -euo pipefail

PACKAGES=(
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools
  libdnnl-dev ocl-icd-opencl-dev
  protobuf-compiler libprotobuf-dev libonnx-dev libcli11-dev nlohmann-json3-dev
  openmpi-bin libopenmpi-dev
  catch2 cmake ninja-build build-essential pkgconf zlib1g-dev libpng-dev libjpeg-dev libgif-dev
  clang-format-22
  dataset-fashion-mnist python3-vega-datasets
  python3-torch python3-onnx
)
BENCH_PACKAGES=(libopenblas0)
# scripts/fuzz.sh: clang with libFuzzer and the sanitizer runtimes; clang's omp.h (the code
# still runs on GNU OpenMP, as oneDNN does).
FUZZ_PACKAGES=(clang-22 libfuzzer-22-dev libclang-rt-22-dev libomp-22-dev)

for arg in "$@"; do
  case "$arg" in
    --bench) PACKAGES+=("${BENCH_PACKAGES[@]}") ;;
    --fuzz) PACKAGES+=("${FUZZ_PACKAGES[@]}") ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "install-deps.sh: unknown option '$arg' (use --bench, --fuzz or nothing)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
  [[ "$status" == ii* ]] || missing+=("$p")
done

if [[ ${#missing[@]} -gt 0 ]]; then
  echo "install-deps.sh: installing ${missing[*]}"
  SUDO=()
  if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
      SUDO=(sudo)
    else
      echo "install-deps.sh: not root and no sudo; as root run: apt-get install ${missing[*]}" >&2
      exit 1
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# The LIT/FileCheck tools the lit tests need (both from llvm-22-tools).
for tool in /usr/lib/llvm-22/bin/lit /usr/lib/llvm-22/bin/FileCheck /usr/lib/llvm-22/bin/mlir-opt; do
  if [[ ! -x "$tool" ]]; then
    echo "install-deps.sh: $tool missing after installing packages" >&2
    exit 1
  fi
done
[[ -d /usr/share/datasets/fashion-mnist ]] || {
  echo "install-deps.sh: /usr/share/datasets/fashion-mnist missing (dataset-fashion-mnist)" >&2
  exit 1
}
