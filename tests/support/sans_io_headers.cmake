# SPDX-License-Identifier: MIT
# Checks that each header in HEADERS compiles on its own and includes nothing from the I/O
# layers (wire/io, wire/net, wire/tls) or another protocol's module: a codec is sans-I/O.
# FORBIDDEN (default "io|net|tls|http") names the modules its headers may not reach.
#   cmake -DCXX=c++ -DINCLUDE=<dir> -DWORK=<dir> -DHEADERS="wire/a.hpp;wire/b.hpp" -P sans_io_headers.cmake
if(NOT FORBIDDEN)
  set(FORBIDDEN "io|net|tls|http")
endif()
file(MAKE_DIRECTORY ${WORK})
foreach(header IN LISTS HEADERS)
  file(WRITE ${WORK}/check.cpp "#include \"${header}\"\n")
  execute_process(
    COMMAND ${CXX} -std=c++20 -Wall -Wextra -Wpedantic -Werror -I${INCLUDE} -fsyntax-only
            -MD -MF ${WORK}/check.d ${WORK}/check.cpp
    RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(rc)
    message(FATAL_ERROR "${header} does not compile on its own:\n${err}")
  endif()
  file(READ ${WORK}/check.d deps)
  if(deps MATCHES "wire/(${FORBIDDEN})/[a-z_]+\\.hpp")
    message(FATAL_ERROR "${header} includes ${CMAKE_MATCH_0}: a codec header must be sans-I/O")
  endif()
  message(STATUS "${header}: compiles alone, sans-I/O")
endforeach()
