"""The database rule that a line is ≥ 0 unless its item may be negative (投资收益, 年初未分配收益).

A CHECK constraint cannot look at another table, so each vendor gets a row trigger that fires only
for a negative amount (the WHEN clause: an import of non-negative rows pays nothing) and refuses it
unless the line's item has `may_be_negative`. It covers every path: the ORM, bulk inserts, update(),
COPY and raw SQL all raise IntegrityError (SQLSTATE 23514 on PostgreSQL, a constraint error on SQLite).

SQLite drops a table's triggers when Django rebuilds the table (most column changes on SQLite do):
a later migration that alters `ledger_ledgerline` must call `install(schema_editor)` again after its
operations. `tests/test_statement_db.py` checks the triggers are there on the migrated database.
"""

CONSTRAINT = "ledger_line_amount_sign"

_POSTGRESQL = f"""
CREATE OR REPLACE FUNCTION {CONSTRAINT}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM ledger_lineitem WHERE id = NEW.item_id AND may_be_negative) THEN
        RAISE EXCEPTION 'new row for relation "ledger_ledgerline" violates check constraint "{CONSTRAINT}"'
            USING ERRCODE = '23514', CONSTRAINT = '{CONSTRAINT}', TABLE = 'ledger_ledgerline';
    END IF;
    RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS {CONSTRAINT} ON ledger_ledgerline;
CREATE TRIGGER {CONSTRAINT} BEFORE INSERT OR UPDATE OF amount, item_id ON ledger_ledgerline
    FOR EACH ROW WHEN (NEW.amount < 0) EXECUTE FUNCTION {CONSTRAINT}();
"""

_SQLITE_CONDITION = ("NEW.amount < 0 AND NOT EXISTS "
                     "(SELECT 1 FROM ledger_lineitem WHERE id = NEW.item_id AND may_be_negative)")
_SQLITE = [
    f"DROP TRIGGER IF EXISTS {CONSTRAINT}_insert",
    f"DROP TRIGGER IF EXISTS {CONSTRAINT}_update",
    f"""CREATE TRIGGER {CONSTRAINT}_insert BEFORE INSERT ON ledger_ledgerline
        WHEN {_SQLITE_CONDITION}
        BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {CONSTRAINT}'); END""",
    f"""CREATE TRIGGER {CONSTRAINT}_update BEFORE UPDATE OF amount, item_id ON ledger_ledgerline
        WHEN {_SQLITE_CONDITION}
        BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {CONSTRAINT}'); END""",
]


def install(schema_editor) -> None:
    """Create (or re-create) the trigger on the migration's database."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(_POSTGRESQL)
    elif vendor == "sqlite":
        for statement in _SQLITE:
            schema_editor.execute(statement)
    else:
        raise NotImplementedError(f"no {CONSTRAINT} trigger for {vendor}")


def uninstall(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {CONSTRAINT} ON ledger_ledgerline; "
                              f"DROP FUNCTION IF EXISTS {CONSTRAINT}()")
    elif vendor == "sqlite":
        for statement in _SQLITE[:2]:
            schema_editor.execute(statement)


def installed(connection) -> bool:
    """Whether the trigger is on `connection`'s database (for the tests)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname = %s AND NOT tgisinternal", [CONSTRAINT])
            return cursor.fetchone()[0] == 1
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN (%s, %s)",
                       [f"{CONSTRAINT}_insert", f"{CONSTRAINT}_update"])
        return cursor.fetchone()[0] == 2
