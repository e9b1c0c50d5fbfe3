// The lookup keys of access tables, in Postfix's order (access(5)): shared
// by the local checks (access_policy.cpp) and the ones that ask outside
// smtpd (access_policy_remote.cpp). Pure; in smtpd, as mail_owner.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace postern::smtpd {

// "[192.0.2.1]": an address literal, not a name.
bool is_literal(std::string_view domain);
// "user@Example.COM" -> "example.com"; "" without an '@'.
std::string domain_of(std::string_view address);
// "user@example.com" -> "user"; the whole text without an '@'.
std::string local_part_of(std::string_view address);
// "x.example.com" -> x.example.com, example.com, com; "[192.0.2.1]" -> itself.
std::vector<std::string> domain_keys(std::string_view domain);
// An e-mail address: itself, its domain and parent domains, "user@";
// null_key for the null address.
std::vector<std::string> address_keys(std::string_view address, const std::string& null_key);
// An IP address and its networks: "192.0.2.1" -> 192.0.2.1, 192.0.2, 192.0, 192.
std::vector<std::string> network_keys(std::string address);
// A client: its host name and parent domains (unless "unknown"), then
// network_keys of its address.
std::vector<std::string> client_keys(const std::string& name, const std::string& address);

}  // namespace postern::smtpd
