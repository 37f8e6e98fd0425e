#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <thread>
#include <vector>

namespace miglint::core {

// Calls fn(i) for every i in [0, n), on up to the machine's core count of threads. `fn` must only
// touch its own i-th slot of shared data. An exception from fn is rethrown here after all
// threads have stopped.
template <typename Fn>
void parallel_for(size_t n, Fn&& fn) {
  const size_t threads =
      std::min<size_t>(n, std::max<unsigned>(1, std::thread::hardware_concurrency()));
  if (threads <= 1) {
    for (size_t i = 0; i < n; ++i) {
      fn(i);
    }
    return;
  }
  std::atomic<size_t> next{0};
  std::exception_ptr error;
  std::atomic<bool> failed{false};
  auto work = [&] {
    for (size_t i = next++; i < n && !failed; i = next++) {
      try {
        fn(i);
      } catch (...) {
        if (!failed.exchange(true)) {
          error = std::current_exception();
        }
      }
    }
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) {
    pool.emplace_back(work);
  }
  work();
  for (auto& t : pool) {
    t.join();
  }
  if (error) {
    std::rethrow_exception(error);
  }
}

} // namespace miglint::core
