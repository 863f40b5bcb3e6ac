# Third-party packages, found once. Libraries without CMake config files (libharu, MySQL
# Connector/C++, libqrencode, zbar) get imported targets here so components link them by name.
find_package(Threads REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(Poco REQUIRED COMPONENTS Foundation Util Net JSON Data DataSQLite Crypto)
find_package(cppzmq REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(SQLite3 REQUIRED)

function(cardline_import_library target header lib)
  cmake_parse_arguments(ARG "" "" "HINTS;EXTRA_INCLUDES" ${ARGN})
  find_path(${target}_INCLUDE ${header} PATH_SUFFIXES ${ARG_HINTS})
  find_library(${target}_LIBRARY ${lib})
  if(NOT ${target}_INCLUDE OR NOT ${target}_LIBRARY)
    message(FATAL_ERROR "cardline: ${lib} not found (header ${header}); run scripts/install-deps.sh")
  endif()
  add_library(${target} UNKNOWN IMPORTED GLOBAL)
  set_target_properties(${target} PROPERTIES IMPORTED_LOCATION ${${target}_LIBRARY}
    INTERFACE_INCLUDE_DIRECTORIES "${${target}_INCLUDE};${ARG_EXTRA_INCLUDES}")
endfunction()

find_package(Boost REQUIRED)  # Connector/C++ 1.1 headers include Boost
cardline_import_library(Cardline::haru hpdf.h hpdf)
cardline_import_library(Cardline::mysqlcppconn cppconn/driver.h mysqlcppconn
                        EXTRA_INCLUDES ${Boost_INCLUDE_DIRS})
cardline_import_library(Cardline::qrencode qrencode.h qrencode)
cardline_import_library(Cardline::zbar zbar.h zbar)
pkg_check_modules(PNG REQUIRED IMPORTED_TARGET libpng)
find_package(JPEG REQUIRED)

if(CARDLINE_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(CARDLINE_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
