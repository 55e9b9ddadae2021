# Hardening of the binaries fermata ships (FERMATA_HARDEN): stack protector, _FORTIFY_SOURCE
# when optimising, position-independent executables (ASLR) and full RELRO. fermata reads
# hostile files inside CI runners that hold secrets; these flags turn many memory bugs into
# a clean abort instead of an exploit. Off by default under sanitizers and fuzzers, whose
# runtimes replace the same checks and dislike some of them (_FORTIFY_SOURCE with ASan).
include(CheckCXXCompilerFlag)
include(CheckLinkerFlag)
include(CheckPIESupported)

if(CMAKE_BUILD_TYPE MATCHES "^(Release|RelWithDebInfo|MinSizeRel)$" AND NOT FERMATA_SANITIZE
   AND NOT FERMATA_FUZZ)
  set(fermata_harden_default ON)
else()
  set(fermata_harden_default OFF)
endif()
option(FERMATA_HARDEN "Stack protector, _FORTIFY_SOURCE, PIE and full RELRO"
       ${fermata_harden_default})
if(NOT FERMATA_HARDEN)
  return()
endif()

check_cxx_compiler_flag(-fstack-protector-strong fermata_has_stack_protector)
if(fermata_has_stack_protector)
  target_compile_options(fermata_build_options INTERFACE -fstack-protector-strong)
endif()
# glibc only fortifies optimised code, and warns when asked to at -O0. The compiler's own
# default (some distributions predefine it) is dropped first, so the level is ours.
target_compile_options(fermata_build_options INTERFACE
  "$<$<CONFIG:Release,RelWithDebInfo,MinSizeRel>:-U_FORTIFY_SOURCE;-D_FORTIFY_SOURCE=2>")

check_pie_supported(OUTPUT_VARIABLE fermata_pie_problem LANGUAGES CXX)
if(NOT CMAKE_CXX_LINK_PIE_SUPPORTED)
  message(FATAL_ERROR "FERMATA_HARDEN: the toolchain cannot link PIE executables: ${fermata_pie_problem}")
endif()
# A global default, so every target (the library included) is built position independent.
set(CMAKE_POSITION_INDEPENDENT_CODE ON)

check_linker_flag(CXX "LINKER:-z,relro,-z,now" fermata_has_full_relro)
if(NOT fermata_has_full_relro)
  message(FATAL_ERROR "FERMATA_HARDEN: the linker does not support -z relro -z now")
endif()
target_link_options(fermata_build_options INTERFACE "LINKER:-z,relro,-z,now" "LINKER:-z,noexecstack")
