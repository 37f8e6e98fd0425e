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
each step with {"event": "statement", ...} lines (with "started" and "duration", milliseconds
from the step's start; "locks": every relation lock its transaction holds after it, as
[oid, mode, taken], taken when new since the transaction's last statement; "rewritten"; and
"lock_timeout", the session's, when it ran in a transaction), {"event": "end", "at": ms} when a transaction commits or rolls back
(its statements' locks are released), then {"event": "done", "xids": [...], "touched": [...],
"at": ms} or {"event": "error", "message": ..., ...}; an error with "fatal": true (a
revision file that cannot be imported) ends the history: the revisions after it cannot run.
When env.py cannot run (an exception before the revision's code starts: the application is not
installed, settings want secrets, an async driver is missing), the driver says so once with
{"event": "environment", "message": ..., "file": env.py, "line": ...} and runs this and every
later step in its built-in environment: Alembic's generic template, online, against the scratch
database. Anything env.py prints goes to stderr, so it cannot break the protocol.
Errors carry PostgreSQL's "sqlstate" when there is one. On SIGUSR1 the driver writes its Python
stack to stderr (faulthandler): miglint asks for it before it stops a revision that waits past
the round-trip's statement timeout, to say on which line it waited.
"""
import faulthandler
import json
import os
import re
import signal
import sys
import time
import traceback
import weakref

_protocol = sys.stdout
sys.stdout = sys.stderr


def emit(**obj):
    _protocol.write(json.dumps(obj) + "\n")
    _protocol.flush()


def async_url(url, project_url):
    """miglint's postgresql:// URL `url` with an asyncio driver installed here, for an async
    env.py (async_engine_from_config / create_async_engine): the async driver the project's own
    sqlalchemy.url names (`project_url`, may be None) when it is importable, else asyncpg, else
    psycopg 3's async one (SQLAlchemy 2.0). None when no asyncio driver can be loaded."""
    from sqlalchemy.engine.url import make_url
    wanted = []
    try:
        named = make_url(project_url).get_driver_name() if project_url else None
        if named and named != "psycopg2":
            wanted.append(named)
    except Exception:
        pass
    wanted += ["asyncpg", "psycopg_async"]
    for driver in wanted:
        try:
            candidate = make_url(url).set(drivername="postgresql+" + driver)
            dialect = candidate.get_dialect()
            if not getattr(dialect, "is_async", False):
                continue
            (getattr(dialect, "import_dbapi", None) or dialect.dbapi)()  # importable here?
        except Exception:
            continue
        if driver == "asyncpg" and "sslmode" in candidate.query:  # asyncpg spells it ssl
            query = dict(candidate.query)
            query["ssl"] = query.pop("sslmode")
            candidate = candidate.set(query=query)
        return candidate.render_as_string(hide_password=False)
    return None


def describe(e, files):
    """The exception's last line, and the deepest line of the traceback in one of `files` (real
    paths): the import in env.py or in the revision file that failed."""
    message = "".join(traceback.format_exception_only(type(e), e)).strip().splitlines()
    message = message[-1] if message else type(e).__name__
    where = {"file": None, "line": None}
    for frame in traceback.extract_tb(e.__traceback__):
        if frame.filename and os.path.realpath(frame.filename) in files:
            where = {"file": os.path.realpath(frame.filename), "line": frame.lineno}
    if isinstance(e, SyntaxError) and e.filename and os.path.realpath(e.filename) in files:
        where = {"file": os.path.realpath(e.filename), "line": e.lineno}
    return dict(message=message, **where)


# What makes an env.py asynchronous (Alembic's async template).
ASYNC_ENV = re.compile(r"async_engine_from_config|create_async_engine|\.run_sync\(|asyncio\.run\(")


def sqlstate(e):
    """PostgreSQL's SQLSTATE of a (SQLAlchemy-wrapped) psycopg2 or psycopg error, else None."""
    for error in (getattr(e, "orig", None), e):
        code = getattr(error, "pgcode", None) or getattr(error, "sqlstate", None)
        if isinstance(code, str):
            return code
    return None


def main():
    ini = sys.argv[1]
    faulthandler.register(signal.SIGUSR1, file=sys.stderr, all_threads=False)
    try:
        from alembic import __version__ as alembic_version
        from alembic.config import Config
        from alembic.runtime.environment import EnvironmentContext
        from alembic.runtime.migration import RevisionStep
        from alembic import util
        from alembic.script import ScriptDirectory
        from sqlalchemy import event
        from sqlalchemy.engine import Engine
    except ImportError as e:
        emit(event="unusable", message=str(e))
        return
    emit(event="loaded", alembic=alembic_version, python=sys.version.split()[0],
         executable=sys.executable)
    try:  # the driver of miglint's postgresql:// URL, loaded while the server starts
        import psycopg2  # noqa: F401
        import sqlalchemy.dialects.postgresql.psycopg2  # noqa: F401
    except ImportError:
        pass

    # A revision file that cannot be imported (the application is not installed, a name of a
    # newer SQLAlchemy) would fail the whole revision map, so every step: it is left out of the
    # map instead, and its own step reports why. The revisions before it still run.
    from alembic.script.base import Script
    unimportable = {}  # real path of the file -> describe()
    real_from_filename = Script._from_filename.__func__

    def from_filename(cls, *args, **kwargs):
        try:
            return real_from_filename(cls, *args, **kwargs)
        except Exception as e:
            path = os.path.realpath(os.path.join(*args[-2:]))
            unimportable[path] = describe(e, {path})
            return None

    Script._from_filename = classmethod(from_filename)

    # Alembic 1.8 cannot build a map in which a revision's down_revision is missing: the
    # revisions after one left out are left out too (they cannot run without it anyway).
    real_load_revisions = ScriptDirectory._load_revisions

    def load_revisions(self):
        scripts = list(real_load_revisions(self))
        if not unimportable:
            return iter(scripts)
        while True:
            present = {s.revision for s in scripts}
            runnable = [s for s in scripts if all(
                d in present for d in util.to_tuple(s.down_revision, default=()))]
            if len(runnable) == len(scripts):
                return iter(runnable)
            scripts = runnable

    ScriptDirectory._load_revisions = load_revisions

    no_env = None  # a versions directory without a script directory above it
    if ini.endswith(".ini"):
        config = Config(ini)
        if not config.get_main_option("script_location"):
            # Flask-Migrate: alembic.ini beside env.py, the directory is the script directory.
            config.set_main_option("script_location", os.path.dirname(os.path.abspath(ini)))
    else:  # a script directory without alembic.ini
        config = Config()
        config.set_main_option("script_location", ini)
        if not os.path.isdir(os.path.join(ini, "versions")):
            config.set_main_option("version_locations", ini)
    # prepend_sys_path's relative entries are relative to where `alembic` runs: beside the ini
    # (this process's directory) or, as with `alembic -c sub/alembic.ini`, where miglint runs.
    invoked_from = sys.argv[2] if len(sys.argv) > 2 else os.getcwd()
    prepend = config.get_main_option("prepend_sys_path")
    if prepend:
        entries = []
        for entry in re.split(r", *|(?: +)|\:", prepend):
            if not entry:
                continue
            for base in ([os.getcwd(), invoked_from] if not os.path.isabs(entry) else [""]):
                path = os.path.normpath(os.path.join(base, entry))
                if path not in entries:
                    entries.append(path)
        sys.path[:0] = entries  # as ScriptDirectory.from_config would, paths with spaces too
        config.set_main_option("prepend_sys_path", "")
    script_dir = config.get_main_option("script_location") or ""
    if ":" not in script_dir and not os.path.exists(os.path.join(script_dir, "env.py")):
        no_env = {"message": "no env.py in " + script_dir + " (a versions directory without its "
                  "script directory)", "file": None, "line": None}
    script = ScriptDirectory.from_config(config)
    version_dirs = [os.path.realpath(d) for d in script._version_locations]
    env_py = os.path.realpath(os.path.join(script.dir, "env.py"))
    try:
        with open(env_py, encoding="utf-8", errors="replace") as f:
            env_is_async = ASYNC_ENV.search(f.read()) is not None
    except OSError:
        env_is_async = False
    try:  # the driver the project's own sqlalchemy.url names, before miglint's replaces it
        project_url = config.get_main_option("sqlalchemy.url")
    except Exception:
        project_url = None
    try:
        script.revision_map.heads  # reads every revision file now, not during the first step
        map_error = None
    except Exception as e:
        map_error = describe(e, set())

    state = {"current": None, "version": False, "database": None, "xids": set(),
             "touched": set(), "migrating": False, "version_written": False}
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

    # Alembic queues the operations of a `with op.batch_alter_table(...)` block and runs them
    # when the block ends (BatchOperationsImpl.flush): the revision's frame is at the `with`
    # line by then. Each queued operation keeps the line of its batch_op call, and while flush
    # runs them (it reads the queue in order, running each before reading the next) their
    # statements are reported on that line. A table recreated instead (recreate="always", a
    # backend that needs it) runs its statements once the queue is read: on the `with` line.
    class LocatedBatch(list):
        def __init__(self, items=()):
            super().__init__(items)
            self.lines = [(None, None)] * len(self)

        def append(self, item):
            self.lines.append(location())
            super().append(item)

        def __iter__(self):
            for i in range(len(self)):
                state["batch_at"] = self.lines[i] if i < len(self.lines) else (None, None)
                yield list.__getitem__(self, i)
            state["batch_at"] = None

    try:
        from alembic.operations.batch import BatchOperationsImpl
        real_batch_init = BatchOperationsImpl.__init__
        real_flush = BatchOperationsImpl.flush

        def batch_init(self, *args, **kwargs):
            real_batch_init(self, *args, **kwargs)
            if isinstance(getattr(self, "batch", None), list):
                self.batch = LocatedBatch(self.batch)

        def flush(self, *args, **kwargs):
            state["batch_at"] = None
            state["flushing"] = True
            try:
                return real_flush(self, *args, **kwargs)
            finally:
                state["flushing"] = False
                state["batch_at"] = None

        BatchOperationsImpl.__init__ = batch_init
        BatchOperationsImpl.flush = flush
    except (ImportError, AttributeError):
        pass

    def statement_location():
        # The revision file's line running the statement: a batch operation's own line.
        path, line = location()
        at = state.get("batch_at")
        if path is not None and state.get("flushing") and at and at[0] is not None:
            return at
        return path, line

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

    def is_async_url(url):
        try:
            return bool(sqlalchemy.engine.url.make_url(url).get_dialect().is_async)
        except Exception:
            return False

    def create_engine(url, *args, **kwargs):
        if is_async_url(url):
            # An asyncio driver's connections belong to the event loop that made them, and an
            # async env.py runs a new loop (asyncio.run) per step: nothing is kept.
            return real_create_engine(url, *args, **kwargs)
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
        raw = getattr(dbapi, "_connection", None)  # SQLAlchemy's adapter around asyncpg
        if raw is not None and hasattr(raw, "is_in_transaction"):
            return raw.is_in_transaction()
        info = getattr(dbapi, "info", None)  # psycopg 3
        return info is not None and int(info.transaction_status) != 0

    # As miglint's own observer does (observer.cpp): relation OIDs and file numbers come from
    # one counter, so the relations that existed when the step began have numbers up to the
    # highest one then, and a file created since (a rewrite) a higher one.
    LAST_NUMBER = ("SELECT coalesce(max(greatest(oid::int8, relfilenode::int8)), 0) "
                   "FROM pg_class WHERE oid >= 16384")
    FILES = ("SELECT 'f', '', oid::text, relfilenode::text, '' FROM pg_class WHERE oid >= 16384 "
             "AND oid::int8 <= {last:d} AND relfilenode::int8 > {last:d} "
             "AND relkind IN ('r', 'p', 'm')")
    # Every lock the transaction holds, not only new ones: a lock it already holds in the same
    # or a stronger mode is granted again without a new row, and a statement runs under it.
    # pg_locks.virtualtransaction tells a new transaction (every one has one); the session's
    # lock_timeout comes with them.
    LOCKS = ("SELECT 'l', coalesce(txid_current_if_assigned()::text, ''), "
             "l.relation::oid::text, l.mode, l.virtualtransaction FROM pg_locks l "
             "WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.granted "
             "UNION ALL SELECT 's', current_setting('lock_timeout'), '', '', ''")

    def now_ms():
        return (time.perf_counter() - state["t0"]) * 1000.0

    def new_step():
        state["t0"] = time.perf_counter()
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
        # Every lock the transaction holds and its id go into the step's trace; returns every
        # lock held, as [oid, mode, taken]: taken when new since the last statement of the same
        # transaction.
        lock_rows = [r for r in rows if r[0] == "l"]
        txid = lock_rows[0][1] if lock_rows else ""
        vxid = lock_rows[0][4] if lock_rows else ""
        if vxid != state["txid"]:
            state["held"] = set()
            state["txid"] = vxid
        if txid:
            state["xids"].add(int(txid))
        held = []
        for _, _, oid, mode, _ in lock_rows:
            # Reading and writing rows never changes a relation's definition: every DDL on a
            # relation takes SHARE UPDATE EXCLUSIVE or stronger (observer.cpp).
            if mode not in ("AccessShareLock", "RowShareLock", "RowExclusiveLock"):
                state["touched"].add(oid)
            taken = (oid, mode) not in state["held"]
            state["held"].add((oid, mode))
            held.append([oid, mode, taken])
        return held

    def observe(conn):
        cur = raw_cursor(conn)
        observed = in_transaction(conn)
        # The number is written into the text: asyncpg's cursor takes positional parameters only.
        files = FILES.format(last=int(state["last"]))
        cur.execute(LOCKS + " UNION ALL " + files if observed else files)
        rows = cur.fetchall()
        if observed:
            locks = trace_locks(rows)
        else:
            state["held"] = set()
            locks = []
        rewritten = []
        lock_timeout = None
        for kind, value, oid, node, _ in rows:
            if kind == "f" and state["files"].get(oid) != node:
                state["files"][oid] = node
                rewritten.append(oid)
            elif kind == "s":
                lock_timeout = value
        return {"observed": observed, "locks": locks, "rewritten": rewritten,
                "lock_timeout": lock_timeout}

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
            path, line = statement_location()
            state["current"] = {"sql": context.statement, "file": path, "line": line}

    @event.listens_for(Engine, "before_cursor_execute")
    def before(conn, cursor, statement, parameters, context, executemany):
        state["current"] = None
        state["version"] = "alembic_version" in statement
        if state["version"]:
            return
        path, line = statement_location()
        if path is None:  # Alembic's own catalog queries, not the revision's
            return
        if state["last"] is None:
            baseline(conn)
        state["current"] = {"sql": statement, "file": path, "line": line, "started": now_ms()}

    @event.listens_for(Engine, "after_cursor_execute")
    def after(conn, cursor, statement, parameters, context, executemany):
        current = state["current"]
        if current is None:
            if state["version"] and state["migrating"] and \
                    statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
                state["version_written"] = True  # the revision's code has run
            if state["version"] and not statement.lstrip().upper().startswith("SELECT") \
                    and in_transaction(conn):
                # Alembic's version row is written last, in the revision's transaction: what it
                # holds then covers anything the revision ran past SQLAlchemy's events.
                cur = raw_cursor(conn)
                cur.execute(LOCKS)
                trace_locks(cur.fetchall())
            return
        state["current"] = None
        current["duration"] = now_ms() - current.get("started", 0.0)
        current.update(observe(conn))
        emit(event="statement", **current)

    @event.listens_for(Engine, "commit")
    def committed(conn):
        # Just before the COMMIT: what the transaction locked is released now.
        if "t0" in state:
            emit(event="end", at=now_ms())

    @event.listens_for(Engine, "rollback")
    def rolled_back(conn):
        if "t0" in state:
            emit(event="end", at=now_ms())

    def dispose_env_engines():
        # Engines env.py built around the cache (its own subclass, a custom creator) leave
        # pooled connections behind otherwise; one process runs every step.
        kept = set(map(id, kept_engines.values()))
        for engine in list(engines):
            if id(engine) not in kept:
                engine.dispose()

    def builtin_env(context):
        # Alembic's generic env.py template, online: sqlalchemy.url (the scratch database), no
        # target metadata, the revisions of one run in one transaction (one revision per run).
        # SQLAlchemy 2.0's connection API under 1.4 too (future=True): what a newer template
        # gives the revisions (connection.commit()).
        engine = create_engine(state["url"], future=True)
        with engine.connect() as connection:
            # The session settings env.py would have made (lock_timeout, statement_timeout...),
            # as miglint read them: the revisions run under the same limits.
            for name, value in sorted(state.get("settings", {}).items()):
                connection.exec_driver_sql("SELECT set_config(%s, %s, false)", (name, value))
            connection.commit()
            context.configure(connection=connection, target_metadata=None)
            with context.begin_transaction():
                context.run_migrations()

    def run(revision_id, upgrade, builtin):
        new_step()
        state["current"] = None
        state["migrating"] = False
        state["version_written"] = False
        revision = script.get_revision(revision_id)
        step = RevisionStep(script.revision_map, revision, upgrade)

        def steps(rev, context):
            state["migrating"] = True  # env.py got as far as run_migrations()
            return [step]

        try:
            with EnvironmentContext(config, script, fn=steps, as_sql=False,
                                    destination_rev=revision_id) as context:
                if builtin:
                    builtin_env(context)
                else:
                    script.run_env()
        finally:
            dispose_env_engines()

    def versions_now():
        # The revisions alembic_version holds, read on a connection of miglint's own.
        if "probe" not in state:
            state["probe"] = real_create_engine(state["url"])
        try:
            with state["probe"].connect() as c:
                return {r[0] for r in c.exec_driver_sql("SELECT version_num FROM alembic_version")}
        except Exception:
            return set()
        finally:
            state["probe"].dispose()

    def revision_file(revision_id, path):
        # The revision's file left out of the map because it cannot be imported, if it was.
        if path and os.path.realpath(path) in unimportable:
            return unimportable[os.path.realpath(path)]
        try:
            script.get_revision(revision_id)
            return None
        except Exception:
            return next(iter(unimportable.values()), None) if unimportable else None

    env = {"failed": no_env is not None, "told": no_env is None}

    def step_with_env(command):
        # env.py, until it fails once before the revision's code ran (or after the version row
        # was written); then this step and every later one in the built-in environment.
        upgrade = command["op"] == "upgrade"
        state["settings"] = command.get("settings") or {}
        if not env["told"]:
            env["told"] = True
            emit(event="environment", interpreter=sys.executable, env_is_async=False, missing=True,
                 **no_env)
        if not env["failed"]:
            try:
                run(command["revision"], upgrade, builtin=False)
                return
            except BaseException as e:  # SystemExit from settings validation too
                if state["migrating"] and not state["version_written"]:
                    raise  # the revision itself failed
                env["failed"] = True
                failure = describe(e, {env_py})
                failure["file"] = failure["file"] or env_py
                emit(event="environment", interpreter=sys.executable, env_is_async=env_is_async,
                     **failure)
                if state["version_written"] and \
                        (command["revision"] in versions_now()) == upgrade:
                    return  # the step is in effect: env.py failed after it
        run(command["revision"], upgrade, builtin=True)

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
            state["url"] = url
            # An asynchronous env.py gets the scratch database through an asyncio driver; the
            # built-in environment and miglint's own queries keep the synchronous one.
            env_url = (async_url(url, project_url) if env_is_async else None) or url
            os.environ["DATABASE_URL"] = env_url
            # ConfigParser interpolates '%': escape the URL before handing it over.
            config.set_main_option("sqlalchemy.url", env_url.replace("%", "%%"))
            state["database"] = command["database"]
            continue
        broken = revision_file(command["revision"], command.get("file"))
        if broken is not None or map_error is not None:
            failure = broken or map_error
            emit(event="error", fatal=True, kind="import", interpreter=sys.executable,
                 message=failure["message"], file=failure["file"], line=failure["line"],
                 sql=None, xids=[], touched=[])
            continue
        try:
            step_with_env(command)
            emit(event="done", xids=sorted(state["xids"]), touched=sorted(state["touched"]),
                 at=now_ms())
        except BaseException as e:  # report everything, including SystemExit from env.py
            failed = state["current"] or {}
            message = "".join(traceback.format_exception_only(type(e), e)).strip()
            emit(event="error", message=message, sql=failed.get("sql"),
                 file=failed.get("file"), line=failed.get("line"), sqlstate=sqlstate(e),
                 xids=sorted(state["xids"]), touched=sorted(state["touched"]))


if __name__ == "__main__":
    main()
