# Helpers that give every cardline component the same shape: one target, explicit sources,
# warnings as errors on our code, optional sanitizers.

set(CARDLINE_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
    -Wcast-align -Woverloaded-virtual -Wnull-dereference -Wimplicit-fallthrough -Werror)

function(cardline_apply_flags target)
  target_compile_options(${target} PRIVATE ${CARDLINE_WARNINGS})
  if(CARDLINE_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer
                                               -fno-sanitize-recover=undefined)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()

# cardline_library(NAME SOURCES a.cc b.cc DEPS other_target ... [PRIVATE_DEPS ...])
# Declares the static library cardline_NAME with an alias cardline::NAME. Headers are included
# from the repository root ("mes/base/status.h").
function(cardline_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(cardline_${name} STATIC ${ARG_SOURCES})
  add_library(cardline::${name} ALIAS cardline_${name})
  target_include_directories(cardline_${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(cardline_${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  cardline_apply_flags(cardline_${name})
endfunction()

# cardline_executable(NAME SOURCES ... DEPS ...)
function(cardline_executable name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  cardline_apply_flags(${name})
endfunction()

# cardline_test(NAME SOURCES ... DEPS ... LABELS unit|integration|mariadb|e2e ...)
# A GoogleTest executable registered with ctest, one ctest entry per executable.
function(cardline_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;DEPS;LABELS;ENV" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  cardline_apply_flags(${name})
  add_test(NAME ${name} COMMAND ${name})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 600)
  endif()
  set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT}
    ENVIRONMENT "CARDLINE_SOURCE_DIR=${PROJECT_SOURCE_DIR};CARDLINE_BINARY_DIR=${PROJECT_BINARY_DIR};${ARG_ENV}")
endfunction()
