// sinter-run: load a compiled artifact and call one entry point. See RunTool.h.
#include "sinter/runtime/RunTool.h"

int main(int argc, char **argv) { return sinter::runtime::runToolMain(argc, argv); }
