#!/usr/bin/env python3
"""Draws a seeded random sample of miglint findings from real migration histories, for a review
by hand of their precision (issue 10: >= 95% of a fresh sample judged true).

usage: sample_findings.py MIGLINT --seed N --count K [--out FILE] PATH [PATH...]

Runs `MIGLINT check PATH --format json --no-config --fail-on never` on each path, pools the
findings, and draws K of them without replacement with Python's random.Random(N) (so a seed names
one sample for one set of findings). Writes Markdown: for each finding its number, rule, severity,
file:line, message and the migration's text around the line (30 lines before, 10 after), and an
empty verdict table (true / false / misleading) to fill in. Per-rule counts of every path come
first. Nothing is written into the histories.
"""
import argparse
import collections
import json
import pathlib
import random
import subprocess
import sys


def findings_of(binary, path):
    out = subprocess.run(
        [binary, "check", path, "--format", "json", "--no-config", "--fail-on", "never"],
        capture_output=True, text=True, check=False)
    if out.returncode not in (0, 1):
        sys.exit(f"{binary} check {path}: exit {out.returncode}\n{out.stderr}")
    return json.loads(out.stdout)["findings"]


def context(path, line, before=30, after=10):
    try:
        lines = pathlib.Path(path).read_text(errors="replace").splitlines()
    except OSError as e:
        return f"(cannot read: {e})"
    lo, hi = max(0, line - 1 - before), min(len(lines), line + after)
    return "\n".join(f"{'>' if i + 1 == line else ' '}{i + 1:5} {lines[i]}" for i in range(lo, hi))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--count", type=int, default=50)
    ap.add_argument("--out")
    a = ap.parse_args()
    pool = []
    report = ["# miglint findings sample", "", f"seed {a.seed}, {a.count} findings", ""]
    for p in a.paths:
        fs = findings_of(a.binary, p)
        counts = collections.Counter(f["rule"] for f in fs)
        report.append(f"- `{p}`: {len(fs)} findings: " +
                      ", ".join(f"{r} {n}" for r, n in sorted(counts.items())))
        pool += fs
    pool.sort(key=lambda f: (f["file"], f["line"], f["column"], f["rule"], f["message"]))
    sample = random.Random(a.seed).sample(pool, min(a.count, len(pool)))
    report += ["", "| # | rule | file:line | verdict (true/false/misleading) | why |",
               "|---|---|---|---|---|"]
    report += [f"| {i + 1} | {f['rule']} | {f['file']}:{f['line']} | | |"
               for i, f in enumerate(sample)]
    for i, f in enumerate(sample):
        report += ["", f"## {i + 1}. {f['rule']} ({f['severity']}) {f['file']}:{f['line']}", "",
                   f["message"], "", "```", context(f["file"], f["line"]), "```"]
    text = "\n".join(report) + "\n"
    if a.out:
        pathlib.Path(a.out).write_text(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
