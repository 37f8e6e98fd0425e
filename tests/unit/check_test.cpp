// The check pipeline called directly, without the binary: discovery, narrowing, linting, the
// round-trip on a real PostgreSQL 15 cluster and the merge of what it observed, the run's facts.

#include "check/check.hpp"
#include "check/round_trip.hpp"
#include "lint/catalog.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace miglint::check {
namespace {

using test::TempDir;

// Options for a static check of `paths`, its log kept in `log`.
Options options_for(std::vector<std::string> paths, std::ostringstream& log) {
  Options o;
  o.paths = std::move(paths);
  o.log = &log;
  return o;
}

const core::Finding* find(const report::Report& r, const std::string& rule,
                          const std::string& migration = "") {
  for (const auto& f : r.findings) {
    if (f.rule == rule && (migration.empty() || f.migration == migration)) {
      return &f;
    }
  }
  return nullptr;
}

TEST(Check, LintsTheHistoryAndCountsWhatItChecked) {
  TempDir dir;
  test::write_users_history(dir);
  std::ostringstream log;
  const Outcome out = run(options_for({(dir.path() / "migrations").string()}, log));
  ASSERT_EQ(out.status, Status::Ok) << log.str();
  const auto* f = find(out.report, "add-column-not-null-no-default");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->migration, "002");
  EXPECT_EQ(f->severity, core::Severity::Error);
  EXPECT_EQ(out.report.migrations, 2u);
  EXPECT_EQ(out.report.files, 2u); // the upgrade scripts: --phase upgrade is the default
  EXPECT_FALSE(out.report.round_trip);
  EXPECT_EQ(out.report.rules.size(), lint::rule_docs().size());
}

TEST(Check, UnknownRulesAndMissingPathsAreUsageErrors) {
  TempDir dir;
  test::write_users_history(dir);
  std::ostringstream log;
  Options o = options_for({(dir.path() / "migrations").string()}, log);
  o.lint.selection.extend = {"no-such-rule"};
  EXPECT_EQ(run(o).status, Status::Usage);
  EXPECT_NE(log.str().find("unknown rule or group `no-such-rule`"), std::string::npos) << log.str();

  std::ostringstream log2;
  EXPECT_EQ(run(options_for({(dir.path() / "nowhere").string()}, log2)).status, Status::Usage);
  EXPECT_NE(log2.str().find("nowhere"), std::string::npos) << log2.str();
}

// --extend-select adds to the selection: with `select` naming one rule, a rule named by
// `extend` reports too, and one named by neither does not.
TEST(Check, ExtendSelectAddsRulesToTheSelection) {
  TempDir dir;
  dir.write("m/001_t.up.sql", "CREATE TABLE t (id int);\nCREATE TABLE u (id int);\n");
  dir.write("m/002_x.up.sql", "TRUNCATE t;\nDROP TABLE u;\n");
  std::ostringstream log;
  Options o = options_for({(dir.path() / "m").string()}, log);
  o.lint.selection.select = {"drop-table"};
  Outcome out = run(o);
  ASSERT_EQ(out.status, Status::Ok) << log.str();
  EXPECT_NE(find(out.report, "drop-table"), nullptr);
  EXPECT_EQ(find(out.report, "truncate"), nullptr);
  o.lint.selection.extend = {"truncate"};
  out = run(o);
  EXPECT_NE(find(out.report, "drop-table"), nullptr);
  EXPECT_NE(find(out.report, "truncate"), nullptr);
  EXPECT_EQ(find(out.report, "missing-lock-timeout"), nullptr);
}

TEST(Check, ExcludedFilesAreContextNotReported) {
  TempDir dir;
  test::write_users_history(dir);
  std::ostringstream log;
  Options o = options_for({(dir.path() / "migrations").string()}, log);
  o.exclude.push_back({dir.path().string(), "002_*"});
  const Outcome out = run(o);
  ASSERT_EQ(out.status, Status::Ok) << log.str();
  EXPECT_EQ(find(out.report, "add-column-not-null-no-default"), nullptr);
  EXPECT_EQ(out.report.migrations, 1u);
}

TEST(Check, RuleInfosCarryTheCatalog) {
  const auto infos = rule_infos({{"drop-table", core::Severity::Error}});
  auto info = [&](const std::string& id) {
    return *std::find_if(infos.begin(), infos.end(),
                         [&](const report::RuleInfo& r) { return r.id == id; });
  };
  EXPECT_EQ(info("drop-table").severity, core::Severity::Error); // configured over documented
  EXPECT_EQ(info("truncate").severity, core::Severity::Warning);
  EXPECT_EQ(info("multiple-heads").kind, "graph");
  EXPECT_TRUE(info("multiple-heads").has_tag("alembic"));
  EXPECT_EQ(info("downgrade-leaves-trace").kind, "round-trip");
  EXPECT_EQ(info("truncate").rationale.find("`TRUNCATE` removes every row at once"), 0u);
  EXPECT_EQ(info("truncate").rationale.find('\n'), std::string::npos);
}

// The merge on its own: a confirmation joins the static lock finding of its line and swallows
// the observations of that statement; other observations stay for the phases linted.
TEST(CheckMerge, ConfirmationsAndObservationsByPhase) {
  auto file = std::make_shared<core::SourceFile>("m/002.up.sql", "A;\nB;\nC;\n");
  auto at = [&](uint32_t offset) { return core::Location{file, offset, offset + 1}; };
  auto finding = [&](const std::string& rule, uint32_t offset, core::Phase phase) {
    core::Finding f;
    f.rule = rule;
    f.location = at(offset);
    f.phase = phase;
    f.migration = "002";
    f.message = rule;
    return f;
  };
  std::vector<core::Finding> findings = {finding("set-not-null", 0, core::Phase::Upgrade),
                                         finding("drop-table", 3, core::Phase::Upgrade)};
  roundtrip::RoundTripResult result;
  result.confirmations = {{at(0), "took ACCESS EXCLUSIVE on public.t", "locks", std::nullopt},
                          {at(3), "took ACCESS EXCLUSIVE on public.u", "locks", std::nullopt}};
  result.observations = {finding("dangerous-lock-observed", 0, core::Phase::Upgrade),
                         finding("dangerous-lock-observed", 3, core::Phase::Upgrade),
                         finding("table-rewrite-observed", 6, core::Phase::Downgrade)};
  result.findings = {finding("downgrade-leaves-trace", 6, core::Phase::Downgrade)};
  lint::LintOptions lint; // upgrade only
  merge_round_trip(result, {}, lint::Linter(lint), lint, findings);
  std::multiset<std::string> seen;
  for (const auto& f : findings) {
    seen.insert(f.rule + "@" + std::to_string(f.location.start().line));
  }
  // set-not-null (tagged locks) takes the confirmation; drop-table (not about locks) does not,
  // so the lock observed on its line stands; the downgrade observation is not linted, the
  // downgrade's failure is always shown.
  EXPECT_EQ(seen,
            (std::multiset<std::string>{"set-not-null@1", "drop-table@2",
                                        "dangerous-lock-observed@2", "downgrade-leaves-trace@3"}));
  EXPECT_EQ(findings[0].message,
            "set-not-null; confirmed by the round-trip: took ACCESS EXCLUSIVE on public.t");
  EXPECT_EQ(findings[1].message, "drop-table");

  // Both phases: the downgrade's rewrite is reported too; `--ignore locks` drops observations.
  findings = {};
  lint.downgrade = true;
  merge_round_trip(result, {}, lint::Linter(lint), lint, findings);
  EXPECT_EQ(test::count_rule(findings, "table-rewrite-observed"), 1u);
  findings = {};
  lint.selection.ignore = {"locks"};
  merge_round_trip(result, {}, lint::Linter(lint), lint, findings);
  EXPECT_EQ(test::rules_of(findings), std::vector<std::string>{"downgrade-leaves-trace"});
}

// The whole check with the round-trip on a local PostgreSQL 15 cluster started for the test.
TEST(CheckRoundTrip, MergesWhatPostgresDid) {
  TempDir dir;
  dir.write("m/001_t.up.sql", "CREATE TABLE t (id int, v int);\nCREATE TABLE u (id int);\n"
                              "CREATE FUNCTION lock_u() RETURNS void LANGUAGE sql\n"
                              "  AS $$ LOCK TABLE u IN SHARE MODE $$;");
  dir.write("m/001_t.down.sql", "DROP FUNCTION lock_u();\nDROP TABLE u;\nDROP TABLE t;");
  // A rewrite predicted statically (change-column-type), and a lock nothing static speaks of.
  // (A function takes it, and it is held across the whole-table UPDATE of line 4.)
  dir.write("m/002_x.up.sql", "SET lock_timeout = '1s';\nALTER TABLE t ALTER COLUMN v TYPE "
                              "bigint;\nSELECT lock_u();\nUPDATE u SET id = 1;");
  dir.write("m/002_x.down.sql", "SET lock_timeout = '1s';\nALTER TABLE t ALTER COLUMN v TYPE int;");
  std::ostringstream log;
  Options o = options_for({(dir.path() / "m").string()}, log);
  o.round_trip.enabled = true;
  o.round_trip.server.provider = "local";
  const Outcome out = run(o);
  ASSERT_EQ(out.status, Status::Ok) << log.str();
  EXPECT_TRUE(out.report.round_trip);
  EXPECT_EQ(out.report.round_trip_stepped, 2u) << log.str();
  const auto* type = find(out.report, "change-column-type", "002");
  ASSERT_NE(type, nullptr);
  EXPECT_NE(type->message.find("confirmed by the round-trip: took ACCESS EXCLUSIVE on public.t, "
                               "rewrote public.t"),
            std::string::npos)
      << type->message;
  EXPECT_EQ(find(out.report, "table-rewrite-observed"), nullptr) << "merged into the static one";
  const auto* lock = find(out.report, "dangerous-lock-observed", "002");
  ASSERT_NE(lock, nullptr) << log.str();
  EXPECT_EQ(lock->location.start().line, 4u);
  ASSERT_TRUE(lock->observed.has_value());
  ASSERT_EQ(lock->observed->locks.size(), 1u);
  EXPECT_EQ(lock->observed->locks[0].relation, "public.u");
  EXPECT_EQ(lock->observed->locks[0].mode, "SHARE");
  ASSERT_TRUE(type->observed.has_value());
  EXPECT_EQ(type->observed->rewrites, std::vector<std::string>{"public.t"});
  EXPECT_EQ(lock->phase, core::Phase::Upgrade);
  EXPECT_EQ(test::count_rule(out.report.findings, "dangerous-lock-observed"), 1u)
      << "the downgrade's locks are not linted with --phase upgrade";
  EXPECT_NE(log.str().find("round-trip stepped 2 migrations"), std::string::npos) << log.str();
}

TEST(CheckRoundTrip, AServerThatCannotStartIsAnEnvironmentError) {
  TempDir dir;
  test::write_users_history(dir);
  std::ostringstream log;
  Options o = options_for({(dir.path() / "migrations").string()}, log);
  o.round_trip.enabled = true;
  o.round_trip.server.provider = "local";
  o.round_trip.server.pg_bin = {(dir.path() / "no-bin").string()};
  EXPECT_EQ(run(o).status, Status::Environment);
  EXPECT_NE(log.str().find("cannot start the round-trip's PostgreSQL"), std::string::npos)
      << log.str();
}

} // namespace
} // namespace miglint::check
