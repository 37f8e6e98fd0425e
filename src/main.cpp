#include "cli/app.hpp"

#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <iostream>
#include <string>

#if defined(__linux__)
#include <unistd.h>
#endif

namespace {

#if defined(__linux__) && !defined(__SANITIZE_ADDRESS__)
// Set in the environment of the process started again: "=" and GLIBC_TUNABLES as it was, or "-"
// when it was not set.
constexpr const char* k_restart_marker = "MIGLINT_GLIBC_TUNABLES";

// Whether the kernel gives transparent huge pages only to memory that asks for them
// (/sys/kernel/mm/transparent_hugepage/enabled reads "always [madvise] never").
bool huge_pages_on_request() {
  std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string modes;
  std::getline(in, modes);
  return modes.find("[madvise]") != std::string::npos;
}

// Linting a long history touches a few hundred MB of fresh memory (parse trees, statements),
// and on virtual machines each first touch of a 4 KiB page is a trap to the hypervisor: page
// faults were the largest single cost (bench/README.md). glibc's malloc asks for transparent
// huge pages when GLIBC_TUNABLES has glibc.malloc.hugetlb=1, which glibc reads only when a
// process starts, so miglint starts itself once more with it (only where the kernel gives huge
// pages on request). The process started again puts GLIBC_TUNABLES back as it was, so the
// programs it runs (Alembic, PostgreSQL, git) see the caller's environment.
void restart_with_huge_pages(char** argv) {
  if (const char* saved = std::getenv(k_restart_marker)) {
    if (saved[0] == '=') {
      setenv("GLIBC_TUNABLES", saved + 1, 1);
    } else {
      unsetenv("GLIBC_TUNABLES");
    }
    unsetenv(k_restart_marker);
    return;
  }
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  if ((tunables != nullptr && std::strstr(tunables, "glibc.malloc.hugetlb") != nullptr) ||
      !huge_pages_on_request()) {
    return;
  }
  const std::string saved = tunables != nullptr ? "=" + std::string(tunables) : "-";
  const std::string wanted = tunables != nullptr && tunables[0] != '\0'
                                 ? std::string(tunables) + ":glibc.malloc.hugetlb=1"
                                 : "glibc.malloc.hugetlb=1";
  setenv(k_restart_marker, saved.c_str(), 1);
  setenv("GLIBC_TUNABLES", wanted.c_str(), 1);
  execv("/proc/self/exe", argv);
  // Not started again (no /proc): go on as we are.
  unsetenv(k_restart_marker);
  if (tunables != nullptr) {
    setenv("GLIBC_TUNABLES", saved.c_str() + 1, 1);
  } else {
    unsetenv("GLIBC_TUNABLES");
  }
}
#else
void restart_with_huge_pages(char**) {}
#endif

} // namespace

int main(int argc, char** argv) {
  restart_with_huge_pages(argv);
  try {
    return miglint::cli::run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "miglint: internal error: " << e.what() << '\n';
    return 70; // EX_SOFTWARE: a bug, never a user's fault
  }
}
