#!/usr/bin/env bash
# Throw generated requests at a live server (SQLite, demo data) and check
# every answer against docs/openapi.json: no 500, and no status, content
# type, header or body the description does not allow.
#
#   scripts/schemathesis.sh [EXAMPLES]   generated cases per operation
#                                        (default 30, what scripts/test.sh runs)
#
# Schemathesis comes from PyPI into a virtualenv cached under
# ${VOLUNTEER_TOOLS_CACHE:-~/.cache/volunteer-tools}. Sign-out is left out:
# it would revoke the token the other operations use.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
examples="${1:-30}"
version=4.32.5
venv="${VOLUNTEER_TOOLS_CACHE:-$HOME/.cache/volunteer-tools}/schemathesis-$version"
if [[ ! -x "$venv/bin/schemathesis" ]]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet "schemathesis==$version"
fi
cargo build --locked -p volunteer-sync-server
dir="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
target/debug/volunteer-sync-server --listen "127.0.0.1:$port" --database "$dir/s.db" --demo \
    >"$dir/server.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 600); do
    grep -q "^listening" "$dir/server.log" && break
    kill -0 "$pid" 2>/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    sleep 0.2
done
grep -q "^listening" "$dir/server.log" || { echo "error: the server did not start" >&2; exit 1; }
token="$(python3 - "$port" <<'PY'
import json, sys, urllib.request
req = urllib.request.Request(
    f"http://127.0.0.1:{sys.argv[1]}/v1/session",
    data=json.dumps({"login": "volunteer1", "password": "demo-2026"}).encode(),
    headers={"content-type": "application/json"})
print(json.load(urllib.request.urlopen(req))["token"])
PY
)"
"$venv/bin/schemathesis" run docs/openapi.json \
    --url "http://127.0.0.1:$port" \
    -H "Authorization: Bearer $token" \
    --exclude-operation-id signOut \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
    --max-examples "$examples" --seed 1 --workers 1 --no-color
