#!/usr/bin/env bash
# Lints the OpenAPI document exactly as the built API serves it at /docs-json (dumped without a port)
# with Redocly (recommended) and Spectral (spectral:oas): any error or warning fails.
set -euo pipefail
cd "$(dirname "$0")/.."
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
mkdir -p .tmp
node dist/src/tools/dump-openapi.js .tmp/openapi.json
npx --no-install redocly lint .tmp/openapi.json --format=json > .tmp/redocly.json 2>/dev/null || true
node -e '
  const { totals, problems } = require("./.tmp/redocly.json");
  for (const p of problems) console.error(`redocly ${p.severity} ${p.ruleId}: ${p.message} at ${p.location.map((l) => l.pointer).join(", ")}`);
  console.log(`redocly (recommended): ${totals.errors} errors, ${totals.warnings} warnings, ${totals.ignored} ignored (.redocly.lint-ignore.yaml)`);
  if (totals.errors + totals.warnings > 0) process.exit(1);
'
npx --no-install spectral lint --ruleset .spectral.yaml --fail-severity=warn .tmp/openapi.json
