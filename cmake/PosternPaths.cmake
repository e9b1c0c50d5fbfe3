# Compiled-in defaults for the paths Postfix administrators expect. They only
# matter when main.cf does not set the parameter; every one can be changed there.
set(POSTERN_CONFIG_DIRECTORY "/etc/postfix" CACHE PATH "Default config_directory")
set(POSTERN_QUEUE_DIRECTORY "/var/spool/postfix" CACHE PATH "Default queue_directory")
set(POSTERN_DATA_DIRECTORY "/var/lib/postfix" CACHE PATH "Default data_directory")
set(POSTERN_COMMAND_DIRECTORY "${CMAKE_INSTALL_FULL_SBINDIR}" CACHE PATH "Default command_directory")
set(POSTERN_DAEMON_DIRECTORY "${CMAKE_INSTALL_FULL_LIBEXECDIR}/postern" CACHE PATH "Default daemon_directory")
set(POSTERN_SENDMAIL_PATH "${CMAKE_INSTALL_FULL_SBINDIR}/sendmail" CACHE PATH "Default sendmail_path")
set(POSTERN_MAIL_SPOOL_DIRECTORY "/var/mail" CACHE PATH "Default mail_spool_directory")
