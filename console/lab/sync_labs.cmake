# Keeps ${DEST} an exact copy of the lab sources ${SRC} (labs/ without
# labs/guests, which are built programs, without the CMake files that build
# every lab in the cross project, and without build output a lab
# author left behind): changed files are copied, vanished ones removed.
# Run at every build by the nestlab_labs target (console/CMakeLists.txt).
cmake_policy(SET CMP0057 NEW)
file(GLOB_RECURSE sources RELATIVE ${SRC} ${SRC}/*)
set(wanted "")
foreach(rel IN LISTS sources)
  if(rel MATCHES "^guests/" OR rel MATCHES "(^|/)CMakeLists.txt$" OR rel MATCHES "(^|/)(build|grade)/" OR rel MATCHES "(^|/)\\.")
    continue()
  endif()
  list(APPEND wanted ${rel})
  get_filename_component(dir ${DEST}/${rel} DIRECTORY)
  # file(COPY) skips a file whose copy has the same timestamp.
  file(COPY ${SRC}/${rel} DESTINATION ${dir})
endforeach()
file(GLOB_RECURSE present RELATIVE ${DEST} ${DEST}/*)
foreach(rel IN LISTS present)
  if(NOT rel IN_LIST wanted)
    file(REMOVE ${DEST}/${rel})
  endif()
endforeach()
