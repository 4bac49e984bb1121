#!/usr/bin/env bash
# Earlier versions of pack.sh registered artifacts/packages machine-wide as the NuGet source `orchestration-local`.
# Once that clone is deleted the source points nowhere, and every restore on the machine fails (NU1301) as soon as it
# needs a package not yet cached. Run before any restore: drops that source when its folder is gone, else leaves it.
set -uo pipefail
folder="$(dotnet nuget list source --format detailed 2>/dev/null | grep -A1 "orchestration-local" | tail -1 | sed 's/^ *//')"
if [ -n "$folder" ] && [ ! -d "$folder" ]; then
  dotnet nuget remove source orchestration-local >/dev/null && echo "dropped the NuGet source orchestration-local ($folder no longer exists)"
fi
exit 0
