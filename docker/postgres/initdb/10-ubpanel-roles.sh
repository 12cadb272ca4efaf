#!/bin/sh
# Run once by the postgres image, on an empty data volume (docker-entrypoint-initdb.d), as the
# bootstrap superuser POSTGRES_USER. Creates the two roles ubpanel uses:
#   ubpanel_owner - owns the database and its tables; `migrate` connects as it (the web app never
#                   does). Not a superuser: it creates pg_trgm (a trusted extension) as the
#                   database owner.
#   ubpanel_app   - web, worker and beat: SELECT, INSERT, UPDATE, DELETE on the tables and the
#                   sequences, nothing else. Not a superuser and not the tables' owner, so it can
#                   neither TRUNCATE the audit trail nor switch off the trigger (migration
#                   ubpanel.0003) that refuses UPDATE and DELETE on it.
# On an existing volume, run the same statements by hand (docker compose exec db psql ...).
set -eu

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v owner_password="$UBPANEL_OWNER_PASSWORD" -v app_password="$UBPANEL_APP_PASSWORD" <<'SQL'
CREATE ROLE ubpanel_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'owner_password';
CREATE ROLE ubpanel_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD :'app_password';

CREATE DATABASE ubpanel OWNER ubpanel_owner;
REVOKE ALL ON DATABASE ubpanel FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE ubpanel TO ubpanel_app;

\connect ubpanel
-- PostgreSQL 15: the public schema belongs to the database's owner; nobody else creates in it.
ALTER SCHEMA public OWNER TO ubpanel_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO ubpanel_app;
-- Every table and sequence the owner's migrations create, now and later.
ALTER DEFAULT PRIVILEGES FOR ROLE ubpanel_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ubpanel_app;
ALTER DEFAULT PRIVILEGES FOR ROLE ubpanel_owner IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO ubpanel_app;
SQL
