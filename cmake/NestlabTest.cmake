# Tests whose skips are visible: every runner records skipped tests by name
# (tests/tools/skips.py) and exits 77 on a skip that tests/skips.allow does
# not allow here; ctest reports that as Skipped, and ./scripts/test lists all
# skips and fails on unexpected ones (tests/tools/skip_report.py).
set(NESTLAB_TEST_TOOLS ${CMAKE_SOURCE_DIR}/tests/tools)
set(NESTLAB_SKIP_DIR ${CMAKE_BINARY_DIR}/skips)
if(NESTLAB_SANITIZE)
  set(NESTLAB_SANITIZE_FLAG 1)
else()
  set(NESTLAB_SANITIZE_FLAG 0)
endif()

# Settings every test gets on top of its own ENVIRONMENT.
function(nestlab_test_common name)
  set_tests_properties(${name} PROPERTIES
    SKIP_RETURN_CODE 77
    ENVIRONMENT_MODIFICATION
      "NESTLAB_SKIP_DIR=set:${NESTLAB_SKIP_DIR};NESTLAB_SANITIZE=set:${NESTLAB_SANITIZE_FLAG}")
endfunction()

# A GoogleTest binary: nestlab_gtest(NAME [TIMEOUT seconds]).
function(nestlab_gtest name)
  cmake_parse_arguments(T "" "TIMEOUT" "" ${ARGN})
  add_test(NAME ${name}
    COMMAND ${Python3_EXECUTABLE} ${NESTLAB_TEST_TOOLS}/run_checked.py gtest ${name} --
            $<TARGET_FILE:${name}>)
  nestlab_test_common(${name})
  if(T_TIMEOUT)
    set_tests_properties(${name} PROPERTIES TIMEOUT ${T_TIMEOUT})
  endif()
  set_tests_properties(${name} PROPERTIES LABELS unit)
endfunction()

# Python unittest modules run from DIR: nestlab_unittest(NAME DIR MODULE...).
function(nestlab_unittest name dir)
  add_test(NAME ${name}
    COMMAND ${Python3_EXECUTABLE} ${NESTLAB_TEST_TOOLS}/run_unittest.py ${name} ${ARGN}
    WORKING_DIRECTORY ${dir})
  set_tests_properties(${name} PROPERTIES
    ENVIRONMENT "NESTLAB_BUILD_DIR=${CMAKE_BINARY_DIR};PYTHONDONTWRITEBYTECODE=1")
  nestlab_test_common(${name})
endfunction()
