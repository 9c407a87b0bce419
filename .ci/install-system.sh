#!/usr/bin/env bash
# Installs the system packages Slate needs (bubblewrap, OpenSSH client, node, sqlite3, ...)
# and the other SSH clients the client matrix tests drive (Dropbear's dbclient, PuTTY's plink).
# As root it uses apt; as any other user it only checks and says what is missing.
set -euo pipefail

# command -> Debian package
declare -A need=(
  [bwrap]=bubblewrap
  [ssh]=openssh-client
  [sshpass]=sshpass
  [dbclient]=dropbear-bin   # Dropbear's SSH client (client matrix; no server is started)
  [plink]=putty-tools       # PuTTY's command-line client (client matrix)
  [node]=nodejs
  [sqlite3]=sqlite3
  [tmux]=tmux
  [git]=git
  [setpriv]=util-linux
  [ip]=iproute2
  [ps]=procps
)
missing=()
for cmd in "${!need[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${need[$cmd]}")
done
# The venv is made from the system interpreter; Debian splits ensurepip into python3-venv.
if [ -x /usr/bin/python3 ] && ! /usr/bin/python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
  missing+=(python3-venv)
fi
# CA certificates: pygit2 refuses to import without them.
[ -e /etc/ssl/certs/ca-certificates.crt ] || missing+=(ca-certificates)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "slate: installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  exit 0
fi
echo "slate: these system packages are missing: ${missing[*]}" >&2
echo "slate: install them as root (e.g. 'sudo apt-get install ${missing[*]}') or run 'sudo make ...'." >&2
exit 1
