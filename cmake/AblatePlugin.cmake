# ablate_add_plugin(NAME KIND model|dataset|metric SOURCES a.cpp ... [LIBRARIES ...] [OUTPUT_DIR DIR])
# Builds one plugin library. The same file serves the Ablate tree (included by the top
# level) and out-of-tree projects (installed with the CMake package, included by
# AblateConfig.cmake): in both, the plugin links Ablate::ablate_api, and a model plugin
# also links LibTorch. Without OUTPUT_DIR the library lands in ABLATE_PLUGIN_OUTPUT_DIR
# and `cmake --install` copies it to <prefix>/lib/ablate/plugins, where an installed
# runner looks by default; with OUTPUT_DIR (test plugins) it is built there only.
include_guard(GLOBAL)
include(GNUInstallDirs)

# The install layout; the host's install rules use it too (runner RPATH, plugin folder).
set(ABLATE_INSTALL_PLUGINDIR "${CMAKE_INSTALL_LIBDIR}/ablate/plugins")
set(ABLATE_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/Ablate")

# The Ablate tree sets these before including this file; an out-of-tree project gets
# a plugins/ folder in its build tree and the tree's warnings unless it chose otherwise.
if(NOT DEFINED ABLATE_PLUGIN_OUTPUT_DIR)
  set(ABLATE_PLUGIN_OUTPUT_DIR "${CMAKE_BINARY_DIR}/plugins")
endif()
if(NOT DEFINED ABLATE_WARNINGS)
  set(ABLATE_WARNINGS -Wall -Wextra -Wpedantic)
endif()

function(ablate_add_plugin name)
  cmake_parse_arguments(ARG "" "KIND;OUTPUT_DIR" "SOURCES;LIBRARIES" ${ARGN})
  if(NOT name MATCHES "^[a-z][a-z0-9_]*$")
    message(FATAL_ERROR "ablate_add_plugin(${name}): the name must be snake_case "
                        "(lower-case letters, digits and '_', starting with a letter)")
  endif()
  if(NOT ARG_KIND MATCHES "^(model|dataset|metric)$")
    message(FATAL_ERROR "ablate_add_plugin(${name}): KIND must be model, dataset or metric")
  endif()
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "ablate_add_plugin(${name}): SOURCES is empty; name the plugin's .cpp file")
  endif()
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "ablate_add_plugin(${name}): unknown arguments ${ARG_UNPARSED_ARGUMENTS}; "
                        "expected KIND, SOURCES, LIBRARIES or OUTPUT_DIR")
  endif()
  set(install_it FALSE)
  if(NOT ARG_OUTPUT_DIR)
    set(ARG_OUTPUT_DIR "${ABLATE_PLUGIN_OUTPUT_DIR}")
    set(install_it TRUE)
  endif()

  add_library(${name} MODULE ${ARG_SOURCES})
  # In the tree Ablate::ablate_api is an alias of ablate_api; from the package, imported.
  target_link_libraries(${name} PRIVATE Ablate::ablate_api ${ARG_LIBRARIES})
  if(ARG_KIND STREQUAL "model")
    # TORCH_LIBRARIES is set where find_package(Torch) ran: the top level in the tree,
    # find_package(Ablate)'s scope out of it.
    if(NOT TORCH_LIBRARIES)
      message(FATAL_ERROR "ablate_add_plugin(${name}): a model plugin needs LibTorch, but "
                          "TORCH_LIBRARIES is empty here; call find_package(Ablate) or "
                          "find_package(Torch) in this directory or a parent")
    endif()
    target_link_libraries(${name} PRIVATE ${TORCH_LIBRARIES})
  endif()
  target_compile_features(${name} PRIVATE cxx_std_17)
  target_compile_options(${name} PRIVATE ${ABLATE_WARNINGS})
  # Installed plugins find libablate_api.so in <prefix>/lib; the runner has usually loaded
  # it already, so this only matters to tools that open a plugin on their own.
  file(RELATIVE_PATH api_dir "/${ABLATE_INSTALL_PLUGINDIR}" "/${CMAKE_INSTALL_LIBDIR}")
  set_target_properties(${name} PROPERTIES
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    PREFIX "lib"
    LIBRARY_OUTPUT_DIRECTORY "${ARG_OUTPUT_DIR}"
    INSTALL_RPATH "$ORIGIN/${api_dir}"
    INSTALL_RPATH_USE_LINK_PATH ON)
  if(install_it)
    set_property(GLOBAL APPEND PROPERTY ABLATE_PLUGIN_TARGETS ${name})
    install(TARGETS ${name} LIBRARY DESTINATION "${ABLATE_INSTALL_PLUGINDIR}")
  endif()
endfunction()
