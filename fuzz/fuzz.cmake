# libFuzzer targets (fuzz/*.c), included by the top-level CMakeLists.txt when CAMFLEET_FUZZ is ON.
# The core sources are compiled a second time, with coverage instrumentation for libFuzzer and
# AddressSanitizer + UndefinedBehaviorSanitizer (camfleet_core_fuzz); the normal library and binary
# are untouched. Build with clang: scripts/fuzz.sh does it all (cmake -DCMAKE_C_COMPILER=clang
# -DCAMFLEET_FUZZ=ON, target `fuzz`).
if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "CAMFLEET_FUZZ needs clang (libFuzzer): cmake -DCMAKE_C_COMPILER=clang -DCAMFLEET_FUZZ=ON")
endif()

set(FUZZ_COMPILE_FLAGS -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
                       -fno-omit-frame-pointer -g -O1)

add_library(camfleet_core_fuzz STATIC EXCLUDE_FROM_ALL ${CORE_SOURCES} ${MIGRATION_SOURCES} ${OPENAPI_C}
            ${BUILD_INFO_C})
add_dependencies(camfleet_core_fuzz camfleet_build_info)
target_include_directories(camfleet_core_fuzz PUBLIC ${CMAKE_SOURCE_DIR}/src ${CMAKE_SOURCE_DIR}/fuzz)
target_compile_options(camfleet_core_fuzz PUBLIC ${FUZZ_COMPILE_FLAGS})
target_link_libraries(camfleet_core_fuzz PUBLIC PkgConfig::DEPS Threads::Threads m)

# Each glue file includes one source file of src/ whole (to reach its static parsers); the
# included file's other static functions are unused there.
file(GLOB FUZZ_GLUE CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/fuzz/glue/*.c)
add_library(camfleet_fuzz_glue OBJECT EXCLUDE_FROM_ALL ${FUZZ_GLUE} ${CMAKE_SOURCE_DIR}/fuzz/support/fuzz_request.c)
target_compile_options(camfleet_fuzz_glue PRIVATE -Wno-unused-function)
target_link_libraries(camfleet_fuzz_glue PUBLIC camfleet_core_fuzz)

set(FUZZ_TARGETS "")
file(GLOB FUZZ_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/fuzz/fuzz_*.c)
foreach(fuzz_source ${FUZZ_SOURCES})
  get_filename_component(fuzz_name ${fuzz_source} NAME_WE)
  add_executable(${fuzz_name} EXCLUDE_FROM_ALL ${fuzz_source} $<TARGET_OBJECTS:camfleet_fuzz_glue>)
  # Every target but the token endpoint's (a real libmicrohttpd connection) answers requests on
  # the stand-in connection of fuzz/support/fake_connection.c.
  if(NOT fuzz_name STREQUAL "fuzz_token_endpoint")
    target_sources(${fuzz_name} PRIVATE ${CMAKE_SOURCE_DIR}/fuzz/support/fake_connection.c)
  endif()
  target_link_libraries(${fuzz_name} PRIVATE camfleet_core_fuzz)
  target_link_options(${fuzz_name} PRIVATE -fsanitize=fuzzer,address,undefined)
  set_target_properties(${fuzz_name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz)
  list(APPEND FUZZ_TARGETS ${fuzz_name})
endforeach()
add_custom_target(fuzz DEPENDS ${FUZZ_TARGETS})
