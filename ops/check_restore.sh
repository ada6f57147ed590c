#!/usr/bin/env bash
# Proves a backup restores: demo data into a scratch database, backup, restore into a second one, and
# the same rows on both sides (CI runs this on PostgreSQL).
set -euo pipefail
cd "$(dirname "$0")/.."
host=127.0.0.1
src="cunji_backup_src_$$"; dst="cunji_backup_dst_$$"; tmp="$(mktemp -d)"
cleanup() { dropdb -h $host -U postgres --if-exists "$src"; dropdb -h $host -U postgres --if-exists "$dst"; rm -rf "$tmp"; }
trap cleanup EXIT
createdb -h $host -U postgres "$src"; createdb -h $host -U postgres "$dst"
export DATABASE_URL="postgres://postgres@$host:5432/$src"
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py load_demo > /dev/null
file="$(ops/backup.sh "$tmp")"
DATABASE_URL="postgres://postgres@$host:5432/$dst" ops/restore.sh "$file" > /dev/null
query="SELECT (SELECT count(*) FROM ledger_ledgerline), (SELECT sum(amount) FROM ledger_ledgerline),
       (SELECT count(*) FROM ledger_historicalledgerline), (SELECT count(*) FROM villages_village),
       (SELECT sum(operating_income) FROM ledger_ledgeryear)"
a="$(psql -h $host -U postgres -d "$src" -tAc "$query")"
b="$(psql -h $host -U postgres -d "$dst" -tAc "$query")"
echo "source:   $a"
echo "restored: $b"
[ "$a" = "$b" ] || { echo "restore differs from the source" >&2; exit 1; }
echo "backup and restore: identical"
