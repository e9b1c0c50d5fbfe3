# Third-party libraries, all from Debian packages (scripts/setup.sh installs them).
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBEVENT REQUIRED IMPORTED_TARGET libevent_core libevent_extra libevent_openssl)
pkg_check_modules(CARES REQUIRED IMPORTED_TARGET libcares)
pkg_check_modules(PCRE2 REQUIRED IMPORTED_TARGET libpcre2-8)
pkg_check_modules(LIBCRYPT REQUIRED IMPORTED_TARGET libxcrypt)
find_package(OpenSSL REQUIRED)
find_package(Threads REQUIRED)

# Berkeley DB 5.3 has no pkg-config file on Debian.
find_path(BDB_INCLUDE_DIR db.h REQUIRED)
find_library(BDB_LIBRARY NAMES db-5.3 db REQUIRED)
add_library(bdb::bdb UNKNOWN IMPORTED)
set_target_properties(bdb::bdb PROPERTIES
  IMPORTED_LOCATION ${BDB_LIBRARY}
  INTERFACE_INCLUDE_DIRECTORIES ${BDB_INCLUDE_DIR})

find_library(PAM_LIBRARY pam)
find_package(Python3 REQUIRED COMPONENTS Interpreter)
if(POSTERN_BUILD_TESTS)
  find_package(Catch2 2 REQUIRED)
endif()
