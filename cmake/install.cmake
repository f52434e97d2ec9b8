# install.cmake: what `cmake --install` puts beside the library and the tools (their own rules are in
# libcheck/ and tools/): the header, the CMake package (find_package(heapcheck)) and heapcheck.pc.
# Every path is relative to the prefix given at install time, so the tree can be installed anywhere.
include(CMakePackageConfigHelpers)

install(FILES ${PROJECT_SOURCE_DIR}/include/heapcheck.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

# The package: heapcheckConfig.cmake computes the prefix from its own location (PACKAGE_INIT), so it
# stays right under any prefix; it declares the imported targets itself, for every configuration.
set(HEAPCHECK_PACKAGE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/heapcheck)
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/heapcheckConfig.cmake.in
  ${PROJECT_BINARY_DIR}/package/heapcheckConfig.cmake
  INSTALL_DESTINATION ${HEAPCHECK_PACKAGE_DIR}
  PATH_VARS CMAKE_INSTALL_BINDIR CMAKE_INSTALL_LIBDIR CMAKE_INSTALL_INCLUDEDIR)
# 0.x: a minor release may change the options and the report format.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/package/heapcheckConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/package/heapcheckConfig.cmake
  ${PROJECT_BINARY_DIR}/package/heapcheckConfigVersion.cmake
  ${CMAKE_CURRENT_LIST_DIR}/heapcheckTesting.cmake
  DESTINATION ${HEAPCHECK_PACKAGE_DIR})

# heapcheck.pc: absolute paths, so that `LD_PRELOAD=$(pkg-config --variable=preload heapcheck)` is a
# plain path. The prefix is only known at install time (--prefix may override the configured one):
# the template is filled in two steps, the layout now, the prefix by the install script.
foreach(dir BINDIR LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${dir}}")
    set(HEAPCHECK_PC_${dir} "${CMAKE_INSTALL_${dir}}")
  else()
    set(HEAPCHECK_PC_${dir} "\${prefix}/${CMAKE_INSTALL_${dir}}")
  endif()
endforeach()
set(HEAPCHECK_PC_PREFIX "@HEAPCHECK_PC_PREFIX@")  # left for the second step
configure_file(${CMAKE_CURRENT_LIST_DIR}/heapcheck.pc.in ${PROJECT_BINARY_DIR}/package/heapcheck.pc.in @ONLY)
install(CODE "
  set(HEAPCHECK_PC_PREFIX \"\${CMAKE_INSTALL_PREFIX}\")
  configure_file(\"${PROJECT_BINARY_DIR}/package/heapcheck.pc.in\" \"${PROJECT_BINARY_DIR}/package/heapcheck.pc\" @ONLY)
")
install(FILES ${PROJECT_BINARY_DIR}/package/heapcheck.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
