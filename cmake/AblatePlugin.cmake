# ablate_add_plugin(NAME KIND model|dataset|metric SOURCES a.cpp ... [LIBRARIES ...])
# Builds one plugin library named NAME into the plugin folder the runner scans.
function(ablate_add_plugin name)
  cmake_parse_arguments(ARG "" "KIND;OUTPUT_DIR" "SOURCES;LIBRARIES" ${ARGN})
  if(NOT ARG_KIND MATCHES "^(model|dataset|metric)$")
    message(FATAL_ERROR "ablate_add_plugin(${name}): KIND must be model, dataset or metric")
  endif()
  if(NOT ARG_OUTPUT_DIR)
    set(ARG_OUTPUT_DIR "${ABLATE_PLUGIN_OUTPUT_DIR}")
  endif()
  add_library(${name} MODULE ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ablate_api ${ARG_LIBRARIES})
  if(ARG_KIND STREQUAL "model")
    target_link_libraries(${name} PRIVATE ${TORCH_LIBRARIES})
  endif()
  target_compile_options(${name} PRIVATE ${ABLATE_WARNINGS})
  set_target_properties(${name} PROPERTIES
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    PREFIX "lib"
    LIBRARY_OUTPUT_DIRECTORY "${ARG_OUTPUT_DIR}")
  if(ARG_OUTPUT_DIR STREQUAL ABLATE_PLUGIN_OUTPUT_DIR)
    set_property(GLOBAL APPEND PROPERTY ABLATE_PLUGIN_TARGETS ${name})
  endif()
endfunction()
