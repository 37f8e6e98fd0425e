"""miglint's Alembic driver: runs one revision step at a time with the project's own Alembic and
env.py, and reports every statement executed, with its line in the revision file, the locks it
took and the tables it rewrote.

Usage: python driver.py ALEMBIC_INI (or the script directory)
Protocol: one JSON object per line. The driver starts with {"event": "loaded", ...} once Alembic
is imported (or {"event": "unusable", ...} when it cannot be, and exits), then {"event": "ready"}
once the project's scripts are read: it is started while miglint starts the server. miglint then
writes {"op": "connect", "url": ..., "database": ...} (the scratch database), then
{"op": "upgrade"|"downgrade", "revision": id} commands, {"op": "reset"} after it recreated the
scratch database, and {"op": "quit"}; the driver answers
each step with {"event": "statement", ...} lines, then {"event": "done", "xids": [...],
"touched": [...]} or {"event": "error", "message": ..., ...}. Anything env.py prints goes to
stderr, so it cannot break the protocol.
"""
import json
import os
import sys
import traceback
import weakref

_protocol = sys.stdout
sys.stdout = sys.stderr


def emit(**obj):
    _protocol.write(json.dumps(obj) + "\n")
    _protocol.flush()


def main():
    ini = sys.argv[1]
    try:
        from alembic import __version__ as alembic_version
        from alembic.config import Config
        from alembic.runtime.environment import EnvironmentContext
        from alembic.runtime.migration import RevisionStep
        from alembic.script import ScriptDirectory
        from sqlalchemy import event
        from sqlalchemy.engine import Engine
    except ImportError as e:
        emit(event="unusable", message=str(e))
        return
    emit(event="loaded", alembic=alembic_version, python=sys.version.split()[0])
    try:  # the driver of miglint's postgresql:// URL, loaded while the server starts
        import psycopg2  # noqa: F401
        import sqlalchemy.dialects.postgresql.psycopg2  # noqa: F401
    except ImportError:
        pass

    if ini.endswith(".ini"):
        config = Config(ini)
    else:  # a script directory without alembic.ini
        config = Config()
        config.set_main_option("script_location", ini)
    script = ScriptDirectory.from_config(config)
    version_dirs = [os.path.realpath(d) for d in script._version_locations]

    state = {"current": None, "version": False, "database": None}
    engines = weakref.WeakSet()  # every engine env.py creates: disposed after each step

    in_versions = {}  # code file name -> its real path if it is a revision file, else None

    def location():
        frame = sys._getframe(2)
        while frame is not None:
            name = frame.f_code.co_filename
            if name not in in_versions:
                path = os.path.realpath(name)
                revision = any(path.startswith(d + os.sep) for d in version_dirs)
                in_versions[name] = path if revision else None
            if in_versions[name] is not None:
                return in_versions[name], frame.f_lineno
            frame = frame.f_back
        return None, None

    # env.py runs once per step and usually builds an engine and connects each time: the
    # dialect's first-connect queries and a new backend per step were a third of an Alembic
    # round-trip. Engines are kept per (url, arguments) for the whole run, with a pool (a
    # NullPool from the usual env.py template is replaced), and a connection returned to the
    # pool is reset with DISCARD ALL, so one migration's SET, temporary tables or prepared
    # statements do not reach the next, as with a fresh connection. (A 100-revision history:
    # 5.8 s -> 3.0 s with the caches in location(), bench/README.md.)
    import sqlalchemy
    import sqlalchemy.engine
    import sqlalchemy.engine.create
    from sqlalchemy.pool import NullPool

    real_create_engine = sqlalchemy.engine.create.create_engine
    kept_engines = {}

    def discard_all(dbapi_connection, connection_record):
        try:
            autocommit = dbapi_connection.autocommit
            dbapi_connection.autocommit = True
            cursor = dbapi_connection.cursor()
            cursor.execute("DISCARD ALL")
            cursor.close()
            dbapi_connection.autocommit = autocommit
        except Exception:
            connection_record.invalidate()  # a broken connection is not reused

    def create_engine(url, *args, **kwargs):
        kwargs = dict(kwargs)
        if kwargs.get("poolclass") is NullPool:
            del kwargs["poolclass"]
        try:
            key = (str(url), repr(args), repr(sorted(kwargs.items(), key=lambda kv: kv[0])))
        except Exception:
            key = None
        if key is not None and key in kept_engines:
            return kept_engines[key]
        engine = real_create_engine(url, *args, **kwargs)
        event.listen(engine.pool, "checkin", discard_all)
        if key is not None:
            kept_engines[key] = engine
        return engine

    sqlalchemy.create_engine = create_engine
    sqlalchemy.engine.create_engine = create_engine
    sqlalchemy.engine.create.create_engine = create_engine

    def raw_cursor(conn):
        return conn.connection.cursor()

    def in_transaction(conn):
        dbapi = conn.connection.dbapi_connection if hasattr(conn.connection, "dbapi_connection") \
            else conn.connection.connection
        status = getattr(dbapi, "get_transaction_status", None)  # psycopg2
        if status is not None:
            return status() != 0  # not IDLE
        info = getattr(dbapi, "info", None)  # psycopg 3
        return info is not None and int(info.transaction_status) != 0

    # As miglint's own observer does (observer.cpp): relation OIDs and file numbers come from
    # one counter, so the relations that existed when the step began have numbers up to the
    # highest one then, and a file created since (a rewrite) a higher one.
    LAST_NUMBER = ("SELECT coalesce(max(greatest(oid::int8, relfilenode::int8)), 0) "
                   "FROM pg_class WHERE oid >= 16384")
    FILES = ("SELECT 'f', '', oid::text, relfilenode::text FROM pg_class WHERE oid >= 16384 "
             "AND oid::int8 <= %(last)s AND relfilenode::int8 > %(last)s "
             "AND relkind IN ('r', 'p', 'm')")
    LOCKS = ("SELECT 'l', coalesce(txid_current_if_assigned()::text, ''), "
             "l.relation::oid::text, l.mode FROM pg_locks l WHERE l.pid = pg_backend_pid() "
             "AND l.locktype = 'relation' AND l.granted")

    def new_step():
        state["last"] = None
        state["files"] = {}
        state["held"] = set()
        state["txid"] = None
        state["xids"] = set()
        state["touched"] = set()

    def baseline(conn):
        cur = raw_cursor(conn)
        cur.execute(LAST_NUMBER)
        state["last"] = cur.fetchone()[0]

    def trace_locks(rows):
        # Every lock the transaction holds and its id go into the step's trace; returns the
        # locks new since the last statement of the same transaction.
        lock_rows = [r for r in rows if r[0] == "l"]
        txid = lock_rows[0][1] if lock_rows else ""
        if txid != state["txid"]:
            state["held"] = set()
            state["txid"] = txid
        if txid:
            state["xids"].add(int(txid))
        new = []
        for _, _, oid, mode in lock_rows:
            # Reading and writing rows never changes a relation's definition: every DDL on a
            # relation takes SHARE UPDATE EXCLUSIVE or stronger (observer.cpp).
            if mode not in ("AccessShareLock", "RowShareLock", "RowExclusiveLock"):
                state["touched"].add(oid)
            if (oid, mode) not in state["held"]:
                state["held"].add((oid, mode))
                new.append([oid, mode])
        return new

    def observe(conn):
        cur = raw_cursor(conn)
        observed = in_transaction(conn)
        params = {"last": state["last"]}
        cur.execute(LOCKS + " UNION ALL " + FILES if observed else FILES, params)
        rows = cur.fetchall()
        if observed:
            locks = trace_locks(rows)
        else:
            state["held"] = set()
            locks = []
        rewritten = []
        for kind, _, oid, node in rows:
            if kind == "f" and state["files"].get(oid) != node:
                state["files"][oid] = node
                rewritten.append(oid)
        return {"observed": observed, "locks": locks, "rewritten": rewritten}

    @event.listens_for(Engine, "do_connect")
    def only_the_scratch_database(dialect, conn_rec, cargs, cparams):
        # Before any connection is made: an env.py that ignores sqlalchemy.url and DATABASE_URL
        # must never reach a real database.
        target = cparams.get("dbname") or cparams.get("database")
        if target is None or target != state["database"]:
            raise RuntimeError(
                "env.py connected to database %r, not to miglint's scratch database %r: "
                "refusing to run migrations anywhere else (make env.py use sqlalchemy.url "
                "or DATABASE_URL)" % (target, state["database"]))

    @event.listens_for(Engine, "engine_connect")
    def remember(conn, branch=None):
        engines.add(conn.engine)

    @event.listens_for(Engine, "handle_error")
    def failed(context):
        # The statement that failed, even when it failed before after_cursor_execute.
        if context.statement and "alembic_version" not in context.statement:
            path, line = location()
            state["current"] = {"sql": context.statement, "file": path, "line": line}

    @event.listens_for(Engine, "before_cursor_execute")
    def before(conn, cursor, statement, parameters, context, executemany):
        state["current"] = None
        state["version"] = "alembic_version" in statement
        if state["version"]:
            return
        path, line = location()
        if path is None:  # Alembic's own catalog queries, not the revision's
            return
        if state["last"] is None:
            baseline(conn)
        state["current"] = {"sql": statement, "file": path, "line": line}

    @event.listens_for(Engine, "after_cursor_execute")
    def after(conn, cursor, statement, parameters, context, executemany):
        current = state["current"]
        if current is None:
            if state["version"] and not statement.lstrip().upper().startswith("SELECT") \
                    and in_transaction(conn):
                # Alembic's version row is written last, in the revision's transaction: what it
                # holds then covers anything the revision ran past SQLAlchemy's events.
                cur = raw_cursor(conn)
                cur.execute(LOCKS)
                trace_locks(cur.fetchall())
            return
        state["current"] = None
        current.update(observe(conn))
        emit(event="statement", **current)

    def run(revision_id, upgrade):
        revision = script.get_revision(revision_id)
        step = RevisionStep(script.revision_map, revision, upgrade)
        new_step()
        state["current"] = None

        def steps(rev, context):
            return [step]

        try:
            with EnvironmentContext(config, script, fn=steps, as_sql=False,
                                    destination_rev=revision_id):
                script.run_env()
        finally:
            # Engines env.py built around the cache (its own subclass, a custom creator) leave
            # pooled connections behind otherwise; one process runs every step.
            kept = set(map(id, kept_engines.values()))
            for engine in list(engines):
                if id(engine) not in kept:
                    engine.dispose()

    emit(event="ready")
    for line in sys.stdin:
        try:
            command = json.loads(line)
        except ValueError:
            emit(event="error", message="bad command: " + line.strip())
            continue
        if command.get("op") == "quit":
            break
        if command.get("op") == "reset":
            # miglint rebuilt the scratch database after an upgrade that could not be repeated:
            # the kept connections to the old one are closed.
            for engine in kept_engines.values():
                engine.dispose()
            continue
        if command.get("op") == "connect":
            url = command["url"]
            os.environ["DATABASE_URL"] = url
            # ConfigParser interpolates '%': escape the URL before handing it over.
            config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
            state["database"] = command["database"]
            continue
        try:
            run(command["revision"], command["op"] == "upgrade")
            emit(event="done", xids=sorted(state["xids"]), touched=sorted(state["touched"]))
        except BaseException as e:  # report everything, including SystemExit from env.py
            failed = state["current"] or {}
            message = "".join(traceback.format_exception_only(type(e), e)).strip()
            emit(event="error", message=message, sql=failed.get("sql"),
                 file=failed.get("file"), line=failed.get("line"),
                 xids=sorted(state["xids"]), touched=sorted(state["touched"]))


if __name__ == "__main__":
    main()
