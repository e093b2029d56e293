# Sourced by the deployment tests, with `compile` (sinter-compile) and `model` (a .sinter file)
# set: a program built on one entry compiled ahead of time, as a user deploys it.
# build_deployable DIR ENTRY PREFIX CLASS FLAGS SOURCE BINARY [C++ ARGUMENTS...]
# compiles ENTRY into DIR/PREFIX.o and DIR/PREFIX.h (class CLASS), passing FLAGS (words, may be
# empty) to sinter-compile, then builds SOURCE against them into BINARY; the C++ arguments
# (libraries, defines, include folders) follow the object. SINTER_DEPLOY_CXXFLAGS (set by the
# sanitizer build) adds compiler flags. Exits the test with a FAIL line on the first error.
build_deployable() {
  dir=$1 entry=$2 prefix=$3 class=$4 flags=$5 source=$6 binary=$7
  shift 7
  mkdir -p "$dir" || exit 1
  # shellcheck disable=SC2086 # the flags are words
  "$compile" "$model" --entry "$entry" --emit=obj --prefix "$prefix" $flags -o "$dir/$prefix.o" || {
    echo "FAIL: sinter-compile --emit=obj${flags:+ $flags}"; exit 1; }
  # shellcheck disable=SC2086
  "$compile" "$model" --entry "$entry" --emit=header --prefix "$prefix" --class-name "$class" \
    $flags -o "$dir/$prefix.h" || {
    echo "FAIL: sinter-compile --emit=header${flags:+ $flags}"; exit 1; }
  # shellcheck disable=SC2086
  c++ -O2 -std=c++20 ${SINTER_DEPLOY_CXXFLAGS:-} -I "$dir" -I "$src/runtime/include" "$source" \
    "$dir/$prefix.o" "$@" -o "$binary" || {
    echo "FAIL: building $binary"; exit 1; }
}
