// The authenticated and selected states of one IMAP session (RFC 3501
// 6.3-6.4 and the extensions in capabilities.cpp). Runs in the mail process
// as the mailbox owner, talking to the client on its socket (or through
// the login process's relay for TLS). One file per group of commands: cmd_mailbox.cpp (SELECT ... APPEND,
// LIST, STATUS, NAMESPACE), cmd_fetch.cpp, cmd_search.cpp, cmd_store.cpp
// (STORE, COPY, MOVE, EXPUNGE, CLOSE, UNSELECT), cmd_idle.cpp.
#pragma once

#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "imapd/command_stream.hpp"
#include "imapd/imap_settings.hpp"
#include "lib/base/result.hpp"
#include "lib/imap/command.hpp"
#include "lib/imap/sequence_set.hpp"
#include "lib/login/client_io.hpp"
#include "lib/login/connection_root.hpp"
#include "lib/login/handover.hpp"
#include "lib/mailstore/folder.hpp"
#include "lib/mailstore/mail_store.hpp"

namespace postern::imapd {

class MailSession {
 public:
  // `client`: the client's socket or the TLS relay, with the login tag and
  // what the client pipelined behind it in `pending`.
  MailSession(const ImapSettings& settings, login::HandedClient& client, const login::MailUser& user);
  int run();

 private:
  using Command = imap::Command;
  bool send(const std::string& text) { return io_.write(text); }
  void tagged(const Command& c, const std::string& status, const std::string& code, const std::string& text);
  void bad(const Command& c, const std::string& text);
  // NO with the response code that fits a mail store error.
  void store_error(const Command& c, const Error& e, const std::string& what);
  void dispatch(Command& c);
  bool needs_selected(const Command& c);

  // Untagged EXISTS/RECENT/EXPUNGE/FETCH FLAGS for changes made elsewhere.
  void report_changes(bool allow_expunges);
  void send_flags_response();
  std::string flags_of(size_t index) const;
  // Message indices (0-based) named by a set; nullopt after a BAD was sent.
  std::optional<std::vector<size_t>> resolve(const Command& c, const imap::SequenceSet& set, bool uid);

  // cmd_mailbox.cpp
  void cmd_select(const Command& c, bool read_only);
  void cmd_create(const Command& c);
  void cmd_delete(const Command& c);
  void cmd_rename(const Command& c);
  void cmd_subscribe(const Command& c, bool subscribe);
  void cmd_list(const Command& c, bool lsub);
  void cmd_status(const Command& c);
  void cmd_append(Command& c);
  void cmd_namespace(const Command& c);
  void close_folder();
  // cmd_fetch.cpp
  void cmd_fetch(const Command& c);
  // cmd_search.cpp
  void cmd_search(const Command& c);
  // cmd_store.cpp
  void cmd_store(const Command& c);
  void cmd_copy(const Command& c, bool move);
  void cmd_expunge(const Command& c);
  void cmd_close(const Command& c, bool expunge);
  // cmd_idle.cpp
  void cmd_idle(const Command& c);

  const ImapSettings& s_;
  login::ClientIo io_;
  CommandStream stream_;
  login::MailUser user_;
  std::unique_ptr<mailstore::MailStore> store_;
  std::unique_ptr<mailstore::Folder> folder_;
  mailstore::MailLocation location_;
  std::vector<std::string> enabled_;
  int bad_commands_ = 0;
  bool done_ = false;
  bool logged_out_ = false;
  struct Counters {
    size_t deleted = 0, expunged = 0, trashed = 0, fetch_hdr = 0, fetch_hdr_bytes = 0, fetch_body = 0,
           fetch_body_bytes = 0;
  } counters_;
};

}  // namespace postern::imapd
