// Fuzz target: bytes as miglint's configuration -> the TOML reader (toml++) and the checks of
// every key, both as miglint.toml and as pyproject.toml ([tool.miglint]). load_config reads
// files, so the bytes are written to a private scratch directory. Seeds: the README's ```toml
// blocks and `miglint init`'s starter.

#include "config/config.hpp"
#include "fuzz_support.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

using namespace miglint;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const fuzz::ScratchDir dir;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  size_t sum = 0;
  for (const char* name : {"miglint.toml", "pyproject.toml"}) {
    const auto loaded = config::load_config(dir.write(name, bytes).string());
    sum += loaded.errors.size() + loaded.config.severity.size() +
           loaded.config.session_settings.size();
  }
  return sum == SIZE_MAX ? -1 : 0; // the sum keeps the work from being optimised away
}
