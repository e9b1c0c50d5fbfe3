// One selected IMAP mailbox (SELECT/EXAMINE): the messages with their UIDs,
// flags, keywords, internal dates and sizes, message text, flag changes,
// expunge, copy, and a persistent per-message cache of strings (ENVELOPE,
// BODYSTRUCTURE) so large FETCHes read no message file. Runs in imapd's mail
// process as the mailbox owner. Obtained from MailStore::open_folder().
//
// Sequence numbers are positions in messages() (index 0 = message 1). The
// view changes only inside refresh(), expunge() and (for new copies into the
// same folder) copy(): between those calls indices are stable, so imapd can
// resolve a sequence set once per command.
//
// Concurrency: any number of Folder objects (in one process or several, and
// Dovecot) may have the same folder open while local delivery drops files
// into it; UIDs are handed out under the folder's uidlist lock, so no UID is
// ever given twice or reused. A process killed at any point leaves a
// consistent folder (the index and cache are rebuilt when damaged).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lib/base/result.hpp"

namespace postern::mailstore {

// The IMAP system flags a message can carry permanently (\Recent is separate:
// it belongs to the session, see MessageMeta::recent).
enum Flag : uint8_t {
  kSeen = 1,
  kAnswered = 2,
  kFlagged = 4,
  kDeleted = 8,
  kDraft = 16,
};
using Flags = uint8_t;

struct MessageMeta {
  uint32_t uid = 0;
  Flags flags = 0;
  std::vector<std::string> keywords;  // as the client wrote them, sorted, unique
  int64_t internal_date = 0;          // seconds since the epoch (INTERNALDATE)
  uint64_t rfc822_size = 0;           // octets with CRLF line ends (RFC822.SIZE)
  uint64_t modseq = 1;                // grows whenever flags change (CONDSTORE later)
  bool recent = false;                // \Recent: this session is the first to see it
  bool expunged = false;              // removed by another session, not yet reported
                                      // (only with refresh(false)); read() fails
};

// How store_flags() combines the given flags with the message's own
// (STORE FLAGS / +FLAGS / -FLAGS).
enum class StoreMode { replace, add, remove };

struct Expunged {
  uint32_t uid = 0;
  uint32_t seq = 0;  // 1-based sequence number to report in "* <seq> EXPUNGE"
};

// What refresh() found since the last look.
struct FolderChanges {
  // Descending by seq, so "* <seq> EXPUNGE" can be sent in this order with
  // no renumbering by the client.
  std::vector<Expunged> expunged;
  // messages().size() once the expunges above were removed (old_count)
  // and after new messages were added (new_count): when they differ, send
  // "* <new_count> EXISTS" (and RECENT) after the EXPUNGEs.
  size_t old_count = 0, new_count = 0;
  // Indices (into messages() as it is now) whose flags or keywords another
  // session changed: send "* <index+1> FETCH (FLAGS ...)".
  std::vector<size_t> flags_changed;
  // The set of keywords used in the folder grew (send a new FLAGS response).
  bool keywords_changed = false;
  bool uidvalidity_changed = false;  // the folder was recreated: imapd should disconnect
};

struct CopyResult {
  uint32_t uidvalidity = 0;                        // of the target folder
  std::vector<std::pair<uint32_t, uint32_t>> uids;  // (source uid, target uid), for COPYUID
};

// A path to watch with inotify while idling, and the names in it whose
// changes matter; empty: any change in it does.
struct WatchPath {
  std::string path;
  std::vector<std::string> names;
};

class Folder {
 public:
  virtual ~Folder() = default;

  // The mailbox name as given to open_folder() ("INBOX", "a/b"), UTF-8.
  virtual const std::string& name() const = 0;
  virtual bool read_only() const = 0;  // EXAMINE: no flag changes, no \Recent claims
  virtual uint32_t uidvalidity() const = 0;
  virtual uint32_t uidnext() const = 0;
  virtual uint64_t highest_modseq() const = 0;
  virtual const std::vector<MessageMeta>& messages() const = 0;
  // Every keyword the folder knows (for the FLAGS and PERMANENTFLAGS responses).
  virtual std::vector<std::string> keywords() const = 0;
  // How many more distinct keywords can be added (Maildir: 26 letters in all).
  virtual size_t keyword_room() const = 0;

  // The whole message with CRLF line ends. Error (ENOENT) when it vanished
  // (expunged by another session since the last refresh).
  virtual Result<std::string> read(size_t index) = 0;

  // Changes the permanent flags and keywords of messages()[index] and records
  // them in messages(). Under a concurrent change by another session the
  // add/remove modes apply to the message's current flags. Error when the
  // folder is read-only, the message vanished (ENOENT) or there is no room
  // for a new keyword (ENOSPC).
  virtual Status store_flags(size_t index, StoreMode mode, Flags flags,
                             const std::vector<std::string>& keywords) = 0;

  // Removes the messages flagged \Deleted (only those whose UID is in `uids`
  // when given: UID EXPUNGE) and drops them from messages(). Returns them,
  // descending by seq as they must be reported.
  virtual Result<std::vector<Expunged>> expunge(const std::optional<std::vector<uint32_t>>& uids) = 0;

  // Copies messages()[i] for each i in `indices` (in that order) into the
  // folder `target` (a name as MailStore takes it) with their flags and
  // keywords; the copies are \Recent there. Error ENOENT: no such target.
  virtual Result<CopyResult> copy(const std::vector<size_t>& indices, const std::string& target) = 0;

  // Looks at the folder again (new deliveries, other sessions' flag changes
  // and expunges) and updates messages(). With allow_expunges = false
  // (during FETCH, STORE, SEARCH) messages expunged elsewhere stay in the
  // view marked `expunged` and are reported by the next refresh(true).
  // Cheap when nothing changed: a few stat() calls.
  virtual Result<FolderChanges> refresh(bool allow_expunges) = 0;
  // Something outside changed the folder (an inotify event while idling):
  // the next refresh() looks at it even if the stamps seem unchanged.
  virtual void distrust_stamps() {}
  // While on, refresh() may leave other sessions' flag changes (and only
  // those) for a later refresh, up to a tenth of a second: for streams of
  // FETCH, STORE and SEARCH, where looking each time would cost a listing
  // of the whole folder per command. New mail and expunges are never put
  // off, and a refresh with it off (NOOP, CHECK, IDLE) always looks.
  virtual void set_lazy_flag_sync(bool) {}

  // Paths to watch with inotify while idling (IN_CREATE, IN_DELETE,
  // IN_MOVED_TO, IN_MOVED_FROM, IN_MODIFY, IN_ATTRIB, IN_CLOSE_WRITE); an
  // event on a name that matters means "call refresh()" (FolderWatch).
  // Directories for Maildir, the file and its folder for mbox.
  virtual std::vector<WatchPath> watch_paths() const = 0;

  // The persistent per-message cache: a value stored for (uid, field) is
  // returned by later calls in this and any later session until the message
  // is expunged or the folder's UIDVALIDITY changes. Fields are short names
  // chosen by the caller ("envelope", "bodystructure", "body"). Values are
  // written to disk by flush(), refresh() and the destructor; losing them (a
  // crash) only costs a re-read of the message.
  virtual std::optional<std::string> cached(uint32_t uid, std::string_view field) const = 0;
  virtual void store_cached(uint32_t uid, std::string_view field, std::string value) = 0;
  virtual Status flush() = 0;
};

}  // namespace postern::mailstore
