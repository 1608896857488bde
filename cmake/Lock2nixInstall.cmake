# Installs the library, headers, CLI, CMake package config and pkg-config file so that
# `find_package(lock2nix)` and `pkg-config --libs lock2nix` both work.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS lock2nix_core lock2nix lock2nix-cli EXPORT lock2nixTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY include/lock2nix DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${PROJECT_BINARY_DIR}/include/lock2nix/version.hpp
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/lock2nix)
install(DIRECTORY overrides/ DESTINATION ${CMAKE_INSTALL_DATADIR}/lock2nix/overrides
        FILES_MATCHING PATTERN "*.toml" PATTERN "README.md")
install(EXPORT lock2nixTargets NAMESPACE lock2nix:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/lock2nix)

configure_package_config_file(cmake/lock2nixConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/lock2nixConfig.cmake
                              INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/lock2nix)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/lock2nixConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/lock2nixConfig.cmake ${PROJECT_BINARY_DIR}/lock2nixConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/lock2nix)

file(RELATIVE_PATH LOCK2NIX_PC_PREFIX "${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig" "${CMAKE_INSTALL_PREFIX}")
configure_file(cmake/lock2nix.pc.in ${PROJECT_BINARY_DIR}/lock2nix.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/lock2nix.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
