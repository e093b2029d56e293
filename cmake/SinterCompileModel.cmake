# sinter_compile_model(<target> MODEL <file.sinter> [ENTRY <name>] [PREFIX <symbol prefix>]
#                      [CLASS_NAME <C++ class>] [STANDALONE])
#
# Compiles one entry point (default: predict) of a saved model ahead of time with
# sinter-compile: the object (--emit=obj) becomes the static library <target>, and the typed
# class of the generated header (--emit=header) is included as "<target>.h". A program that
# links <target> needs only Sinter::runtime at run time — no compiler, MLIR or LLVM.
# STANDALONE compiles with --standalone (every op as generated code) and links
# Sinter::standalone instead: the program then needs only the C and C++ standard libraries.
function(sinter_compile_model target)
  cmake_parse_arguments(ARG "STANDALONE" "MODEL;ENTRY;PREFIX;CLASS_NAME" "" ${ARGN})
  if(NOT ARG_MODEL)
    message(FATAL_ERROR "sinter_compile_model(${target}): MODEL <file.sinter> is required")
  endif()
  if(NOT ARG_ENTRY)
    set(ARG_ENTRY predict)
  endif()
  if(NOT ARG_PREFIX)
    string(MAKE_C_IDENTIFIER "${target}" ARG_PREFIX)
  endif()
  if(NOT ARG_CLASS_NAME)
    set(ARG_CLASS_NAME Model)
  endif()
  get_filename_component(model "${ARG_MODEL}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  set(dir "${CMAKE_CURRENT_BINARY_DIR}/${target}")
  set(object "${dir}/${target}.o")
  set(header "${dir}/${target}.h")
  set(mode "")
  set(library Sinter::runtime)
  if(ARG_STANDALONE)
    set(mode --standalone)
    set(library Sinter::standalone)
  endif()
  add_custom_command(
    OUTPUT "${object}" "${header}"
    COMMAND ${CMAKE_COMMAND} -E make_directory "${dir}"
    COMMAND Sinter::sinter-compile "${model}" --entry ${ARG_ENTRY} --emit=obj ${mode}
            --prefix ${ARG_PREFIX} -o "${object}"
    COMMAND Sinter::sinter-compile "${model}" --entry ${ARG_ENTRY} --emit=header ${mode}
            --prefix ${ARG_PREFIX} --class-name ${ARG_CLASS_NAME} -o "${header}"
    DEPENDS "${model}"
    COMMENT "sinter-compile ${ARG_MODEL} --entry ${ARG_ENTRY} -> ${target}"
    VERBATIM)
  set_source_files_properties("${object}" PROPERTIES EXTERNAL_OBJECT TRUE GENERATED TRUE)
  add_library(${target} STATIC "${object}" "${header}")
  set_target_properties(${target} PROPERTIES LINKER_LANGUAGE CXX)
  target_include_directories(${target} PUBLIC "${dir}")
  target_link_libraries(${target} PUBLIC ${library})
endfunction()
