#!/usr/bin/env bash
# Restore a backup made by ops/backup.sh into the database DATABASE_URL points at (replacing what is there).
#   DATABASE_URL=postgres://... ops/restore.sh FILE
set -euo pipefail
: "${DATABASE_URL:?DATABASE_URL must point at the PostgreSQL database to restore into}"
file="${1:?usage: ops/restore.sh FILE}"
pg_restore --clean --if-exists --no-owner --no-privileges --exit-on-error --single-transaction \
  --dbname="$DATABASE_URL" "$file"
echo "restored $file"
