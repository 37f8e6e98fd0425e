#include "python/ast.hpp"

#include <gtest/gtest.h>

namespace miglint::python {
namespace {

const Stmt* find_def(const Module& m, const std::string& name) {
  for (const auto& s : m.body) {
    if (s.kind == StmtKind::Def && s.name == name) {
      return &s;
    }
  }
  return nullptr;
}

TEST(Python, RevisionFileShape) {
  const std::string src = R"py("""add users

Revision ID: a1b2
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision: str = "a1b2"
down_revision: Union[str, None] = ("x1", 'y2')
branch_labels = None


def upgrade() -> None:
    # a comment
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), server_default=sa.text("'x'")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("age", sa.Integer()))
    if op.get_context().dialect.name == "postgresql":
        op.execute("SELECT 1")
    else:
        pass


def downgrade() -> None:
    raise NotImplementedError("no way back")
)py";
  const Module m = parse(src);
  ASSERT_TRUE(m.errors.empty()) << m.errors[0].message << " at " << m.errors[0].offset;
  ASSERT_EQ(m.body.size(), 10u);
  EXPECT_EQ(m.body[0].kind, StmtKind::Expr); // docstring
  EXPECT_EQ(m.body[1].kind, StmtKind::ImportFrom);
  EXPECT_EQ(m.body[3].kind, StmtKind::Import);
  EXPECT_EQ(m.body[3].names[0].first, "sqlalchemy");
  EXPECT_EQ(m.body[3].names[0].second, "sa");
  EXPECT_EQ(m.body[5].kind, StmtKind::AnnAssign);
  EXPECT_EQ(m.body[5].value->text, "a1b2");
  EXPECT_EQ(m.body[6].value->kind, ExprKind::Tuple);
  EXPECT_EQ(m.body[6].value->items[1]->text, "y2");
  const Stmt* up = find_def(m, "upgrade");
  ASSERT_NE(up, nullptr);
  ASSERT_EQ(up->body.size(), 3u);
  const auto& call = up->body[0].value;
  EXPECT_EQ(call->kind, ExprKind::Call);
  EXPECT_EQ(call->target->dotted(), "op.create_table");
  ASSERT_EQ(call->items.size(), 3u);
  EXPECT_EQ(call->items[1]->keywords[0].name, "nullable");
  EXPECT_EQ(call->items[2]->items[1]->keywords[0].value->text, "50");
  EXPECT_EQ(up->body[1].kind, StmtKind::With);
  EXPECT_EQ(up->body[1].items[0].alias, "batch_op");
  EXPECT_EQ(up->body[2].kind, StmtKind::If);
  EXPECT_EQ(up->body[2].orelse[0].kind, StmtKind::Pass);
  const Stmt* down = find_def(m, "downgrade");
  ASSERT_NE(down, nullptr);
  EXPECT_EQ(down->body[0].kind, StmtKind::Raise);
  ASSERT_EQ(m.comments.size(), 1u);
  EXPECT_EQ(m.comments[0].text, " a comment");
}

TEST(Python, StringsDecodeAndMapBackToTheFile) {
  const std::string src = "x = 'a\\tb' \"c\" r'\\d'\ny = '''multi\nline'''\nz = f'{v}'\n";
  const Module m = parse(src);
  ASSERT_TRUE(m.errors.empty());
  const auto& x = m.body[0].value;
  EXPECT_EQ(x->kind, ExprKind::Str);
  EXPECT_EQ(x->text, "a\tbc\\d");
  // 'a' maps exactly to its byte in the file; the escape maps to its two source bytes.
  ASSERT_GE(x->pieces.size(), 3u);
  EXPECT_EQ(src.substr(x->pieces[0].file_begin, 1), "a");
  EXPECT_FALSE(x->pieces[1].exact);
  EXPECT_EQ(src.substr(x->pieces[1].file_begin, x->pieces[1].file_end - x->pieces[1].file_begin),
            "\\t");
  EXPECT_EQ(m.body[1].value->text, "multi\nline");
  EXPECT_EQ(m.body[2].value->kind, ExprKind::FString);
}

TEST(Python, EscapesAndUnicode) {
  const Module m = parse("s = '\\x41\\u00e9\\N\\'\\\\'\nb = b'\\x00'\n");
  ASSERT_TRUE(m.errors.empty());
  EXPECT_EQ(m.body[0].value->text, "A\xC3\xA9\\N'\\");
  EXPECT_EQ(m.body[1].value->kind, ExprKind::Bytes);
}

TEST(Python, MalformedFilesGiveErrorsNotCrashes) {
  for (const char* src :
       {"x = 'unterminated\ny = 1\n", "def f(:\n  pass\n", "x = (1,\n", "if x:\npass\n",
        "def f():\n\tif x:\n        pass\n", "x = $\n", "def f():\n    return 1\n  y = 2\n",
        "x = '''never closed\n", "\xff\xfe\x00garbage(((", "", "\n\n   \n", "@@@", "x = [1, 2"}) {
    const Module m = parse(src);
    (void)m; // must not crash or hang
  }
  EXPECT_FALSE(parse("x = 'unterminated\ny = 1\n").errors.empty());
  EXPECT_FALSE(parse("if x:\npass\n").errors.empty());
  EXPECT_FALSE(parse("def f():\n\tif x:\n        pass\n").errors.empty());
}

TEST(Python, RecoversAfterAnError) {
  const Module m = parse("x = (1 +\ny = 2\ndef upgrade():\n    op.drop_table('t')\n");
  EXPECT_FALSE(m.errors.empty());
}

TEST(Python, ErrorOnOneLineKeepsTheRest) {
  const Module m = parse("x = 1 +\ny = 2\n");
  ASSERT_EQ(m.errors.size(), 1u);
  ASSERT_EQ(m.body.size(), 1u);
  EXPECT_EQ(m.body[0].targets[0]->text, "y");
}

TEST(Python, CrLfTabsAndBom) {
  const Module m = parse("\xEF\xBB\xBF"
                         "def upgrade():\r\n\top.drop_table('t')\r\n\r\n");
  ASSERT_TRUE(m.errors.empty());
  ASSERT_EQ(m.body.size(), 1u);
  ASSERT_EQ(m.body[0].body.size(), 1u);
  EXPECT_EQ(m.body[0].body[0].value->target->dotted(), "op.drop_table");
}

TEST(Python, LoopsAndTryKeepTheirParts) {
  const Module m =
      parse("for t, (a, b) in tables:\n    op.drop_table(t)\nelse:\n    pass\n"
            "try:\n    x = 1\nexcept (KeyError, ValueError) as e:\n    pass\nexcept:\n    q = 1\n"
            "else:\n    w = 1\nfinally:\n    y = 2\n"
            "while n < 3:\n    n += 1\n    break\nclass C:\n    pass\nz = 3\n");
  ASSERT_TRUE(m.errors.empty()) << m.errors[0].message;
  ASSERT_EQ(m.body.size(), 5u);
  ASSERT_EQ(m.body[0].kind, StmtKind::For);
  EXPECT_EQ(m.body[0].targets[0]->kind, ExprKind::Tuple);
  EXPECT_EQ(m.body[0].value->text, "tables");
  EXPECT_EQ(m.body[0].body.size(), 1u);
  EXPECT_EQ(m.body[0].orelse.size(), 1u);
  ASSERT_EQ(m.body[1].kind, StmtKind::Try);
  ASSERT_EQ(m.body[1].handlers.size(), 2u);
  EXPECT_EQ(m.body[1].handlers[0].name, "e");
  EXPECT_EQ(m.body[1].handlers[1].type, nullptr);
  EXPECT_EQ(m.body[1].orelse.size(), 1u);
  EXPECT_EQ(m.body[1].finalbody.size(), 1u);
  ASSERT_EQ(m.body[2].kind, StmtKind::While);
  ASSERT_EQ(m.body[2].body.size(), 2u);
  EXPECT_EQ(m.body[2].body[0].kind, StmtKind::AugAssign);
  EXPECT_EQ(m.body[2].body[0].keyword, "+");
  EXPECT_EQ(m.body[2].body[1].kind, StmtKind::Break);
  EXPECT_EQ(m.body[3].kind, StmtKind::Class);
  EXPECT_EQ(m.body[3].name, "C");
  EXPECT_EQ(m.body[4].kind, StmtKind::Assign);
}

TEST(Python, FunctionParameters) {
  const Module m = parse("def f(a, b: int = 2, *args, c, d=None, **kw) -> bool:\n    pass\n"
                         "def g(x, /, *, y):\n    pass\n");
  ASSERT_TRUE(m.errors.empty()) << m.errors[0].message;
  const auto& p = m.body[0].params;
  ASSERT_EQ(p.size(), 6u);
  EXPECT_EQ(p[0].name, "a");
  EXPECT_EQ(p[1].default_value->text, "2");
  EXPECT_EQ(p[2].star, "*");
  EXPECT_TRUE(p[3].keyword_only);
  EXPECT_EQ(p[4].default_value->kind, ExprKind::None);
  EXPECT_EQ(p[5].star, "**");
  const auto& q = m.body[1].params;
  ASSERT_EQ(q.size(), 2u);
  EXPECT_FALSE(q[0].keyword_only);
  EXPECT_TRUE(q[1].keyword_only);
}

TEST(Python, ComprehensionsAndFStringFields) {
  const std::string src = "x = [c.name for t in ts if t for c in t.cols]\n"
                          "y = {k: v for k, v in d.items()}\n"
                          "z = f\"DROP {t!r} {{x}} {obj.name:>5}\"\n";
  const Module m = parse(src);
  ASSERT_TRUE(m.errors.empty()) << m.errors[0].message;
  const auto& x = *m.body[0].value;
  ASSERT_EQ(x.kind, ExprKind::Comprehension);
  EXPECT_EQ(x.text, "list");
  ASSERT_EQ(x.comps().size(), 2u);
  EXPECT_EQ(x.comps()[0].ifs.size(), 1u);
  EXPECT_EQ(x.items[0]->dotted(), "c.name");
  const auto& y = *m.body[1].value;
  EXPECT_EQ(y.text, "dict");
  EXPECT_EQ(y.items.size(), 2u);
  const auto& z = *m.body[2].value;
  ASSERT_EQ(z.kind, ExprKind::FString);
  ASSERT_EQ(z.fields().size(), 4u);
  EXPECT_EQ(z.fields()[0].expr->text, "t");
  EXPECT_EQ(z.fields()[0].conversion, "r");
  // The field's position is its place in the file.
  EXPECT_EQ(src.substr(z.fields()[0].expr->span.begin, 1), "t");
  EXPECT_EQ(z.fields()[1].literal, "{");
  EXPECT_EQ(z.fields()[2].literal, "}");
  EXPECT_TRUE(z.fields()[3].has_format);
  EXPECT_EQ(z.fields()[3].expr->dotted(), "obj.name");
}

TEST(Python, Expressions) {
  const Module m =
      parse("x = a if b else -c ** 2\ny = {'k': [1, (2,)], **d}\n"
            "z = [i for i in range(3)]\nw = not a and b or c in d\nv = f(*a, **k)[0].g\n");
  ASSERT_TRUE(m.errors.empty()) << m.errors[0].message;
  EXPECT_EQ(m.body[0].value->kind, ExprKind::IfExp);
  EXPECT_EQ(m.body[1].value->kind, ExprKind::Dict);
  EXPECT_EQ(m.body[1].value->items.size(), 4u);
  EXPECT_EQ(m.body[2].value->kind, ExprKind::Comprehension);
  EXPECT_EQ(m.body[3].value->kind, ExprKind::BoolOp);
  EXPECT_EQ(m.body[4].value->kind, ExprKind::Attribute);
}

} // namespace
} // namespace miglint::python
