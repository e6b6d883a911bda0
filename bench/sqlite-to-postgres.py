#!/usr/bin/env python3
"""Copies a cleanclaim SQLite store (say the one `cleanclaim demo` leaves) into an empty
PostgreSQL database that cleanclaim has already migrated, so the dashboard benchmark reads the
same organization on both backends.

    target/release/cleanclaim clinic list --database postgres://postgres@127.0.0.1:5432/demo1m
    bench/sqlite-to-postgres.py /tmp/demobig/demo.db postgres://postgres@127.0.0.1:5432/demo1m

Each table's rows go through `COPY ... FROM STDIN (FORMAT csv)` with the columns the SQLite
table has (columns only PostgreSQL has, such as the BIGSERIAL ids of submitted_claims, take
their defaults); foreign keys are not checked while copying (session_replication_role), and
every id sequence is moved past the copied ids afterwards. SQLite's 0/1 become booleans and
its blobs bytea and its JSON lists arrays, by the PostgreSQL column's type. Standard library only.
"""

import io
import json
import sqlite3
import subprocess
import sys
import time


def psql(url, sql, stdin=None):
    return subprocess.run(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-At", url, "-c", sql],
        input=stdin,
        capture_output=True,
        check=True,
    ).stdout.decode()


def pg_types(url, table):
    rows = psql(
        url,
        "SELECT column_name, data_type FROM information_schema.columns "
        f"WHERE table_schema = current_schema() AND table_name = '{table}'",
    )
    return dict(line.split("|", 1) for line in rows.splitlines() if line)


def converter(pg_type):
    if pg_type == "boolean":
        return lambda v: None if v is None else ("t" if v else "f")
    if pg_type == "ARRAY":
        # SQLite keeps a text array as a JSON list.
        def array(v):
            if v is None:
                return None
            items = json.loads(v)
            quoted = ('"' + str(i).replace("\\", "\\\\").replace('"', '\\"') + '"' for i in items)
            return "{" + ",".join(quoted) + "}"
        return array
    if pg_type == "bytea":
        return lambda v: None if v is None else "\\x" + bytes(v).hex()
    return lambda v: v


def field(value):
    """A CSV field for COPY: NULL unquoted and empty, every string quoted (so an empty string
    stays apart from NULL)."""
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return str(value)
    return '"' + str(value).replace('"', '""') + '"'


def copy_table(db, url, table):
    columns = [row[1] for row in db.execute(f'PRAGMA table_info("{table}")')]
    types = pg_types(url, table)
    missing = [c for c in columns if c not in types]
    if missing:
        sys.exit(f"{table}: PostgreSQL has no column {missing}: migrate it with this build first")
    convert = [converter(types[c]) for c in columns]
    column_list = ", ".join(f'"{c}"' for c in columns)
    started = time.time()
    count = 0
    proc = subprocess.Popen(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", url, "-c",
         f"SET session_replication_role = replica; "
         f'COPY "{table}" ({column_list}) FROM STDIN WITH (FORMAT csv)'],
        stdin=subprocess.PIPE,
    )
    text = io.TextIOWrapper(proc.stdin, encoding="utf-8", newline="")
    for row in db.execute(f'SELECT {column_list} FROM "{table}"'):
        text.write(",".join(field(f(v)) for f, v in zip(convert, row)))
        text.write("\n")
        count += 1
    text.flush()
    text.close()
    if proc.wait() != 0:
        sys.exit(f"{table}: COPY failed")
    print(f"{table}: {count} rows in {time.time() - started:.1f} s", flush=True)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    source, url = sys.argv[1], sys.argv[2]
    db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    tables = [
        name
        for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%' ORDER BY name"
        )
    ]
    for table in tables:
        if psql(url, f"SELECT COUNT(*) FROM (SELECT 1 FROM \"{table}\" LIMIT 1) t").strip() != "0":
            sys.exit(f"{table} is not empty: copy into a database cleanclaim has only migrated")
    for table in tables:
        copy_table(db, url, table)
    # Serial ids past what was copied; then fresh statistics for the planner.
    psql(
        url,
        """DO $$ DECLARE r record; BEGIN
             FOR r IN SELECT c.table_name, c.column_name,
                             pg_get_serial_sequence(c.table_name, c.column_name) AS seq
                      FROM information_schema.columns c
                      WHERE c.table_schema = current_schema() AND c.column_default LIKE 'nextval%'
             LOOP
               EXECUTE format('SELECT setval(%L, COALESCE((SELECT MAX(%I) FROM %I), 0) + 1, false)',
                              r.seq, r.column_name, r.table_name);
             END LOOP; END $$;""",
    )
    psql(url, "ANALYZE")
    print("done")


if __name__ == "__main__":
    main()
