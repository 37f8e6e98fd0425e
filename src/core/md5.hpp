#pragma once

// MD5 (RFC 1321), for names that must match another tool's bit for bit: SQLAlchemy shortens a
// naming-convention name longer than the dialect's identifier limit with its MD5's last four
// hex digits. Not for security.

#include <string>
#include <string_view>

namespace miglint::core {

// The MD5 of `data` (bytes as given) as 32 lower-case hex digits.
std::string md5_hex(std::string_view data);

} // namespace miglint::core
