#include "cli/app.hpp"

#include <exception>
#include <iostream>

int main(int argc, char** argv) {
  try {
    return miglint::cli::run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "miglint: internal error: " << e.what() << '\n';
    return 70; // EX_SOFTWARE: a bug, never a user's fault
  }
}
