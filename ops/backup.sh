#!/usr/bin/env bash
# Back up the production database: a compressed pg_dump archive, named by date.
#   DATABASE_URL=postgres://... ops/backup.sh [DIR]      (default DIR: ./backups)
# Run it daily from cron or a systemd timer; keep copies off the server.
set -euo pipefail
: "${DATABASE_URL:?DATABASE_URL must point at the PostgreSQL database}"
dir="${1:-backups}"
mkdir -p "$dir"
file="$dir/cunji-$(date +%Y%m%d-%H%M%S).dump"
pg_dump --format=custom --no-owner --no-privileges --file="$file" "$DATABASE_URL"
pg_restore --list "$file" > /dev/null   # the archive is readable
echo "$file"
