# Stages the TA-trustar app and packs it into OUTPUT (a gzip tar holding the
# single folder TA-trustar). Run by the splunk-app target:
#   cmake -DSOURCE_DIR=packaging/splunk_app -DSTAGE_DIR=... -DBINARY=...
#         -DVERSION=... -DOUTPUT=....spl [-DSTRIP=strip] -P BuildSplunkApp.cmake
cmake_minimum_required(VERSION 3.21)

foreach(required SOURCE_DIR STAGE_DIR BINARY VERSION OUTPUT)
  if(NOT DEFINED ${required})
    message(FATAL_ERROR "BuildSplunkApp.cmake needs -D${required}=...")
  endif()
endforeach()

set(app ${STAGE_DIR}/TA-trustar)
set(arch_dir ${app}/linux_x86_64)

# glibc's own libraries come from the host like the kernel does; every
# other library travels with the app. These are the files of Debian's
# libc6 package that a program links against.
string(CONCAT glibc_regex
  "/(ld-linux-x86-64|libc|libm|libmvec|libpthread|libdl|librt|libresolv"
  "|libanl|libutil|libBrokenLocale)\\.so[^/]*$")

# 1. The static part of the app: confs, views, metadata.
file(REMOVE_RECURSE ${STAGE_DIR})
file(MAKE_DIRECTORY ${STAGE_DIR})
file(COPY ${SOURCE_DIR}/TA-trustar DESTINATION ${STAGE_DIR})
file(MAKE_DIRECTORY ${arch_dir}/bin ${arch_dir}/lib ${app}/README)

# 2. The binary under the scheme's name, without debug sections.
set(binary ${arch_dir}/bin/trustar_indicators)
file(COPY_FILE ${BINARY} ${binary})
if(STRIP)
  execute_process(COMMAND ${STRIP} --strip-unneeded ${binary}
                  COMMAND_ERROR_IS_FATAL ANY)
endif()

# 3. inputs.conf.spec from the binary itself, so it matches the scheme.
execute_process(COMMAND ${BINARY} --splunk-spec
                OUTPUT_FILE ${app}/README/inputs.conf.spec
                COMMAND_ERROR_IS_FATAL ANY)

# 4. The libraries the binary needs, found as the loader would, under the
#    names it asks for (their SONAMEs).
file(GET_RUNTIME_DEPENDENCIES
  EXECUTABLES ${binary}
  RESOLVED_DEPENDENCIES_VAR libraries
  UNRESOLVED_DEPENDENCIES_VAR unresolved
  POST_EXCLUDE_REGEXES "${glibc_regex}")
if(unresolved)
  message(FATAL_ERROR "Unresolved libraries: ${unresolved}")
endif()
list(SORT libraries)

# Each library's Debian package and version, for the declaration.
function(debian_origin path out_var)
  get_filename_component(real ${path} REALPATH)
  string(REGEX REPLACE "^/usr" "" without_usr ${path})
  set(origin "")
  foreach(candidate ${path} ${real} ${without_usr} /usr${without_usr})
    execute_process(COMMAND dpkg-query -S ${candidate}
                    OUTPUT_VARIABLE owner ERROR_QUIET
                    RESULT_VARIABLE status OUTPUT_STRIP_TRAILING_WHITESPACE)
    if(status EQUAL 0)
      string(REGEX REPLACE ":.*$" "" package "${owner}")
      execute_process(
        COMMAND dpkg-query -W "-f=\${Version} \${source:Package}" ${package}
        OUTPUT_VARIABLE details ERROR_QUIET)
      string(REPLACE " " ";" details "${details}")
      list(GET details 0 version)
      list(GET details 1 source)
      string(CONCAT origin
        "Debian 12 package `${package}` ${version}; source: Debian's\n"
        "  `${source}` source package (`apt-get source ${source}`)")
      break()
    endif()
  endforeach()
  if(origin STREQUAL "")
    set(origin "not from a Debian package (${real})")
  endif()
  set(${out_var} "${origin}" PARENT_SCOPE)
endfunction()

string(CONCAT declaration
  "- `linux_x86_64/bin/trustar_indicators`: the modular input (the\n"
  "  trustar-connector program, C++17, Apache-2.0, version ${VERSION}).\n"
  "  Source: the trustar-connector project's `connector/` folder at the\n"
  "  same version; `cmake --build build --target splunk-app` builds this\n"
  "  app from it.\n")
set(shipped ${binary})
foreach(library ${libraries})
  get_filename_component(name ${library} NAME)
  get_filename_component(real ${library} REALPATH)
  file(COPY_FILE ${real} ${arch_dir}/lib/${name})
  list(APPEND shipped ${arch_dir}/lib/${name})
  debian_origin(${library} origin)
  string(APPEND declaration
    "- `linux_x86_64/lib/${name}`: shared library loaded by\n"
    "  trustar_indicators.\n  ${origin}.\n")
endforeach()

# 5. The oldest glibc the shipped files can run on: the newest GLIBC_
#    symbol version any of them asks for.
set(glibc "2.0")
foreach(file ${shipped})
  execute_process(COMMAND readelf --version-info --wide ${file}
                  OUTPUT_VARIABLE versions COMMAND_ERROR_IS_FATAL ANY)
  string(REGEX MATCHALL "Name: GLIBC_[0-9.]+" needs "${versions}")
  foreach(need ${needs})
    string(REGEX REPLACE "Name: GLIBC_" "" need ${need})
    if(need VERSION_GREATER glibc)
      set(glibc ${need})
    endif()
  endforeach()
endforeach()

# 6. Files generated from templates.
set(GLIBC_VERSION ${glibc})
set(BINARY_DECLARATION "${declaration}")
configure_file(${SOURCE_DIR}/templates/app.conf.in ${app}/default/app.conf
               @ONLY)
configure_file(${SOURCE_DIR}/templates/README.md.in ${app}/README.md @ONLY)

# 7. Modes as AppInspect wants them: only what runs in bin/ is executable.
file(CHMOD_RECURSE ${app}
  FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
  DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE
                        GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
file(CHMOD ${binary}
  PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE
              GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)

# 8. Nothing hidden, no local/ settings.
file(GLOB_RECURSE everything LIST_DIRECTORIES true ${app}/*)
set(hidden ${everything})
list(FILTER hidden INCLUDE REGEX "/\\.[^/]*$")
if(hidden OR EXISTS ${app}/local OR EXISTS ${app}/metadata/local.meta)
  message(FATAL_ERROR "The app must not ship hidden files or local/: "
                      "${hidden}")
endif()

# 9. The archive: one top folder, numeric root ownership, sorted entries.
get_filename_component(output_dir ${OUTPUT} DIRECTORY)
file(MAKE_DIRECTORY ${output_dir})
execute_process(
  COMMAND tar --sort=name --owner=0 --group=0 --numeric-owner
          -czf ${OUTPUT} -C ${STAGE_DIR} TA-trustar
  COMMAND_ERROR_IS_FATAL ANY)
file(SIZE ${OUTPUT} size)
message(STATUS "Wrote ${OUTPUT} (${size} bytes, glibc ${glibc} or newer)")
