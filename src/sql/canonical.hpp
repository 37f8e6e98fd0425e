#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace miglint::sql {

// Each statement of `script` as libpg_query deparses it: spelling, case and white space gone, so
// two scripts that PostgreSQL reads the same way compare equal. nullopt if the script does not
// parse.
std::optional<std::vector<std::string>> canonical_statements(std::string_view script);

} // namespace miglint::sql
