# libFuzzer targets (clang only). Used by fuzz/CMakeLists.txt, a project of
# its own that instruments connector_core for coverage; the main build
# never includes this file.
set(CONNECTOR_FUZZ_FLAGS
  -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
  -fno-sanitize-recover=undefined
  -fsanitize-ignorelist=${CMAKE_CURRENT_LIST_DIR}/../fuzz/ubsan_ignorelist.txt)

# Instruments an existing library target so the fuzzer sees its branches.
function(connector_instrument_for_fuzzing target)
  target_compile_options(${target} PRIVATE ${CONNECTOR_FUZZ_FLAGS})
endfunction()

# Adds a libFuzzer executable `name` from `source`, linked with
# connector_core; binaries go to <build>/fuzzers.
function(connector_add_fuzzer name source)
  add_executable(${name} ${source})
  target_link_libraries(${name} PRIVATE connector_core)
  target_compile_options(${name} PRIVATE ${CONNECTOR_FUZZ_FLAGS})
  target_link_options(${name} PRIVATE
    -fsanitize=fuzzer,address,undefined)
  target_compile_features(${name} PRIVATE cxx_std_17)
  set_target_properties(${name} PROPERTIES CXX_EXTENSIONS OFF
    RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/fuzzers)
endfunction()
