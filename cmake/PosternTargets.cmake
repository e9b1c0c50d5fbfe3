# Helpers that keep each folder's CMakeLists.txt to a few lines.
#
#   postern_library(base SOURCES a.cpp b.cpp DEPS postern::other PkgConfig::X)
#     -> static library postern_base, alias postern::base; headers are included
#        as "lib/base/a.hpp" from the source root.
#   postern_program(smtpd SOURCES main.cpp DEPS postern::service)
#     -> executable bin/smtpd, installed into the daemon or command directory.
#   postern_unit_test(config SOURCES x_test.cpp DEPS postern::config)
#     -> Catch2 executable unit_config, one ctest entry labelled "unit".

function(postern_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(postern_${name} STATIC ${ARG_SOURCES})
  add_library(postern::${name} ALIAS postern_${name})
  target_include_directories(postern_${name} PUBLIC ${CMAKE_SOURCE_DIR} ${CMAKE_BINARY_DIR}/generated)
  target_link_libraries(postern_${name} PUBLIC ${ARG_DEPS})
endfunction()

# KIND is DAEMON (installed in daemon_directory) or COMMAND (command_directory).
function(postern_program name)
  cmake_parse_arguments(ARG "" "KIND" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  if(ARG_KIND STREQUAL "DAEMON")
    install(TARGETS ${name} DESTINATION ${POSTERN_DAEMON_DIRECTORY})
  else()
    install(TARGETS ${name} DESTINATION ${POSTERN_COMMAND_DIRECTORY})
  endif()
endfunction()

function(postern_unit_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(unit_${name} ${ARG_SOURCES})
  target_link_libraries(unit_${name} PRIVATE postern::testing_main ${ARG_DEPS})
  set_target_properties(unit_${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  add_test(NAME unit_${name} COMMAND unit_${name})
  set_tests_properties(unit_${name} PROPERTIES LABELS unit TIMEOUT 300)
endfunction()

# An end-to-end test: a Python unittest module under tests/e2e that starts a
# real instance from the build tree. Python's standard library only.
function(postern_e2e_test name)
  add_test(NAME e2e_${name}
    COMMAND ${Python3_EXECUTABLE} -u ${CMAKE_SOURCE_DIR}/tests/e2e/test_${name}.py -v)
  set_tests_properties(e2e_${name} PROPERTIES LABELS e2e TIMEOUT 600
    ENVIRONMENT "POSTERN_BUILD_DIR=${CMAKE_BINARY_DIR};POSTERN_SOURCE_DIR=${CMAKE_SOURCE_DIR};PYTHONDONTWRITEBYTECODE=1")
endfunction()
