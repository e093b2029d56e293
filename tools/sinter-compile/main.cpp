#include "sinter/CompileTool.h"

int main(int argc, char **argv) { return sinter::compileToolMain(argc, argv); }
