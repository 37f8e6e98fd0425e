#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace miglint::core {

namespace detail {
inline std::atomic<unsigned>& default_jobs_slot() {
  static std::atomic<unsigned> jobs{0};
  return jobs;
}
} // namespace detail

// How many threads `jobs` asks for: a positive number as given, 0 the process default
// (set_default_jobs, else the machine's core count, std::thread::hardware_concurrency). At least 1.
inline unsigned resolve_jobs(unsigned jobs) {
  if (jobs == 0) {
    jobs = detail::default_jobs_slot().load(std::memory_order_relaxed);
  }
  if (jobs == 0) {
    jobs = std::thread::hardware_concurrency();
  }
  return std::max(1U, jobs);
}

// Sets the thread count every parallel_for without an explicit count uses (0: the core count),
// for the whole process: `--jobs 1` runs everything on the calling thread, for debugging.
inline void set_default_jobs(unsigned jobs) {
  detail::default_jobs_slot().store(jobs, std::memory_order_relaxed);
}

// Calls fn(i) for every i in [0, n), on up to resolve_jobs(jobs) threads (the calling one
// included). `fn` must only touch its own i-th slot of shared data. An exception from fn is
// rethrown here after all threads have stopped.
template <typename Fn>
void parallel_for(size_t n, Fn&& fn, unsigned jobs = 0) {
  const size_t threads = std::min<size_t>(n, resolve_jobs(jobs));
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

// Calls produce(i) for every i in [0, n) on up to resolve_jobs(jobs) threads, and consume(i) on
// the calling thread for i = 0, 1, ... n-1 in that order, each as soon as produce(i) returned:
// consuming overlaps producing the items after it. While the item it waits for is still being
// produced, the calling thread produces later ones itself. produce(i) must only touch the i-th
// slot of shared data; consume(i) may read every slot up to i. An exception from either stops the
// items not yet started and is rethrown here (the first one) after all threads have stopped.
template <typename Produce, typename Consume>
void parallel_ordered(size_t n, Produce&& produce, Consume&& consume, unsigned jobs = 0) {
  const size_t threads = std::min<size_t>(n, resolve_jobs(jobs));
  if (threads <= 1) {
    for (size_t i = 0; i < n; ++i) {
      produce(i);
      consume(i);
    }
    return;
  }
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::mutex mutex;
  std::condition_variable ready_changed;
  const std::unique_ptr<bool[]> ready(new bool[n]()); // guarded by mutex
  auto fail = [&] {
    std::lock_guard lock(mutex);
    if (!failed.exchange(true)) {
      error = std::current_exception();
    }
    ready_changed.notify_all();
  };
  // Produces the next unclaimed item; false when there is none left (or a failure stopped all).
  auto produce_one = [&] {
    const size_t i = next++;
    if (i >= n || failed) {
      return false;
    }
    try {
      produce(i);
    } catch (...) {
      fail();
      return false;
    }
    std::lock_guard lock(mutex);
    ready[i] = true;
    ready_changed.notify_all();
    return true;
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) {
    pool.emplace_back([&] {
      while (produce_one()) {
      }
    });
  }
  for (size_t i = 0; i < n && !failed; ++i) {
    while (true) {
      {
        std::unique_lock lock(mutex);
        if (ready[i] || failed) {
          break;
        }
        if (next.load() >= n) { // everything is claimed: wait for item i
          ready_changed.wait(lock, [&] { return ready[i] || failed.load(); });
          break;
        }
      }
      produce_one();
    }
    if (failed) {
      break;
    }
    try {
      consume(i);
    } catch (...) {
      next = n; // the workers stop after their current item
      fail();
    }
  }
  for (auto& t : pool) {
    t.join();
  }
  if (error) {
    std::rethrow_exception(error);
  }
}

} // namespace miglint::core
