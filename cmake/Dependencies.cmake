# Every third-party library comes from a Debian 12 package (see .ci/install-deps).
find_package(CURL 7.85 REQUIRED)
find_package(yaml-cpp 0.7 REQUIRED)
find_package(CLI11 2.1 REQUIRED)
find_package(Threads REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)

# RapidJSON 1.1.0 ships no target. This one carries the project-wide macros:
# std::string support, and iterative parsing so that deeply nested hostile
# input cannot exhaust the stack.
find_path(RAPIDJSON_INCLUDE_DIR rapidjson/document.h REQUIRED)
add_library(rapidjson INTERFACE IMPORTED)
target_include_directories(rapidjson SYSTEM INTERFACE ${RAPIDJSON_INCLUDE_DIR})
target_compile_definitions(rapidjson INTERFACE
  RAPIDJSON_HAS_STDSTRING=1
  RAPIDJSON_PARSE_DEFAULT_FLAGS=kParseIterativeFlag)

if(TARGET yaml-cpp::yaml-cpp)
  set(YAML_CPP_TARGET yaml-cpp::yaml-cpp)
else()
  set(YAML_CPP_TARGET yaml-cpp)
endif()
