#!/usr/bin/env bash
# Back up the database named by DATABASE_URL into one file (pg_dump's custom format:
# compressed, restorable table by table, portable across machines), and, when
# PRIVATE_MEDIA_ROOT names a folder, the private files (candidates' CVs) beside it.
#   DATABASE_URL=postgres://… [PRIVATE_MEDIA_ROOT=…] scripts/backup.sh [FILE]
#   (default FILE: sdc_ops-<UTC time>.dump; the files go to FILE.files.tar.gz)
set -euo pipefail
: "${DATABASE_URL:?set DATABASE_URL to the database to back up}"
out=${1:-sdc_ops-$(date -u +%Y%m%dT%H%M%SZ).dump}
pg_dump --format=custom --no-owner --no-privileges --file "$out" "$DATABASE_URL"
echo "backed up to $out ($(du -h "$out" | cut -f1))"
if [ -n "${PRIVATE_MEDIA_ROOT:-}" ] && [ -d "$PRIVATE_MEDIA_ROOT" ]; then
  tar -czf "$out.files.tar.gz" -C "$PRIVATE_MEDIA_ROOT" .
  echo "and the private files to $out.files.tar.gz ($(du -h "$out.files.tar.gz" | cut -f1))"
fi
