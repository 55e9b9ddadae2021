# libFuzzer builds (FERMATA_FUZZ): clang only. Everything fermata compiles gets coverage
# instrumentation and ASan+UBSan through the interface target, so a fuzz target sees inside
# the library; only the fuzz executables link libFuzzer's own main.
if(NOT FERMATA_FUZZ)
  return()
endif()
if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "FERMATA_FUZZ needs clang (libFuzzer); configure with -DCMAKE_CXX_COMPILER=clang++")
endif()
if(FERMATA_SANITIZE)
  message(FATAL_ERROR "FERMATA_FUZZ brings its own sanitizers; leave FERMATA_SANITIZE empty")
endif()
target_compile_options(fermata_build_options INTERFACE
  -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
target_link_options(fermata_build_options INTERFACE -fsanitize=address,undefined)
