#!/usr/bin/env bash
# Start Caddy in front of the Dagster UI with a login (deploy/Caddyfile). Runs in the foreground.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
for var in UI_PROXY_SITE UI_PROXY_USER UI_PROXY_PASSWORD_HASH; do
	if [ -z "${!var:-}" ]; then
		echo "ui-proxy: set $var (see deploy/README.md)" >&2
		exit 2
	fi
done
case "$UI_PROXY_PASSWORD_HASH" in
\$2[aby]\$*) ;;
*)
	echo "ui-proxy: UI_PROXY_PASSWORD_HASH must be a bcrypt hash from 'caddy hash-password'" >&2
	exit 2
	;;
esac
command -v caddy >/dev/null || {
	echo "ui-proxy: caddy is not installed (Debian: apt-get install caddy)" >&2
	exit 127
}
# Caddy keeps certificates and state under XDG folders: by default beside this deployment
export XDG_DATA_HOME="${XDG_DATA_HOME:-$HOME/.local/share}"
export XDG_CONFIG_HOME="${XDG_CONFIG_HOME:-$HOME/.config}"
export UI_PROXY_TLS="${UI_PROXY_TLS:-}"
exec caddy run --adapter caddyfile --config "$here/Caddyfile"
