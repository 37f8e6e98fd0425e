# Builds the seed corpora of the fuzz targets from the project's own files (nothing is copied
# into the repository): run as `cmake -DSOURCE_DIR=... -DOUTPUT=... [-DMIGLINT=...] -P seeds.cmake`.
#   OUTPUT/python  the .py files of tests/fixtures and migrations/, the R"py(...)py" revisions of
#                  the unit tests, and the ```python blocks of the docs (README, rules/, migrations/)
#   OUTPUT/sql     tests/rules/*.sql and every ```sql block of the docs
#   OUTPUT/config  the README's ```toml blocks and `miglint init`'s starter (when MIGLINT is set)
#   OUTPUT/ini     the .ini files of tests/fixtures and migrations/
# Each seed is named after where it came from; the directories are emptied first.

foreach(dir python sql config ini)
  file(REMOVE_RECURSE ${OUTPUT}/${dir})
  file(MAKE_DIRECTORY ${OUTPUT}/${dir})
endforeach()

# A seed file name from a source path (and an index for blocks inside one file).
function(seed_name path index out)
  file(RELATIVE_PATH rel ${SOURCE_DIR} ${path})
  string(REGEX REPLACE "[^A-Za-z0-9_.-]" "_" name "${rel}")
  if(NOT index STREQUAL "")
    set(name "${name}.${index}")
  endif()
  set(${out} ${name} PARENT_SCOPE)
endfunction()

function(copy_seeds kind)
  foreach(path ${ARGN})
    seed_name(${path} "" name)
    configure_file(${path} ${OUTPUT}/${kind}/${name} COPYONLY)
  endforeach()
endfunction()

# Text between each `open` and the next `close` in a file, one seed each: fenced blocks
# ("```sql bad" up to its line's end ... "\n```") and the R"py( ... )py" revisions of the unit
# tests. With `to_eol` the rest of the opening line is skipped too.
function(block_seeds kind path open close to_eol)
  file(READ ${path} text)
  set(index 0)
  string(LENGTH "${open}" skip)
  string(FIND "${text}" "${open}" at)
  while(at GREATER -1)
    math(EXPR at "${at} + ${skip}")
    string(SUBSTRING "${text}" ${at} -1 text)
    if(to_eol)
      string(FIND "${text}" "\n" eol)
      if(eol EQUAL -1)
        break()
      endif()
      math(EXPR eol "${eol} + 1")
      string(SUBSTRING "${text}" ${eol} -1 text)
    endif()
    string(FIND "${text}" "${close}" end)
    if(end EQUAL -1)
      break()
    endif()
    string(SUBSTRING "${text}" 0 ${end} block)
    math(EXPR index "${index} + 1")
    seed_name(${path} ${index} name)
    file(WRITE ${OUTPUT}/${kind}/${name} "${block}")
    string(FIND "${text}" "${open}" at)
  endwhile()
endfunction()

file(GLOB_RECURSE python_files ${SOURCE_DIR}/tests/fixtures/*.py ${SOURCE_DIR}/migrations/*.py)
copy_seeds(python ${python_files})
file(GLOB unit_tests ${SOURCE_DIR}/tests/unit/*.cpp)
foreach(path ${unit_tests})
  block_seeds(python ${path} "R\"py(" ")py\"" FALSE)
endforeach()
file(GLOB docs ${SOURCE_DIR}/README.md ${SOURCE_DIR}/rules/*.md ${SOURCE_DIR}/migrations/*.md)
foreach(path ${docs})
  block_seeds(python ${path} "```python" "\n```" TRUE)
endforeach()

file(GLOB_RECURSE sql_files ${SOURCE_DIR}/tests/rules/*.sql ${SOURCE_DIR}/migrations/*.sql)
copy_seeds(sql ${sql_files})
foreach(path ${docs})
  block_seeds(sql ${path} "```sql" "\n```" TRUE)
endforeach()

block_seeds(config ${SOURCE_DIR}/README.md "```toml" "\n```" TRUE)
if(MIGLINT)
  execute_process(COMMAND ${MIGLINT} init ${OUTPUT}/config/starter.toml
                  RESULT_VARIABLE status OUTPUT_QUIET ERROR_QUIET)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "miglint init failed (${status})")
  endif()
endif()

file(GLOB_RECURSE ini_files ${SOURCE_DIR}/tests/fixtures/*.ini ${SOURCE_DIR}/migrations/*.ini)
copy_seeds(ini ${ini_files})

foreach(dir python sql config ini)
  file(GLOB seeds ${OUTPUT}/${dir}/*)
  list(LENGTH seeds count)
  if(count EQUAL 0)
    message(FATAL_ERROR "no seeds for the ${dir} fuzz target")
  endif()
  message(STATUS "fuzz seeds: ${count} for ${dir}")
endforeach()
