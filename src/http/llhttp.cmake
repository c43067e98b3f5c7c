# SPDX-License-Identifier: MIT
# llhttp, Node.js's HTTP/1.1 parser: Debian's node-llhttp ships its generated C sources in
# /usr/share/llhttp and its header in /usr/share/include/llhttp. They are compiled into
# wire_http from there (not copied into this tree), in strict mode, with warnings off: they
# are generated code that is not ours. Included from src/CMakeLists.txt, so these source
# properties belong to the directory that makes the wire_http target.
enable_language(C)

set(WIRE_LLHTTP_DIR /usr/share/llhttp CACHE PATH "llhttp's generated C sources (Debian: node-llhttp)")
find_path(WIRE_LLHTTP_INCLUDE_DIR llhttp.h
  PATHS /usr/share/include/llhttp ${WIRE_LLHTTP_DIR} /usr/include /usr/include/llhttp NO_DEFAULT_PATH)
set(WIRE_LLHTTP_SOURCES ${WIRE_LLHTTP_DIR}/llhttp.c ${WIRE_LLHTTP_DIR}/api.c ${WIRE_LLHTTP_DIR}/http.c)
foreach(file IN LISTS WIRE_LLHTTP_SOURCES)
  if(NOT EXISTS ${file})
    message(FATAL_ERROR "${file} not found: install node-llhttp (bash scripts/install-deps.sh)")
  endif()
endforeach()
if(NOT WIRE_LLHTTP_INCLUDE_DIR)
  message(FATAL_ERROR "llhttp.h not found: install node-llhttp (bash scripts/install-deps.sh)")
endif()

# The parser code assumes llhttp 8's API (callbacks such as on_header_value_complete and
# on_version_complete, llhttp_resume_after_upgrade).
file(STRINGS ${WIRE_LLHTTP_INCLUDE_DIR}/llhttp.h llhttp_major REGEX "#define LLHTTP_VERSION_MAJOR")
string(REGEX MATCH "[0-9]+" llhttp_major "${llhttp_major}")
if(llhttp_major LESS 8)
  message(FATAL_ERROR "llhttp ${llhttp_major}.x in ${WIRE_LLHTTP_INCLUDE_DIR}: wire::http needs llhttp 8 or later")
endif()

# LLHTTP_STRICT_MODE=1 selects llhttp's strict state machine (CRLF after a chunk, no
# whitespace before a colon, no data after Connection: close). No lenient flag is ever set.
set_source_files_properties(${WIRE_LLHTTP_SOURCES} PROPERTIES
  COMPILE_OPTIONS "-w"
  COMPILE_DEFINITIONS LLHTTP_STRICT_MODE=1)
