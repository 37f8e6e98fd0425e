#!/usr/bin/python3
"""miglint's SQL against what Alembic really sends to PostgreSQL, revision by revision.

    /usr/bin/python3 bench/alembic_online_compare.py build/miglint PROJECT [--versions DIR]
        [--root DIR] [--stub MOD[,MOD...]] [--naming-convention FILE] [--env-import MODS]
        [--path DIRS] [--keep] [-v]

The history is run online by Debian's Alembic (this interpreter) against a scratch PostgreSQL
15 cluster started here (initdb in a temporary directory, a unix socket only, removed at the
end): `upgrade heads`, then `downgrade base`. The revision files are copied into a temporary
script directory whose env.py is this script's own (the project's env.py imports the
application, which Debian's Python cannot): it logs every statement sent, with bind parameters
rendered as literals by psycopg2, between markers that wrap each revision's upgrade()/downgrade().
Questions the revisions or SQLAlchemy ask the catalog (pg_catalog, information_schema, SHOW,
alembic_version) are left out. miglint's `sql` output for PROJECT is compared with each step
statement by statement, normalised as bench/alembic_compare.py does.

--versions  the directory holding the revision files (default: found under PROJECT; prefect's
            per-dialect tree: pass .../versions/postgresql).
--root      put on sys.path for project imports (default: the directory above PROJECT).
--stub      modules the revisions import that Debian's Python lacks (the application's settings,
            orjson): replaced by stand-in modules whose attributes are stand-in values (strings
            naming themselves, callable, usable as base classes). `PKG.MOD.attr=MODULE` makes one
            attribute (or module) a real module: CTFd: `CTFd.models.db=sqlalchemy`
            (Flask-SQLAlchemy's db spelling SQLAlchemy's names); prefect:
            `prefect.server.utilities.database=prefect_types`, bench/shims/prefect_types.py: column
            types standing for the application's TypeDecorators as they render on PostgreSQL.
            Revisions that use stand-ins only on rows (none on a scratch database) then run.
The engine is SQLAlchemy 1.4's 2.0-style one (future=True: Connection.commit()), and SQLAlchemy
2.0 names under Debian's 1.4 (sa.Connection, sa.Inspector, sa.Uuid, sa.UUID, sa.Double,
postgresql.CITEXT) are aliased to the 1.4 types that render the same on PostgreSQL.

--env-import  modules the project's env.py imports for their side effects, imported by the
            minimal env.py too (warehouse: `alembic_postgresql_enum`, which registers
            op.sync_enum_values).
--path      directories put on sys.path (os.pathsep-separated), for such packages when Debian
            does not ship them: a checkout made to measure, never committed.

--naming-convention  a Python file holding the application's `MetaData(naming_convention={...})`
            (read with ast, never imported): the minimal env.py's target_metadata gets it, as the
            project's own env.py would. Without it, target_metadata is None.

Per history it prints: steps run, equal, equal apart from data statements (DML in loops over
rows, which a scratch database does not have), differ (with the first differing statement), and
where the run stopped. Reads the history only; writes only under the temporary directory.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from alembic_compare import miglint_blocks, naming_convention, split_statements  # noqa: E402

PGBIN = "/usr/lib/postgresql/15/bin"

ENV_PY = r'''
import importlib, os, sys
import sqlalchemy as sa
from alembic import context

for module in filter(None, os.environ.get("MIGLINT_ONLINE_IMPORTS", "").split(",")):
    importlib.import_module(module)  # what the project's env.py imports for its side effects

log = open(os.environ["MIGLINT_ONLINE_LOG"], "a", encoding="utf-8")
engine = sa.create_engine(os.environ["MIGLINT_ONLINE_URL"], poolclass=sa.pool.NullPool, future=True)
convention = os.environ.get("MIGLINT_ONLINE_NAMING")
target_metadata = sa.MetaData(naming_convention=eval(convention)) if convention else None


@sa.event.listens_for(engine, "before_cursor_execute")
def before_cursor_execute(conn, cursor, statement, parameters, context_, executemany):
    sets = parameters if executemany else [parameters]
    for params in sets:
        try:
            text = cursor.mogrify(statement, params).decode()
        except Exception:  # noqa: BLE001 - a statement psycopg2 cannot render is logged as sent
            text = statement
        log.write(text.strip() + "\n;\n")
    log.flush()


def wrap(revision, phase, fn):
    def run(*args, **kwargs):
        log.write("-- begin %s %s\n" % (revision, phase))
        log.flush()
        try:
            return fn(*args, **kwargs)
        except BaseException as e:
            log.write("-- failed %s %s: %s\n" % (revision, phase,
                      (type(e).__name__ + ": " + str(e)).splitlines()[0][:300]))
            log.flush()
            raise
    return run


for rev in context.script.walk_revisions():
    for phase in ("upgrade", "downgrade"):
        fn = getattr(rev.module, phase, None)
        if fn is not None and not getattr(fn, "_miglint_wrapped", False):
            wrapped = wrap(rev.revision, phase, fn)
            wrapped._miglint_wrapped = True
            setattr(rev.module, phase, wrapped)

with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=target_metadata,
                      transaction_per_migration=True)
    with context.begin_transaction():
        context.run_migrations()
log.close()
'''

RUN_PY = r'''
import importlib.machinery
import os, sys, types
root = os.environ.get("MIGLINT_ONLINE_ROOT")
if root:
    sys.path.insert(0, root)
sys.path.insert(0, os.environ["MIGLINT_ONLINE_SHIMS"])
for extra in filter(None, os.environ.get("MIGLINT_ONLINE_PATH", "").split(os.pathsep)):
    sys.path.insert(0, extra)


class Value(str):
    """A stand-in value: a string naming itself; its attributes and calls are stand-ins too."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return Value(self + "." + name)

    def __call__(self, *a, **k):
        return Value(self + "()")

    def __getitem__(self, key):
        return Value(self + "[]")

    def __mro_entries__(self, bases):
        # `class Model(PrefectBaseModel):` with a stand-in base: a plain class instead.
        return (StandIn,)


class StandIn:
    """The base of classes a revision derives from stand-ins: anything goes."""

    def __init__(self, *a, **k):
        pass

    def __init_subclass__(cls, **k):
        pass

    def __class_getitem__(cls, key):
        return cls


specs = [s for s in os.environ.get("MIGLINT_ONLINE_STUBS", "").split(",") if s]
aliases = dict(s.split("=", 1) for s in specs if "=" in s)
stubs = [s.split("=", 1)[0].rsplit(".", 1)[0] if "=" in s else s for s in specs]


class Anything(types.ModuleType):
    """A stand-in module: its attributes are stand-in values, or what --stub aliased."""
    __path__ = []

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        full = self.__name__ + "." + name
        if full in aliases:
            import importlib
            return importlib.import_module(aliases[full])
        if any(a.startswith(full + ".") for a in aliases):  # on the way to an aliased module
            import importlib
            return importlib.import_module(full)
        if full in sys.modules:
            return sys.modules[full]
        return Value(full)


class StubFinder:
    def find_spec(self, fullname, path, target=None):
        if any(fullname == s or fullname.startswith(s + ".") or s.startswith(fullname + ".") for s in stubs):
            return importlib.machinery.ModuleSpec(fullname, self)
        return None

    def create_module(self, spec):
        if spec.name in aliases:  # a whole module given as another (bench/shims/)
            import importlib
            return importlib.import_module(aliases[spec.name])
        return sys.modules.get(spec.name) or Anything(spec.name)

    def exec_module(self, module):
        pass


sys.meta_path.insert(0, StubFinder())

# SQLAlchemy 2.0 names the histories use, spelt as 1.4 renders them on PostgreSQL.
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


class CITEXT(sa.types.UserDefinedType):
    cache_ok = True

    def get_col_spec(self, **kw):
        return "CITEXT"


for name, value in (("Connection", sa.engine.Connection), ("Inspector", sa.engine.reflection.Inspector),
                    ("Uuid", postgresql.UUID),
                    ("UUID", postgresql.UUID), ("Double", postgresql.DOUBLE_PRECISION)):
    if not hasattr(sa, name):
        setattr(sa, name, value)
if not hasattr(postgresql, "CITEXT"):
    postgresql.CITEXT = CITEXT
from alembic import command
from alembic.config import Config

cfg = Config(sys.argv[1])
command.__dict__[sys.argv[2]](cfg, sys.argv[3])
'''


def revision_files(base):
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = [d for d in dirnames if d not in ("__pycache__", "sqlite", "mysql")]
        for name in filenames:
            if name.endswith(".py"):
                path = os.path.join(dirpath, name)
                text = open(path, encoding="utf-8", errors="replace").read()
                if re.search(r"^revision\s*(?::[^=]*)?=\s*['\"]", text, re.M):
                    yield path


def find_versions(project):
    base = project if os.path.isdir(project) else os.path.dirname(os.path.abspath(project))
    dirs = {}
    for path in revision_files(base):
        d = os.path.dirname(path)
        dirs[d] = dirs.get(d, 0) + 1
    return max(dirs, key=dirs.get) if dirs else base


class Cluster:
    """A scratch PostgreSQL cluster in a temporary directory, reachable on a unix socket only.
    As root (initdb refuses root) the server runs as the `postgres` user."""

    def __init__(self, tmp):
        self.data = os.path.join(tmp, "data")
        self.as_user = None
        if os.geteuid() == 0:
            import pwd
            pw = pwd.getpwnam("postgres")
            os.chown(tmp, pw.pw_uid, pw.pw_gid)

            def as_user():
                os.setgid(pw.pw_gid)
                os.setuid(pw.pw_uid)
            self.as_user = as_user
        subprocess.run([PGBIN + "/initdb", "-D", self.data, "-U", "postgres", "-A", "trust",
                        "-E", "UTF8", "--no-sync"], check=True, capture_output=True,
                       preexec_fn=self.as_user)
        subprocess.run([PGBIN + "/pg_ctl", "-D", self.data, "-w", "-l", os.path.join(tmp, "server.log"),
                        "-o", "-k %s -c listen_addresses='' -F" % tmp, "start"], check=True,
                       capture_output=True, preexec_fn=self.as_user)
        self.url = "postgresql+psycopg2://postgres@/postgres?host=" + tmp

    def stop(self):
        subprocess.run([PGBIN + "/pg_ctl", "-D", self.data, "-m", "immediate", "stop"],
                       capture_output=True, preexec_fn=self.as_user)


def is_question(statement):
    lower = statement.lower().lstrip("( ")
    select = lower.startswith(("select", "with"))
    return (select and (re.search(r"\bpg_|information_schema|current_schema", lower) is not None)) \
        or lower.startswith("show ") or "alembic_version" in lower


def parse_log(text):
    """{(revision, phase): [statements]} and [(revision, phase, error)] from env.py's log."""
    steps, failures, key, cur = {}, [], None, []
    for chunk in re.split(r"\n;\n", text):
        lines = chunk.split("\n")
        body = []
        for line in lines:
            m = re.match(r"-- (begin|failed) (\S+) (upgrade|downgrade)(?:: (.*))?$", line)
            if m:
                if body and key is not None and not is_question("\n".join(body)):
                    cur.append("\n".join(body))
                body = []
                if m.group(1) == "begin":
                    key, cur = (m.group(2), m.group(3)), []
                    steps[key] = cur
                else:
                    failures.append((m.group(2), m.group(3), m.group(4)))
                continue
            body.append(line)
        stmt = "\n".join(body).strip()
        if stmt and key is not None and not is_question(stmt):
            cur.append(stmt)
    return steps, failures


DML = ("INSERT", "UPDATE", "DELETE", "SELECT", "WITH")


def compare(expected, actual):
    """'equal', 'dml' (equal once data statements are left out), or the first difference."""
    if expected == actual:
        return "equal", None
    ddl = [s for s in expected if not s.upper().startswith(DML)]
    ddl_actual = [s for s in actual if not s.upper().startswith(DML)]
    first = next(((i, a, b) for i, (a, b) in enumerate(zip(expected, actual)) if a != b), None)
    if first is None:
        n = min(len(expected), len(actual))
        first = (n, expected[n] if n < len(expected) else "(nothing)",
                 actual[n] if n < len(actual) else "(nothing)")
    return ("dml" if ddl == ddl_actual else "differ"), first


def main():
    argv = sys.argv[1:]
    opts = {}
    positional = []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("--versions", "--root", "--stub", "--naming-convention", "--env-import", "--path"):
            opts[a] = argv[i + 1]
            i += 2
            continue
        if a.startswith("-"):
            opts[a] = True
        else:
            positional.append(a)
        i += 1
    binary, project = os.path.abspath(positional[0]), positional[1]
    verbose = "-v" in opts
    versions = opts.get("--versions") or find_versions(project)
    root = opts.get("--root") or os.path.dirname(os.path.dirname(os.path.abspath(project)))
    tmp = tempfile.mkdtemp(prefix="miglint-online-")
    cluster = None
    try:
        script = os.path.join(tmp, "script")
        os.makedirs(os.path.join(script, "versions"))
        for path in revision_files(versions):
            shutil.copy(path, os.path.join(script, "versions", os.path.basename(path)))
        with open(os.path.join(script, "env.py"), "w") as f:
            f.write(ENV_PY)
        with open(os.path.join(tmp, "run.py"), "w") as f:
            f.write(RUN_PY)
        ini = os.path.join(tmp, "alembic.ini")
        with open(ini, "w") as f:
            f.write("[alembic]\nscript_location = %s\n" % script)
        cluster = Cluster(tmp)
        log = os.path.join(tmp, "statements.log")
        env = dict(os.environ, MIGLINT_ONLINE_URL=cluster.url, MIGLINT_ONLINE_LOG=log,
                   MIGLINT_ONLINE_ROOT=root, MIGLINT_ONLINE_STUBS=opts.get("--stub", ""),
                   MIGLINT_ONLINE_SHIMS=os.path.join(os.path.dirname(os.path.abspath(__file__)), "shims"),
                   MIGLINT_ONLINE_IMPORTS=opts.get("--env-import", ""),
                   PYTHONDONTWRITEBYTECODE="1")
        if "--path" in opts:
            env["MIGLINT_ONLINE_PATH"] = opts["--path"]
        if "--naming-convention" in opts:
            env["MIGLINT_ONLINE_NAMING"] = repr(naming_convention(opts["--naming-convention"]))
        stops = []
        for command, target in (("upgrade", "heads"), ("downgrade", "base")):
            run = subprocess.run(["/usr/bin/python3", os.path.join(tmp, "run.py"), ini, command, target],
                                 env=env, capture_output=True, text=True, cwd=tmp)
            with open(os.path.join(tmp, command + ".out"), "w") as f:
                f.write(run.stdout + run.stderr)
            if verbose:  # what revisions print when they swallow an exception
                for line in run.stdout.splitlines():
                    if re.search(r"warning|could not|error", line, re.I):
                        print("  %s printed: %s" % (command, line[:300]))
            if run.returncode != 0:
                last = [line for line in run.stderr.strip().splitlines() if line.strip()]
                stops.append("%s stopped: %s" % (command, last[-1][:200] if last else run.returncode))
                if command == "upgrade":
                    break
        steps, failures = parse_log(open(log, encoding="utf-8").read() if os.path.exists(log) else "")
        failed = {(r, p) for r, p, _ in failures}
        blocks = miglint_blocks(binary, project)
        counts = {"equal": 0, "dml": 0, "differ": 0}
        for phase in ("upgrade", "downgrade"):
            for (rev, ph), statements in steps.items():
                if ph != phase or (rev, ph) in failed:
                    continue
                expected = split_statements(";\n".join(statements) + ";")
                actual = split_statements(blocks.get((rev, phase), ""))
                verdict, first = compare(expected, actual)
                counts[verdict] += 1
                if verdict != "equal" and (verbose or verdict == "differ"):
                    a, b = first[1], first[2]
                    at = next((k for k in range(min(len(a), len(b))) if a[k] != b[k]), min(len(a), len(b)))
                    start = max(0, at - 80)
                    print("%s %s %s statement %d, from character %d\n  alembic: %s\n  miglint: %s" % (
                        "DIFF" if verdict == "differ" else "DML ", rev, phase, first[0] + 1, start,
                        a[start:start + 300], b[start:start + 300]))
        run_steps = sum(counts.values())
        print("%s: %d steps run online (%d upgrade), %d equal (%.1f%%), %d more equal apart from data "
              "statements, %d differ" % (
                  project, run_steps, sum(1 for (r, p) in steps if p == "upgrade" and (r, p) not in failed),
                  counts["equal"], 100.0 * counts["equal"] / max(run_steps, 1), counts["dml"],
                  counts["differ"]))
        for rev, ph, error in failures:
            print("  %s %s failed: %s" % (rev, ph, error))
        for s in stops:
            print("  " + s)
    finally:
        if cluster:
            cluster.stop()
        if "--keep" in opts:
            print("kept " + tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
