#!/bin/sh
# Creates or upgrades Temporal's schemas in PostgreSQL (temporalio/admin-tools). Safe on every
# `docker compose up`: setup-schema keeps a newer version, update-schema applies only what is missing.
# The databases themselves come from deploy/postgres/init-databases.sh; the password from SQL_PASSWORD.
set -eu

for db in temporal temporal_visibility; do
  schema=$([ "$db" = temporal ] && echo temporal || echo visibility)
  echo "Schema of database $db..."
  temporal-sql-tool --plugin postgres12 --ep postgresql -p 5432 -u "$POSTGRES_USER" --db "$db" \
    setup-schema -v 0.0
  temporal-sql-tool --plugin postgres12 --ep postgresql -p 5432 -u "$POSTGRES_USER" --db "$db" \
    update-schema -d "/etc/temporal/schema/postgresql/v12/$schema/versioned"
done
echo "Temporal schemas are up to date"
