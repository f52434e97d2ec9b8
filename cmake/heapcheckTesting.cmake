# heapcheckTesting.cmake: heapcheck_add_test(), installed with the package and included by heapcheckConfig.cmake.
# It only registers tests (add_test); how a test fails is the driver's: exit status 23 (exitcode) on findings.
#
#   heapcheck_add_test(NAME <name> COMMAND <program> [<arg>...]
#                      [HEAPCHECK_OPTIONS <--option=value>...]
#                      [WORKING_DIRECTORY <dir>] [CONFIGURATIONS <config>...] [COMMAND_EXPAND_LISTS])
#
# registers the test <name> as `heapcheck [<--option=value>...] -- <program> [<arg>...]`. <program> may be an
# executable target (its file is used) or a path; the options are the driver's (heapcheck --help). The test
# gets the label "heapcheck" (ctest -L heapcheck); set its other properties with set_tests_properties().
function(heapcheck_add_test)
  cmake_parse_arguments(PARSE_ARGV 0 arg "COMMAND_EXPAND_LISTS" "NAME;WORKING_DIRECTORY"
                        "COMMAND;HEAPCHECK_OPTIONS;CONFIGURATIONS")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "heapcheck_add_test: unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT arg_NAME OR NOT arg_COMMAND)
    message(FATAL_ERROR "heapcheck_add_test: NAME and COMMAND are required")
  endif()
  foreach(opt IN LISTS arg_HEAPCHECK_OPTIONS)
    if(NOT opt MATCHES "^-")
      message(FATAL_ERROR "heapcheck_add_test(${arg_NAME}): HEAPCHECK_OPTIONS takes driver flags "
                          "(--name=value), not '${opt}'")
    endif()
  endforeach()
  list(GET arg_COMMAND 0 program)
  list(REMOVE_AT arg_COMMAND 0)
  if(TARGET "${program}")
    get_target_property(type "${program}" TYPE)
    if(type STREQUAL "EXECUTABLE")
      set(program "$<TARGET_FILE:${program}>")
    endif()
  endif()
  set(more)
  if(DEFINED arg_WORKING_DIRECTORY)
    list(APPEND more WORKING_DIRECTORY "${arg_WORKING_DIRECTORY}")
  endif()
  if(arg_CONFIGURATIONS)
    list(APPEND more CONFIGURATIONS ${arg_CONFIGURATIONS})
  endif()
  if(arg_COMMAND_EXPAND_LISTS)
    list(APPEND more COMMAND_EXPAND_LISTS)
  endif()
  add_test(NAME "${arg_NAME}"
           COMMAND heapcheck::heapcheck ${arg_HEAPCHECK_OPTIONS} -- "${program}" ${arg_COMMAND}
           ${more})
  set_property(TEST "${arg_NAME}" APPEND PROPERTY LABELS heapcheck)
endfunction()
