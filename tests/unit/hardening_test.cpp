// Inputs that the fuzz targets (tests/fuzz/) and the sanitizer build (ci/sanitize.sh) found
// breaking miglint, each reproduced as a small literal: they must give findings, never a crash,
// a hang or a leak.

#include "alembic/revision.hpp"
#include "alembic/translate.hpp"
#include "python/ast.hpp"
#include "python/eval.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace miglint {
namespace {

alembic::Translation translate_text(const std::string& text,
                                    core::Phase phase = core::Phase::Upgrade) {
  auto file = std::make_shared<core::SourceFile>("versions/a1.py", text);
  const auto revision = alembic::read_revision(file);
  return alembic::translate(*revision, phase);
}

std::vector<std::string> messages_of(const std::vector<core::Finding>& findings,
                                     const std::string& rule) {
  std::vector<std::string> out;
  for (const auto& f : findings) {
    if (f.rule == rule) {
      out.push_back(f.message);
    }
  }
  return out;
}

// python_fuzz: a `batch_op` called after its `with op.batch_alter_table(...)` block read the
// batch of the block from an empty stack (heap-use-after-free). Alembic runs nothing it queues
// then. Inside another batch's block it was read as that block's table (Alembic runs it when its
// own block ends): both are reported as code miglint does not read.
TEST(Hardening, BatchOpOutsideItsBlockIsReportedNotRead) {
  const auto t = translate_text("from alembic import op\nimport sqlalchemy as sa\n"
                                "revision = 'a1'\ndown_revision = None\n\n"
                                "def upgrade():\n"
                                "    with op.batch_alter_table('users') as batch_op:\n"
                                "        batch_op.drop_column('a')\n"
                                "    batch_op.drop_column('b')\n"
                                "    with op.batch_alter_table('orders') as outer:\n"
                                "        with op.batch_alter_table('items') as inner:\n"
                                "            outer.drop_column('c')\n"
                                "            inner.drop_column('d')\n");
  ASSERT_TRUE(t.script);
  EXPECT_NE(t.script->sql.find("ALTER TABLE users DROP COLUMN a"), std::string::npos)
      << t.script->sql;
  EXPECT_NE(t.script->sql.find("ALTER TABLE items DROP COLUMN d"), std::string::npos)
      << t.script->sql;
  EXPECT_EQ(t.script->sql.find("COLUMN b"), std::string::npos) << t.script->sql;
  EXPECT_EQ(t.script->sql.find("COLUMN c"), std::string::npos) << t.script->sql;
  const auto messages = messages_of(t.findings, "unanalyzable-code");
  ASSERT_EQ(messages.size(), 2u) << ::testing::PrintToString(messages);
  for (const auto& m : messages) {
    EXPECT_NE(m.find("of a batch called outside the batch's own `with op.batch_alter_table(...)` "
                     "block is not analysed"),
              std::string::npos)
        << m;
  }
}

// A Host that keeps (weakly) whatever the code hands to `keep(...)`.
class KeepingHost : public python::Host {
public:
  std::vector<std::weak_ptr<python::Value>> kept;

  python::ValuePtr call(const python::ValuePtr& callee, const python::Args& args) override {
    if (callee->name == "helpers.keep") {
      for (const auto& a : args.positional) {
        kept.push_back(a);
      }
    }
    return python::make_none();
  }
  python::ValuePtr attribute(const python::ValuePtr&, const std::string&, python::Span) override {
    return nullptr;
  }
  python::ValuePtr enter(const python::ValuePtr&, python::Span) override { return nullptr; }
  void exit(const python::ValuePtr&, python::Span) override {}
  void unanalyzable(python::Span, const std::string&) override {}
  void statement_begin(const python::Stmt&) override {}
  void statement_end(const python::Stmt&) override {}
  void discarded(const python::ValuePtr&, const python::Stmt&) override {}
  size_t schema_changes() const override { return 0; }
  void probe(bool) override {}
};

// LeakSanitizer, on every revision with a function: Python's reference cycles (a module
// function and the scope that binds it, a list that holds itself) were shared_ptr cycles that
// outlived the evaluation. Once the evaluator is gone, nothing it made may be left.
TEST(Hardening, EvaluatorFreesWhatItMadeCyclesIncluded) {
  const python::Module module = python::parse("from helpers import keep\n"
                                              "def helper():\n"
                                              "    return 1\n"
                                              "def upgrade():\n"
                                              "    a = []\n"
                                              "    a.append(a)\n"
                                              "    d = {}\n"
                                              "    d['self'] = d\n"
                                              "    s = [0]\n"
                                              "    s[0] = [s]\n"
                                              "    def inner():\n"
                                              "        return inner\n"
                                              "    keep(a, d, s, inner, helper)\n");
  ASSERT_TRUE(module.errors.empty());
  const std::map<std::string, std::string, std::less<>> aliases = {{"keep", "helpers.keep"}};
  KeepingHost host;
  {
    python::Evaluator evaluator(module, aliases, host);
    const python::Stmt* upgrade = &module.body.back();
    ASSERT_EQ(upgrade->name, "upgrade");
    EXPECT_EQ(evaluator.run(*upgrade), "");
    ASSERT_EQ(host.kept.size(), 5u);
    for (const auto& k : host.kept) {
      EXPECT_FALSE(k.expired()); // alive while the evaluation may still use them
    }
  }
  for (size_t i = 0; i < host.kept.size(); ++i) {
    EXPECT_TRUE(host.kept[i].expired()) << "value " << i << " of keep(...) outlived the evaluator";
  }
}

} // namespace
} // namespace miglint
