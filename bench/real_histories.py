#!/usr/bin/python3
"""How much of real Alembic histories miglint understands: op.* calls understood, and
unanalyzable-code findings, per history.

    /usr/bin/python3 bench/real_histories.py build/miglint PROJECT [PROJECT...]

PROJECT is what you would pass to `miglint check` (an alembic.ini, a script or versions
directory). Revision files are the .py files under the project's directory with a module-level
`revision = ...`. An op call (`op.X(...)` / `batch_op.X(...)`, values such as op.f() left out) is
*not understood* when an unanalyzable-code finding lies on it, or on a statement that contains it
(a loop or condition reported as a whole). Nothing is written; third-party files are only read.
"""
import ast
import json
import os
import subprocess
import sys

VALUES = {"f", "get_bind", "get_context", "inline_literal", "batch_alter_table"}


def revision_files(project):
    root = project if os.path.isdir(project) else os.path.dirname(os.path.abspath(project))
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in ("__pycache__", "sqlite", "mysql")]
        for name in filenames:
            if name.endswith(".py"):
                path = os.path.join(dirpath, name)
                with open(path, encoding="utf-8", errors="replace") as f:
                    text = f.read()
                if any(line.startswith(("revision =", "revision:", "revision=")) for line in text.splitlines()):
                    yield os.path.realpath(path), text


def op_calls(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            base = node.func.value
            if isinstance(base, ast.Name) and base.id in ("op", "batch_op") and node.func.attr not in VALUES:
                yield node.lineno, getattr(node, "end_lineno", node.lineno)


def covered_ranges(tree, lines):
    """Finding lines widened to the compound statement starting on them."""
    out = []
    starts = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt):
            starts.setdefault(node.lineno, []).append(node)
    for line in lines:
        end = line
        for node in starts.get(line, []):
            end = max(end, getattr(node, "end_lineno", line))
        out.append((line, end))
    return out


def main():
    binary, projects = sys.argv[1], sys.argv[2:]
    total_calls = total_missed = total_findings = total_revisions = 0
    for project in projects:
        run = subprocess.run([binary, "check", project, "--format", "json", "--fail-on", "never"],
                             capture_output=True, text=True)
        findings = json.loads(run.stdout)["findings"]
        by_file = {}
        for f in findings:
            if f["rule"] == "unanalyzable-code":
                path = f["file"] if os.path.isabs(f["file"]) else os.path.join(os.getcwd(), f["file"])
                by_file.setdefault(os.path.realpath(path), []).append(f["line"])
        calls = missed = revisions = 0
        for path, text in revision_files(project):
            try:
                tree = ast.parse(text)
            except SyntaxError:
                continue
            revisions += 1
            ranges = covered_ranges(tree, by_file.get(path, []))
            for start, end in op_calls(tree):
                calls += 1
                if any(a <= end and start <= b for a, b in ranges):
                    missed += 1
        unanalyzable = sum(len(v) for v in by_file.values())
        print("%-60s revisions %4d  op calls %5d  understood %6.2f%%  unanalyzable-code %4d" %
              (project[-60:], revisions, calls, 100.0 * (calls - missed) / max(calls, 1), unanalyzable))
        total_calls += calls
        total_missed += missed
        total_findings += unanalyzable
        total_revisions += revisions
    print("%-60s revisions %4d  op calls %5d  understood %6.2f%%  unanalyzable-code %4d" %
          ("all", total_revisions, total_calls, 100.0 * (total_calls - total_missed) / max(total_calls, 1),
           total_findings))


if __name__ == "__main__":
    main()
