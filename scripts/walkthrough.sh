#!/usr/bin/env bash
# Runs a walkthrough of README.md exactly as printed: the ```bash blocks of one section, in one
# bash with errexit, nounset and pipefail. Needs curl, openssl, jq (and a built ztkeys for the CLI one).
# Usage: API=http://localhost:3000 DATA_DIR=./data scripts/walkthrough.sh ["Walkthrough with curl"]
set -euo pipefail
cd "$(dirname "$0")/.."
title=${1:-Walkthrough with curl}
script=$(awk -v title="$title" '
  fence { if ($0 ~ /^ *```/) { fence = 0; next } if (on && bash) print; next }
  /^ *```/ { fence = 1; bash = ($0 ~ /^ *```bash$/); next }
  /^#+ / { on = (substr($0, index($0, " ") + 1) == title); next }
' README.md)
[ -n "$script" ] || { echo "no bash block under a README heading \"$title\"" >&2; exit 2; }
exec bash -euo pipefail -c "$script"
