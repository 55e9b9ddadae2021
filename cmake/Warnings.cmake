# Warnings (and -Werror with FERMATA_WERROR) on our own targets only, through an
# interface target, never CMAKE_CXX_FLAGS.
add_library(fermata_build_options INTERFACE)
target_compile_features(fermata_build_options INTERFACE cxx_std_20)
target_compile_options(fermata_build_options INTERFACE -Wall -Wextra)
if(FERMATA_WERROR)
  target_compile_options(fermata_build_options INTERFACE -Werror)
endif()
if(FERMATA_SANITIZE)
  string(REPLACE ";" "," sanitizers "${FERMATA_SANITIZE}")
  target_compile_options(fermata_build_options INTERFACE -fsanitize=${sanitizers} -fno-omit-frame-pointer
                                                         -fno-sanitize-recover=all)
  target_link_options(fermata_build_options INTERFACE -fsanitize=${sanitizers})
endif()
