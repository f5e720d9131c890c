#!/usr/bin/env bash
# Set everything up and run assetqa on the bundled demo campaign (generated, no downloads).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/assetqa demo "$@"
