// Alembic env.py read statically: the session settings it makes on the migration connection
// (SET executed on it, libpq options in connect_args), context.configure's literal keywords and
// the naming convention of its MetaData; and the settings silencing missing-lock-timeout, as
// does the `session-settings` configuration key.

#include "alembic/env.hpp"
#include "discover/discover.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace miglint {
namespace {

using test::TempDir;

// As warehouse does: SET on the connection before configure, text() and a plain string.
const char* k_set_on_connection = R"py(from alembic import context
from sqlalchemy import create_engine, pool, text


def run_migrations_online():
    url = context.config.get_main_option("sqlalchemy.url")
    connectable = create_engine(url, poolclass=pool.NullPool)

    with connectable.connect() as connection:
        connection.execute(text("SET statement_timeout = 5000"))
        connection.execute(text("SET lock_timeout = '4s'"))
        context.configure(
            connection=connection,
            transaction_per_migration=True,
            version_table="alembic_version_app",
            version_table_schema="meta",
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline mode is not supported")
else:
    run_migrations_online()
)py";

// libpq options passed through connect_args, through a variable.
const char* k_connect_args = R"py(from alembic import context
from sqlalchemy import engine_from_config, pool
import sqlalchemy as sa

OPTIONS = {"options": "-c lock_timeout=5s -cstatement_timeout=60s --idle-in-transaction-session-timeout=1min"}
metadata = sa.MetaData(naming_convention={"ix": "ix_%(column_0_label)s", "pk": "pk_%(table_name)s"})


def run_migrations_online():
    connectable = engine_from_config(
        context.config.get_section(context.config.config_ini_section),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
        connect_args=OPTIONS,
    )
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata,
                          transactional_ddl=False)
        try:
            with context.begin_transaction():
                context.run_migrations()
        finally:
            connection.close()


run_migrations_online()
)py";

// The stock env.py: no session settings.
const char* k_plain = R"py(from alembic import context
from sqlalchemy import engine_from_config, pool


def run_migrations_online():
    connectable = engine_from_config(context.config.get_section("alembic"), prefix="sqlalchemy.")
    with connectable.connect() as connection:
        context.configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
)py";

TEST(EnvPy, SetOnTheConnection) {
  const alembic::Env env = alembic::read_env(k_set_on_connection);
  EXPECT_EQ(env.session_settings, (std::map<std::string, std::string>{
                                      {"lock_timeout", "4s"}, {"statement_timeout", "5000"}}));
  EXPECT_EQ(env.transaction_per_migration, true);
  EXPECT_FALSE(env.transactional_ddl.has_value());
  EXPECT_EQ(env.version_table, "alembic_version_app");
  EXPECT_EQ(env.version_table_schema, "meta");
}

TEST(EnvPy, ConnectArgsOptionsAndNamingConvention) {
  const alembic::Env env = alembic::read_env(k_connect_args);
  EXPECT_EQ(env.session_settings,
            (std::map<std::string, std::string>{{"idle_in_transaction_session_timeout", "1min"},
                                                {"lock_timeout", "5s"},
                                                {"statement_timeout", "60s"}}));
  EXPECT_EQ(env.transactional_ddl, false);
  EXPECT_EQ(env.naming_convention,
            (std::map<std::string, std::string>{{"ix", "ix_%(column_0_label)s"},
                                                {"pk", "pk_%(table_name)s"}}));
}

TEST(EnvPy, WhatIsNotASessionSetting) {
  EXPECT_TRUE(alembic::read_env(k_plain).session_settings.empty());
  // SET LOCAL ends with its transaction; RESET undoes; a dynamic string is not known; a SET in
  // a comment or a plain string is not executed; broken Python is no crash.
  const alembic::Env env = alembic::read_env(
      "from sqlalchemy import text\n"
      "# connection.execute(\"SET lock_timeout = '1s'\")\n"
      "NOTE = \"SET search_path = x\"\n"
      "def f(connection, ms):\n"
      "    connection.execute(text(\"SET LOCAL lock_timeout = '1s'\"))\n"
      "    connection.execute(text(f\"SET statement_timeout = {ms}\"))\n"
      "    context.execute(\"SET work_mem = '64MB'; SET idle_session_timeout = 10\")\n"
      "    context.execute(\"RESET idle_session_timeout\")\n"
      "def broken(:\n");
  EXPECT_EQ(env.session_settings, (std::map<std::string, std::string>{{"work_mem", "64MB"}}));
}

// A script directory with `env` as env.py and one revision altering an existing table.
void write_project(const TempDir& dir, const std::string& env) {
  dir.write("migrations/env.py", env);
  dir.write("migrations/versions/a1.py", test::k_users_revision);
  dir.write("migrations/versions/b2.py",
            "from alembic import op\nimport sqlalchemy as sa\n\nrevision = 'b2'\n"
            "down_revision = 'a1'\n\n\ndef upgrade():\n"
            "    op.add_column('users', sa.Column('email', sa.String(), nullable=True))\n\n\n"
            "def downgrade():\n    op.drop_column('users', 'email')\n");
}

size_t lock_timeout_findings(const std::string& dir, const std::string& args = "") {
  const auto r = test::run_miglint("check migrations --format json " + args, dir);
  const auto doc = nlohmann::json::parse(r.out.substr(r.out.find('{')));
  size_t n = 0;
  for (const auto& f : doc["findings"]) {
    n += f["rule"] == "missing-lock-timeout" ? 1 : 0;
  }
  return n;
}

TEST(EnvPy, SessionSettingsSilenceMissingLockTimeout) {
  for (const auto* env : {k_set_on_connection, k_connect_args}) {
    TempDir dir;
    write_project(dir, env);
    EXPECT_EQ(lock_timeout_findings(dir.path().string()), 0u) << env;
    // The migrations carry what env.py set up.
    const auto found = discover::discover({(dir.path() / "migrations").string()});
    ASSERT_EQ(found.migrations.size(), 2u);
    EXPECT_EQ(found.migrations[1].session_settings.count("lock_timeout"), 1u);
  }
  TempDir plain;
  write_project(plain, k_plain);
  EXPECT_EQ(lock_timeout_findings(plain.path().string()), 1u);
  // `SET lock_timeout = 0` disables it again.
  TempDir zero;
  write_project(zero, "connection.execute(\"SET lock_timeout = 0\")\n");
  EXPECT_EQ(lock_timeout_findings(zero.path().string()), 1u);
}

TEST(EnvPy, ConfiguredSessionSettingsSilenceMissingLockTimeout) {
  TempDir dir;
  write_project(dir, k_plain);
  dir.write("miglint.toml", "session-settings = { lock_timeout = \"5s\" }\n");
  EXPECT_EQ(lock_timeout_findings(dir.path().string()), 0u);
  dir.write("miglint.toml", "[session-settings]\nlock_timeout = 0\n");
  EXPECT_EQ(lock_timeout_findings(dir.path().string()), 1u);
  dir.write("miglint.toml", "");
  dir.write("pyproject.toml", "[tool.miglint]\nsession-settings = { LOCK_TIMEOUT = 3000 }\n");
  std::filesystem::remove(dir.path() / "miglint.toml");
  EXPECT_EQ(lock_timeout_findings(dir.path().string()), 0u);
  dir.write("pyproject.toml", "[tool.miglint]\nsession-settings = \"lock_timeout=5s\"\n");
  const auto bad = test::run_miglint("check migrations", dir.path().string());
  EXPECT_EQ(bad.exit_code, 2) << bad.out;
  EXPECT_NE(bad.out.find("pyproject.toml:2: `session-settings` must be a table"), std::string::npos)
      << bad.out;
}

} // namespace
} // namespace miglint
