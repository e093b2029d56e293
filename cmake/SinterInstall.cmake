# `cmake --install`: headers, libraries, tools, and the CMake package Sinter (find_package(Sinter)
# gives the imported targets Sinter::runtime, Sinter::frontend, Sinter::nn, ... and the function
# sinter_compile_model) plus pkg-config's sinter-runtime.pc. examples/standalone/ is a project
# that uses only what this installs; the CTest install_standalone_example builds and runs it.
include(CMakePackageConfigHelpers)

set(SINTER_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/Sinter)
set(SINTER_EXPORTED
  sinter_schema:schema sinter_runtime:runtime sinter_standalone:standalone sinter_data:data sinter_frontend:frontend
  sinter_image:image sinter_io:io sinter_nn:nn sinter_rl:rl sinter_onnx:onnx sinter_compiler:compiler)
foreach(pair IN LISTS SINTER_EXPORTED)
  string(REPLACE ":" ";" pair "${pair}")
  list(GET pair 0 target)
  list(GET pair 1 name)
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${name})
  list(APPEND SINTER_EXPORTED_TARGETS ${target})
endforeach()

install(TARGETS ${SINTER_EXPORTED_TARGETS} sinter-compile sinter-run sinter-opt sinter-import-onnx
  EXPORT SinterTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# The collectives over MPI, loaded by the runtime from its own folder when a program joins a
# distributed job (runtime/CMakeLists.txt); not part of any imported target.
if(TARGET sinter_mpi)
  install(TARGETS sinter_mpi LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
endif()
# Sinter::compiler is the library the frontend compiles graphs with (MLIR inside); it has no
# headers or interface in the package (compiler/CMakeLists.txt).

install(DIRECTORY ${PROJECT_SOURCE_DIR}/frontend/include/ ${PROJECT_SOURCE_DIR}/runtime/include/
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_BINARY_DIR}/proto/sinter DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.pb.h")

install(EXPORT SinterTargets NAMESPACE Sinter:: DESTINATION ${SINTER_CMAKE_DIR})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/SinterConfig.cmake.in
  ${PROJECT_BINARY_DIR}/SinterConfig.cmake INSTALL_DESTINATION ${SINTER_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/SinterConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/SinterConfig.cmake ${PROJECT_BINARY_DIR}/SinterConfigVersion.cmake
  ${CMAKE_CURRENT_LIST_DIR}/SinterCompileModel.cmake DESTINATION ${SINTER_CMAKE_DIR})

file(RELATIVE_PATH SINTER_PC_TO_PREFIX /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
configure_file(${CMAKE_CURRENT_LIST_DIR}/sinter-runtime.pc.in
  ${PROJECT_BINARY_DIR}/sinter-runtime.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/sinter-runtime.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
