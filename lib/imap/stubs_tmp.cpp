// First compiling implementation: parsers not written yet answer BAD.
#include "lib/imap/command_args.hpp"
#include "lib/imap/date_time.hpp"
#include "lib/imap/fetch_request.hpp"
#include "lib/imap/list_request.hpp"
#include "lib/imap/mutf7.hpp"
#include "lib/imap/response.hpp"
#include "lib/imap/search_key.hpp"
#include "lib/imap/section.hpp"
#include "lib/imap/status_items.hpp"

namespace postern::imap {
namespace {
ParseError todo() { return syntax_error("Not implemented yet"); }
}
std::string Section::to_string() const { return {}; }
bool FetchItem::sets_seen() const { return false; }
std::string FetchItem::response_name() const { return {}; }
bool FetchRequest::sets_seen() const { return false; }
bool FetchRequest::has(FetchItem::Kind) const { return false; }
Parsed<FetchRequest> parse_fetch(Args, const FetchOptions&) { return todo(); }
Parsed<FetchItem> parse_fetch_item(std::string_view, const FetchOptions&) { return todo(); }
Parsed<Section> parse_section(std::string_view) { return todo(); }
int64_t Date::days() const { return 0; }
Date Date::from_days(int64_t) { return {}; }
std::optional<Date> parse_date(std::string_view) { return std::nullopt; }
std::optional<int64_t> parse_date_time(std::string_view) { return std::nullopt; }
Date date_of(int64_t, int) { return {}; }
std::string format_date_time(int64_t, int) { return {}; }
std::string format_date(const Date&) { return {}; }
Parsed<std::string> mutf7_decode(std::string_view) { return todo(); }
Parsed<std::string> mutf7_encode(std::string_view) { return todo(); }
Parsed<std::string> mailbox_from_wire(std::string_view) { return todo(); }
std::string mailbox_to_wire(std::string_view s) { return std::string(s); }
Parsed<SearchProgram> parse_search(Args, const SearchOptions&) { return todo(); }
Parsed<ListRequest> parse_list(Args, bool) { return todo(); }
ListPattern::ListPattern(std::string_view, std::string_view p, char s) : pattern_(p), separator_(s) {}
bool ListPattern::matches(std::string_view) const { return false; }
bool StatusItems::has(StatusItem) const { return false; }
Parsed<StatusItems> parse_status_items(const Arg&, const StatusOptions&) { return todo(); }
const char* status_item_name(StatusItem) { return ""; }
std::optional<ParseError> expect_arity(Args, size_t, std::string_view) { return todo(); }
Parsed<std::string> parse_mailbox(const Arg&) { return todo(); }
Parsed<StoreRequest> parse_store(Args, const StoreOptions&) { return todo(); }
Parsed<AppendRequest> parse_append(std::vector<Arg>&&) { return todo(); }
Parsed<StatusRequest> parse_status(Args, const StatusOptions&) { return todo(); }
Parsed<CopyRequest> parse_copy(Args, bool) { return todo(); }
Parsed<SelectRequest> parse_select(Args) { return todo(); }
Parsed<std::pair<std::string, std::string>> parse_rename(Args) { return todo(); }
Parsed<LoginRequest> parse_login(Args) { return todo(); }
Parsed<AuthenticateRequest> parse_authenticate(Args) { return todo(); }
Parsed<std::vector<std::string>> parse_enable(Args) { return todo(); }
Parsed<IdParams> parse_id(Args) { return todo(); }
Parsed<SequenceSet> parse_uid_expunge(Args) { return todo(); }
std::string status_response(std::string_view, std::string_view, std::string_view, std::string_view) { return {}; }
std::string astring(std::string_view v) { return std::string(v); }
std::string copyuid_code(uint32_t, std::string_view, std::string_view) { return {}; }
std::string appenduid_code(uint32_t, uint32_t) { return {}; }
}  // namespace postern::imap
