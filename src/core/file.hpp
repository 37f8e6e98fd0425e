#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace miglint::core {

// The whole content of a file, or nullopt if it cannot be read.
std::optional<std::string> read_file(const std::filesystem::path& path);

} // namespace miglint::core
