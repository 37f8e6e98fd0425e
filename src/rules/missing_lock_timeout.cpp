#include "lint/rule.hpp"
#include "lint/rule_support.hpp"

namespace miglint::rules {
namespace {

// A statement that needs a lock which blocks traffic, with no lock_timeout set: while it waits
// for a long-running query, every other query on the table queues behind it.
class MissingLockTimeout final : public lint::Rule {
public:
  std::string_view id() const override { return "missing-lock-timeout"; }

  void check(const sql::Statement& statement, lint::Context& ctx) const override {
    if (ctx.lock_timeout_set() || ctx.reported_in_script()) {
      return; // one finding per migration: a single SET at the top fixes them all
    }
    for (const auto& lock : ctx.locks_on_existing(statement)) {
      if (lock.mode != sql::LockMode::AccessExclusive &&
          lock.mode != sql::LockMode::ShareRowExclusive) {
        continue;
      }
      const lint::LockWords words = lint::lock_words(lock);
      ctx.report(statement, "this statement needs " + words.what +
                                " with no lock_timeout set: while it waits behind a long query, "
                                "all " +
                                words.blocked + " of " + words.of + " queue behind it");
      return;
    }
  }
};

} // namespace

std::unique_ptr<lint::Rule> make_missing_lock_timeout() {
  return std::make_unique<MissingLockTimeout>();
}

} // namespace miglint::rules
