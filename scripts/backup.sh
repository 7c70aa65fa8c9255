#!/usr/bin/env bash
# Back up the database named by DATABASE_URL into one file (pg_dump's custom format:
# compressed, restorable table by table, portable across machines).
#   DATABASE_URL=postgres://… scripts/backup.sh [FILE]   (default: sdc_ops-<UTC time>.dump)
set -euo pipefail
: "${DATABASE_URL:?set DATABASE_URL to the database to back up}"
out=${1:-sdc_ops-$(date -u +%Y%m%dT%H%M%SZ).dump}
pg_dump --format=custom --no-owner --no-privileges --file "$out" "$DATABASE_URL"
echo "backed up to $out ($(du -h "$out" | cut -f1))"
