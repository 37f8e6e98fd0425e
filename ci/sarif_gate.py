#!/usr/bin/env python3
"""Validates a SARIF file the way GitHub code scanning will read it.

1. the SARIF 2.1.0 JSON schema (bundled with the Multitool), with python3-jsonschema: this also
   catches invalid enum values, which make the Multitool silently report nothing;
2. the SARIF Multitool's SARIF rules and GitHub ingestion rules (ci/gh-policy.xml), judged by the
   results it writes, since its exit code is 0 even when it finds errors.

Usage: sarif_gate.py FILE.sarif [TOOLS_DIR]   (TOOLS_DIR: where tests/tools/node_modules is)
Exit: 0 clean, 1 invalid (reasons printed), 2 the validator itself failed.
"""
import json
import os
import subprocess
import sys
import tempfile

import jsonschema


def main():
    sarif = sys.argv[1]
    here = os.path.dirname(os.path.abspath(__file__))
    tools = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, "..", "tests", "tools")
    modules = os.path.join(tools, "node_modules", "@microsoft")
    multitool = os.path.join(modules, "sarif-multitool-linux", "Sarif.Multitool")
    schema = json.load(open(os.path.join(modules, "sarif-multitool-linux", "sarif-2.1.0.json")))
    document = json.load(open(sarif))
    problems = []
    validator = jsonschema.validators.validator_for(schema)(schema)
    for error in validator.iter_errors(document):
        problems.append(f"schema: {error.json_path}: {error.message}")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "validation.sarif")
        # The binary directly: the npm wrapper runs it through /bin/sh, which splits "Sarif;Gh".
        run = subprocess.run([multitool, "validate", sarif, "--rule-kind", "Sarif;Gh",
                              "-c", os.path.join(here, "gh-policy.xml"), "--level", "Error",
                              "-o", out, "--log", "ForceOverwrite"],
                             capture_output=True, text=True)
        if run.returncode != 0 or not os.path.exists(out):
            print("the SARIF Multitool failed:", run.stdout, run.stderr, file=sys.stderr)
            return 2
        for result in json.load(open(out))["runs"][0].get("results", []):
            args = result.get("message", {}).get("arguments", [])
            problems.append(f"{result.get('ruleId')}: {args[0] if args else ''}")
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
