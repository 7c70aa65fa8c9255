#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into an EMPTY database, all or nothing.
#   scripts/restore.sh FILE postgres://…/new_database
# The target must exist and be empty (createdb NAME); restoring over a live database
# is refused by --exit-on-error at the first clash. Then point DATABASE_URL at it.
set -euo pipefail
file=${1:?usage: scripts/restore.sh FILE TARGET_DATABASE_URL}
target=${2:?usage: scripts/restore.sh FILE TARGET_DATABASE_URL}
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction \
  --dbname "$target" "$file"
echo "restored $file into $target"
