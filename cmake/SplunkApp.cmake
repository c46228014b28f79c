# The Splunk app: `cmake --build build --target splunk-app` writes
# build/dist/TA-trustar-<version>.spl (see cmake/BuildSplunkApp.cmake).

# The app's executable is the connector under the scheme's name. splunkd
# puts Splunk's own lib folder on LD_LIBRARY_PATH, whose libcurl, OpenSSL
# or libstdc++ could shadow ours: the app carries every library it needs
# except glibc in linux_x86_64/lib, found through DT_RPATH, which the
# loader searches before LD_LIBRARY_PATH (DT_RUNPATH comes after it).
add_executable(trustar_indicators EXCLUDE_FROM_ALL connector/main.cpp)
target_link_libraries(trustar_indicators PRIVATE connector_core CLI11::CLI11)
connector_set_warnings(trustar_indicators)
target_link_options(trustar_indicators PRIVATE "LINKER:--disable-new-dtags")
set_target_properties(trustar_indicators PROPERTIES
  BUILD_RPATH "\$ORIGIN/../lib"
  RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/splunk-app/build)

set(CONNECTOR_SPLUNK_SPL
  ${PROJECT_BINARY_DIR}/dist/TA-trustar-${PROJECT_VERSION}.spl)
add_custom_target(splunk-app
  COMMAND ${CMAKE_COMMAND}
          -DSOURCE_DIR=${PROJECT_SOURCE_DIR}/packaging/splunk_app
          -DSTAGE_DIR=${PROJECT_BINARY_DIR}/splunk-app/stage
          -DBINARY=$<TARGET_FILE:trustar_indicators>
          -DVERSION=${PROJECT_VERSION}
          -DOUTPUT=${CONNECTOR_SPLUNK_SPL}
          -DSTRIP=${CMAKE_STRIP}
          -P ${PROJECT_SOURCE_DIR}/cmake/BuildSplunkApp.cmake
  COMMENT "Packaging ${CONNECTOR_SPLUNK_SPL}"
  VERBATIM)
add_dependencies(splunk-app trustar_indicators)
