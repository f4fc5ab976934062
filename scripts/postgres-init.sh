#!/bin/sh
# The portal's two database roles (README "Database roles"), for docker-compose's postgres service:
# run by the image's entrypoint when it first initialises the data volume (mounted into
# /docker-entrypoint-initdb.d), and by hand to upgrade a volume made before there were two roles:
#   docker compose exec postgres sh /docker-entrypoint-initdb.d/10-ioms-roles.sh
# Safe to run again: it creates what is missing, sets the passwords, and hands to the owner every
# table, sequence, view and function of schema public that someone else (the superuser) owns.
#
#   IOMS_OWNER_ROLE (ioms_owner): owns the database and everything in it, runs migrate.
#   IOMS_DB_APP_ROLE (ioms_app): the portal's connection; owns nothing, migrate grants it the rest.
# Their passwords come from IOMS_OWNER_PASSWORD and IOMS_APP_PASSWORD.
set -eu

: "${IOMS_OWNER_PASSWORD:?set IOMS_OWNER_PASSWORD}"
: "${IOMS_APP_PASSWORD:?set IOMS_APP_PASSWORD}"

psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v owner="${IOMS_OWNER_ROLE:-ioms_owner}" -v app="${IOMS_DB_APP_ROLE:-ioms_app}" \
    -v owner_password="$IOMS_OWNER_PASSWORD" -v app_password="$IOMS_APP_PASSWORD" <<'SQL'
SELECT NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'owner') AS create_owner,
       NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'app') AS create_app \gset
\if :create_owner
CREATE ROLE :"owner" LOGIN;
\endif
\if :create_app
CREATE ROLE :"app" LOGIN;
\endif
-- Neither is a superuser or may create roles; the application role is no member of the owner.
ALTER ROLE :"owner" LOGIN NOSUPERUSER NOCREATEROLE PASSWORD :'owner_password';
ALTER ROLE :"app" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'app_password';
SELECT pg_has_role(:'app', :'owner', 'MEMBER') AS app_is_member \gset
\if :app_is_member
REVOKE :"owner" FROM :"app";
\endif

SELECT current_database() AS database \gset
ALTER DATABASE :"database" OWNER TO :"owner";
-- PostgreSQL 15 and later: schema public belongs to the database's owner and nobody else may
-- create in it. Said again for a schema made by an older version.
ALTER SCHEMA public OWNER TO :"owner";
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
-- The search's extensions (offenders migration 0004) are trusted ones the owner could create; made
-- here so that migrate never needs the superuser.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;
CREATE EXTENSION IF NOT EXISTS unaccent;

-- A volume from before the two roles: the superuser made every table. Tables first (their serial
-- sequences follow them), then what is left; extension members stay with their extension.
SELECT format('ALTER TABLE public.%I OWNER TO %I', c.relname, :'owner')
FROM pg_class c
WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
  AND c.relowner <> :'owner'::regrole
  AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e') \gexec
SELECT format(
    'ALTER %s public.%I OWNER TO %I',
    CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' ELSE 'MATERIALIZED VIEW' END,
    c.relname, :'owner'
)
FROM pg_class c
WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('S', 'v', 'm')
  AND c.relowner <> :'owner'::regrole
  AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('e', 'a', 'i')) \gexec
SELECT format('ALTER ROUTINE %s OWNER TO %I', p.oid::regprocedure, :'owner')
FROM pg_proc p
WHERE p.pronamespace = 'public'::regnamespace AND p.proowner <> :'owner'::regrole
  AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e') \gexec
SQL
