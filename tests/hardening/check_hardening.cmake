# Checks that a binary carries the hardening FERMATA_HARDEN asks for: a position-independent
# executable (ELF type DYN), full RELRO (a GNU_RELRO segment and BIND_NOW), the stack
# protector (__stack_chk_fail) and _FORTIFY_SOURCE (glibc's checked *_chk functions).
# Usage: cmake -DREADELF=path/to/readelf -DBINARY=path/to/fermata -P check_hardening.cmake
if(NOT EXISTS "${BINARY}")
  message(FATAL_ERROR "no such binary: ${BINARY}")
endif()

function(readelf out)
  execute_process(COMMAND "${READELF}" ${ARGN} "${BINARY}" OUTPUT_VARIABLE text
                  RESULT_VARIABLE status ERROR_VARIABLE error)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "readelf ${ARGN} failed: ${error}")
  endif()
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

set(problems "")
readelf(header -hW)
if(NOT header MATCHES "Type:[ \t]+DYN")
  list(APPEND problems "not a position-independent executable (ELF type is not DYN)")
endif()
readelf(segments -lW)
if(NOT segments MATCHES "GNU_RELRO")
  list(APPEND problems "no GNU_RELRO segment (link with -z relro)")
endif()
readelf(dynamic -dW)
if(NOT dynamic MATCHES "\\(BIND_NOW\\)" AND NOT dynamic MATCHES "\\(FLAGS(_1)?\\)[^\n]*NOW")
  list(APPEND problems "lazy binding: RELRO is partial (link with -z now)")
endif()
readelf(symbols --dyn-syms -W)
if(NOT symbols MATCHES "__stack_chk_fail")
  list(APPEND problems "no __stack_chk_fail: built without the stack protector")
endif()
if(NOT symbols MATCHES "__[a-z_]+_chk@")
  list(APPEND problems "no checked *_chk functions: built without _FORTIFY_SOURCE")
endif()

if(problems)
  list(JOIN problems "\n  " text)
  message(FATAL_ERROR "${BINARY} is not hardened:\n  ${text}")
endif()
message("${BINARY}: PIE, full RELRO, stack protector, _FORTIFY_SOURCE")
