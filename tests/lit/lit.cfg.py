# lit configuration of Sinter's pass tests: each test is an .mlir file whose RUN lines pipe
# sinter-opt into FileCheck (or use -verify-diagnostics).
import os

import lit.formats

config.name = "Sinter"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir"]
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py", "lit.site.cfg.py.in"]

if not hasattr(config, "sinter_tools_dir"):
    lit_config.fatal("run lit on the build directory (build/tests/lit), where lit.site.cfg.py is")

config.test_source_root = config.sinter_src_dir
config.test_exec_root = config.sinter_obj_dir

sinter_opt = os.path.join(config.sinter_tools_dir, "sinter-opt")
if not os.path.exists(sinter_opt):
    lit_config.fatal("sinter-opt not built: " + sinter_opt + " (run `ninja sinter-opt`)")

# RUN lines name the tools plainly (sinter-opt, FileCheck, not): put this build's bin dir and
# LLVM's tool dir first on PATH.
path = [config.sinter_tools_dir]
for tool in (config.filecheck_path, config.not_path):
    if tool and os.path.dirname(tool) not in path:
        path.append(os.path.dirname(tool))
config.environment["PATH"] = os.pathsep.join(path + [os.environ.get("PATH", "")])
if os.path.basename(config.filecheck_path) != "FileCheck":
    config.substitutions.append((r"\bFileCheck\b", config.filecheck_path))

# Keep the environment predictable: no user MLIR flags leak into the tests.
config.environment["LC_ALL"] = "C"
