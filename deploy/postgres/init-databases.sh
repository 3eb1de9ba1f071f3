#!/bin/sh
# Runs once, when the postgres image initialises an empty data volume (/docker-entrypoint-initdb.d).
# POSTGRES_USER (temporal) and its database `temporal` exist already; add Temporal's visibility database,
# and the app's own ledger database `orderdesk` owned by its own role, so the app never holds the
# credentials of Temporal's databases.
set -eu

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
     -v orderdesk_password="$ORDER_DESK_DB_PASSWORD" <<'SQL'
SELECT 'CREATE DATABASE temporal_visibility'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'temporal_visibility')\gexec
SELECT format('CREATE ROLE orderdesk LOGIN PASSWORD %L', :'orderdesk_password')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'orderdesk')\gexec
SELECT 'CREATE DATABASE orderdesk OWNER orderdesk'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'orderdesk')\gexec
SQL
