"""Stand-ins for the column types of prefect's `prefect.server.utilities.database`, for
bench/alembic_online_compare.py (`--stub prefect,prefect.server.utilities.database=prefect_types`):
TypeDecorators whose PostgreSQL rendering is the one the application's types choose on
PostgreSQL (their load_dialect_impl): UUID -> UUID, Timestamp -> TIMESTAMP WITH TIME ZONE,
JSON and Pydantic -> JSONB. Written for the bench; the application's module needs pydantic 2
and prefect itself, which Debian's Python lacks. Other names are stand-in values."""
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


class UUID(sa.types.TypeDecorator):
    impl = postgresql.UUID
    cache_ok = True

    def __init__(self, *args, **kwargs):
        super().__init__()


class Timestamp(sa.types.TypeDecorator):
    impl = sa.TIMESTAMP
    cache_ok = True

    def __init__(self, *args, **kwargs):
        super().__init__(timezone=True)


class JSON(sa.types.TypeDecorator):
    impl = postgresql.JSONB
    cache_ok = True

    def __init__(self, *args, **kwargs):
        super().__init__()


class Pydantic(JSON):
    cache_ok = True


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    return "prefect.server.utilities.database." + name
