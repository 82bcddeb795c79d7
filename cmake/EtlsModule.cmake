# etls_module(): one static library per source folder, with the folder
# arrows enforced by the compiler.
#
#   etls_module(<target> FOLDER <dir> SOURCES a.c ... [DEPS <module> ...]
#               [LINK <imported target> ...])
#
# Every folder includes its headers as "<folder>/<file>.h" from the source
# root.  Instead of handing each library the whole source root, this builds
# a private include root per module in the build tree holding one symbolic
# link per folder the module may see: its own and those of the modules in
# DEPS (transitively).  The include root is PUBLIC, so a module that links
# another sees exactly the union of the allowed folders.  An include that
# goes against the arrows (dcos/ including model/, say) does not compile.
include_guard(GLOBAL)

function(etls_module target)
  cmake_parse_arguments(M "" "FOLDER" "SOURCES;DEPS;LINK" ${ARGN})
  if(NOT M_FOLDER OR NOT M_SOURCES)
    message(FATAL_ERROR "etls_module(${target}): FOLDER and SOURCES needed")
  endif()
  set(folders ${M_FOLDER})
  foreach(dep ${M_DEPS})
    get_property(dep_folders GLOBAL PROPERTY ETLS_MODULE_FOLDERS_${dep})
    if(NOT dep_folders)
      message(FATAL_ERROR "etls_module(${target}): unknown module ${dep} "
                          "(declare it first)")
    endif()
    list(APPEND folders ${dep_folders})
  endforeach()
  list(REMOVE_DUPLICATES folders)
  set_property(GLOBAL PROPERTY ETLS_MODULE_FOLDERS_${target} ${folders})

  set(root ${CMAKE_BINARY_DIR}/include/${target})
  file(MAKE_DIRECTORY ${root})
  foreach(f ${folders})
    if(NOT EXISTS ${root}/${f})
      file(CREATE_LINK ${CMAKE_SOURCE_DIR}/${f} ${root}/${f} SYMBOLIC)
    endif()
  endforeach()

  list(TRANSFORM M_SOURCES PREPEND ${CMAKE_SOURCE_DIR}/${M_FOLDER}/)
  add_library(${target} STATIC ${M_SOURCES})
  target_include_directories(${target} PUBLIC ${root})
  target_link_libraries(${target} PUBLIC ${M_DEPS} ${M_LINK})
endfunction()
