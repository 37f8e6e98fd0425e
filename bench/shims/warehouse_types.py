"""Stand-ins for warehouse's `warehouse.utils.db.types`, for bench/alembic_online_compare.py
(`--stub warehouse,packaging,warehouse.utils.db.types=warehouse_types`): TZDateTime is a
TypeDecorator over DateTime (TIMESTAMP WITHOUT TIME ZONE on PostgreSQL). Written for the bench;
the application's module imports warehouse itself. Other names are stand-in values."""
import sqlalchemy as sa


class TZDateTime(sa.types.TypeDecorator):
    impl = sa.DateTime
    cache_ok = True


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    return "warehouse.utils.db.types." + name
