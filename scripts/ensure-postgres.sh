#!/usr/bin/env bash
# Starts the local PostgreSQL cluster if nothing answers on PGHOST:PGPORT (default
# 127.0.0.1:5432). Used by `make dev` and `make test`; a no-op when Postgres is already up.
set -euo pipefail
host=${PGHOST:-127.0.0.1}
port=${PGPORT:-5432}

ready() { pg_isready -q -h "$host" -p "$port" -t 2; }

if ready; then exit 0; fi
if ! command -v pg_ctlcluster >/dev/null; then
	echo "Postgres is not answering on $host:$port and pg_ctlcluster is not installed; start Postgres yourself." >&2
	exit 1
fi
version=$(ls /etc/postgresql | sort -V | tail -n1)
echo "Starting PostgreSQL $version (cluster main)..." >&2
pg_ctlcluster --skip-systemctl-redirect "$version" main start
for _ in $(seq 1 30); do
	if ready; then exit 0; fi
	sleep 1
done
echo "Postgres did not come up on $host:$port." >&2
exit 1
