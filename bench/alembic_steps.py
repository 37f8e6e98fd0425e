#!/usr/bin/env python3
"""The command-only check of an Alembic history, as pytest-alembic's test_up_down_consistency
does it: one process, one connection handed to env.py, the scripts read once, and for every
revision upgrade, downgrade, upgrade through env.py, with no schema comparison and no lock
observation. The floor for miglint's round-trip of the same history, measured in the same
bench run (this machine class is noisy, so the ratio says more than either time).

Usage: alembic_steps.py ALEMBIC_INI DATABASE_URL  (prints the seconds the steps took)
"""
import sys
import time

from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import RevisionStep
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine


def main():
    ini, url = sys.argv[1], sys.argv[2]
    config = Config(ini)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    script = ScriptDirectory.from_config(config)
    revisions = list(reversed(list(script.walk_revisions())))

    def step(revision, upgrade):
        steps = [RevisionStep(script.revision_map, revision, upgrade)]
        with EnvironmentContext(config, script, fn=lambda rev, context: steps, as_sql=False,
                                destination_rev=revision.revision):
            script.run_env()

    started = time.monotonic()
    with create_engine(url).connect() as connection:
        config.attributes["connection"] = connection
        for revision in revisions:
            step(revision, True)
            try:
                step(revision, False)
            except NotImplementedError:
                connection.rollback()
                continue
            step(revision, True)
    print(f"{time.monotonic() - started:.3f}")


if __name__ == "__main__":
    main()
