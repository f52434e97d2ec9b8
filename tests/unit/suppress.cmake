# Unit test of libcheck/suppress.c (suppression file parsing and matching), built standalone: suppress.c
# depends only on libc, libdl and os.c (raw file reads). Included from tests/unit/CMakeLists.txt.
if(NOT TARGET PkgConfig::CMOCKA)
  pkg_check_modules(CMOCKA REQUIRED IMPORTED_TARGET cmocka)
endif()

add_executable(suppress_test
  ${CMAKE_SOURCE_DIR}/tests/unit/suppress_test.c
  ${CMAKE_SOURCE_DIR}/libcheck/suppress.c
  ${CMAKE_SOURCE_DIR}/libcheck/os.c)
target_include_directories(suppress_test PRIVATE ${CMAKE_SOURCE_DIR}/libcheck)
target_link_libraries(suppress_test PRIVATE PkgConfig::CMOCKA ${CMAKE_DL_LIBS})
add_test(NAME unit.suppress COMMAND suppress_test)
set_tests_properties(unit.suppress PROPERTIES LABELS unit)
