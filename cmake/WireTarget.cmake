# SPDX-License-Identifier: MIT
# Warnings and sanitizer flags shared by every wire target.

set(WIRE_SANITIZE "" CACHE STRING "Sanitizers to build with: address,undefined | thread | empty")

function(wire_apply_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
                         -Wno-sign-conversion)
  if(WIRE_WARNINGS_AS_ERRORS)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

if(WIRE_SANITIZE)
  add_compile_options(-fsanitize=${WIRE_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${WIRE_SANITIZE})
endif()

# wire_module(net SOURCES ... DEPENDS ...): the library wire_<name>, alias wire::<name>; static,
# or shared with BUILD_SHARED_LIBS=ON (versioned libwire_<name>.so.0.1, ABI-compatible within
# a minor version, as the package version file promises).
function(wire_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPENDS;PRIVATE_DEPENDS" ${ARGN})
  add_library(wire_${name} ${ARG_SOURCES})
  add_library(wire::${name} ALIAS wire_${name})
  set_target_properties(wire_${name} PROPERTIES EXPORT_NAME ${name} POSITION_INDEPENDENT_CODE ON
                        VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR})
  target_compile_features(wire_${name} PUBLIC cxx_std_20)
  target_include_directories(wire_${name} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/generated>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
    PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/${name})
  target_link_libraries(wire_${name} PUBLIC ${ARG_DEPENDS} PRIVATE ${ARG_PRIVATE_DEPENDS})
  wire_apply_warnings(wire_${name})
  install(TARGETS wire_${name} EXPORT wireTargets
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
          LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
endfunction()
