#pragma once

namespace miglint::cli {

// Exit codes, for CI.
enum ExitCode : int {
  k_exit_ok = 0,          // nothing at or above --fail-on
  k_exit_findings = 1,    // findings at or above --fail-on
  k_exit_usage = 2,       // bad command line or configuration
  k_exit_environment = 3, // the environment failed (cannot write output, no server, ...)
};

// Runs the command line; returns the process exit code.
int run(int argc, char** argv);

} // namespace miglint::cli
