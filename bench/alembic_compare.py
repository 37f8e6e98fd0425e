#!/usr/bin/python3
"""miglint's SQL against Alembic's own offline rendering, revision by revision, on a real history.

    /usr/bin/python3 bench/alembic_compare.py build/miglint PROJECT [--root DIR]
        [--naming-convention FILE] [-v]

Each revision file is imported on its own by Debian's Alembic/SQLAlchemy (never the project's
env.py) and its upgrade() and downgrade() rendered offline for PostgreSQL (as_sql, literal
binds); miglint's `sql` output for the same revision is compared statement by statement after
white space is normalised (CREATE INDEX runs as sets: SQLAlchemy emits a table's indexes in set
order). Revisions that cannot render offline (they import the application, ask the database
through sa.inspect, use SQLAlchemy 2.0 names under 1.4) are counted apart. --root is put on
sys.path for project imports (default: the directory above the project). --naming-convention
names a Python file holding the application's `MetaData(naming_convention={...})` (read with ast,
never imported), given to Alembic as target_metadata the way the project's env.py would.
Reads only.
"""
import ast
import contextlib
import importlib.util
import io
import os
import re
import subprocess
import sys


def normalise(sql):
    s = re.sub(r"\s+", " ", sql.strip().rstrip(";")).strip()
    s = re.sub(r"\s*([(),])\s*", r"\1", s)
    return s


def split_statements(text):
    out, cur, quote = [], [], False
    for ch in text:
        if ch == "'":
            quote = not quote
        if ch == ";" and not quote:
            stmt = "".join(cur).strip()
            if stmt:
                out.append(stmt)
            cur = []
        else:
            cur.append(ch)
    if "".join(cur).strip():
        out.append("".join(cur).strip())
    out = [normalise(s) for s in out if not s.startswith("--") or "\n" in s]
    out = [re.sub(r"^(--[^\n]*\n)+", "", s) for s in out]
    out = [s for s in out if s and not s.startswith("--")
           and not s.upper().startswith(("BEGIN", "COMMIT"))]
    return sort_index_runs(out)


def sort_index_runs(stmts):
    out, run = [], []
    for s in stmts + [None]:
        if s is not None and s.upper().startswith(("CREATE INDEX", "CREATE UNIQUE INDEX")):
            run.append(s)
            continue
        out.extend(sorted(run))
        run = []
        if s is not None:
            out.append(s)
    return out


def miglint_blocks(binary, project):
    text = "\n".join(subprocess.run([binary, "sql", project, "--phase", phase],
                                    capture_output=True, text=True).stdout
                     for phase in ("upgrade", "downgrade"))
    blocks, key, lines = {}, None, []
    for line in text.splitlines():
        m = re.match(r"-- migration (\S+) \((upgrade|downgrade)\)", line)
        if m:
            if key:
                blocks[key] = "\n".join(lines)
            key, lines = (m.group(1), m.group(2)), []
        elif re.match(r"-- \S+:\d+(: .*)?$", line):
            lines.append("")  # a file:line comment, or a note
        else:
            lines.append(line)
    if key:
        blocks[key] = "\n".join(lines)
    return blocks


def naming_convention(path):
    """The first `MetaData(naming_convention={...})` literal (or a dict named in it) in PATH."""
    tree = ast.parse(open(path, encoding="utf-8").read())
    constants = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                constants[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                pass
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and (getattr(node.func, "attr", None) or getattr(node.func, "id", None)) == "MetaData":
            for kw in node.keywords:
                if kw.arg == "naming_convention":
                    if isinstance(kw.value, ast.Name):
                        return constants.get(kw.value.id)
                    return ast.literal_eval(kw.value)
    return None


def render(path, root, fn_name, convention=None):
    from alembic.operations import Operations
    from alembic.runtime.migration import MigrationContext

    buf = io.StringIO()
    import sqlalchemy as sa

    opts = {"as_sql": True, "output_buffer": buf, "literal_binds": True}
    if convention:
        opts["target_metadata"] = sa.MetaData(naming_convention=convention)
    ctx = MigrationContext.configure(dialect_name="postgresql", dialect_opts={"paramstyle": "named"},
                                     opts=opts)
    spec = importlib.util.spec_from_file_location("rev_" + os.path.basename(path)[:-3], path)
    module = importlib.util.module_from_spec(spec)
    with contextlib.redirect_stdout(io.StringIO()):
        spec.loader.exec_module(module)
        with Operations.context(ctx):
            getattr(module, fn_name)()
    return buf.getvalue()


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    verbose = "-v" in sys.argv
    binary, project = args[0], args[1]
    root = os.path.dirname(os.path.dirname(os.path.abspath(project)))
    if "--root" in sys.argv:
        root = sys.argv[sys.argv.index("--root") + 1]
    convention = None
    if "--naming-convention" in sys.argv:
        convention = naming_convention(sys.argv[sys.argv.index("--naming-convention") + 1])
    sys.path.insert(0, root)
    blocks = miglint_blocks(binary, project)
    base = project if os.path.isdir(project) else os.path.dirname(os.path.abspath(project))
    files = []
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = [d for d in dirnames if d not in ("__pycache__", "sqlite", "mysql")]
        files += [os.path.join(dirpath, f) for f in filenames if f.endswith(".py")]
    equal = differ = unrenderable = 0
    for path in sorted(files):
        text = open(path, encoding="utf-8", errors="replace").read()
        m = re.search(r"^revision\s*(?::[^=]*)?=\s*['\"]([^'\"]+)['\"]", text, re.M)
        if not m:
            continue
        rev = m.group(1)
        ok = True
        for phase in ("upgrade", "downgrade"):
            try:
                alembic_sql = render(path, root, phase, convention)
            except BaseException as e:  # noqa: BLE001 - anything a revision raises offline
                unrenderable += 1
                if verbose:
                    print("offline-impossible %s %s: %s" % (os.path.basename(path), phase,
                                                           str(e).splitlines()[0][:100] if str(e) else type(e).__name__))
                ok = None
                break
            expected = split_statements(alembic_sql)
            actual = split_statements(blocks.get((rev, phase), ""))
            if expected != actual:
                ok = False
                if verbose:
                    print("DIFF %s %s\n  alembic: %s\n  miglint: %s" % (
                        os.path.basename(path), phase,
                        [s for s in expected if s not in actual][:3],
                        [s for s in actual if s not in expected][:3]))
        if ok is True:
            equal += 1
        elif ok is False:
            differ += 1
    rendered = equal + differ
    print("%s: %d revisions rendered offline, %d equal (%.1f%%), %d differ; %d cannot render offline"
          % (project, rendered, equal, 100.0 * equal / max(rendered, 1), differ, unrenderable))


if __name__ == "__main__":
    main()
