#!/usr/bin/env bash
# Builds every package into artifacts/packages (the libraries under src/, with symbols, and the project template). A
# project restores from that folder through a nuget.config of its own (the README's steps): nothing machine-wide is
# registered, so deleting this clone leaves no broken package source behind for every other restore. Safe to run again:
# the folder is rebuilt and the packages' cached copies of this version dropped so a restore takes the new build (the
# version changes only in Directory.Build.props).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
./scripts/drop-stale-nuget-source.sh
out="$root/artifacts/packages"
rm -rf "$out"
mkdir -p "$out"

projects=(src/Contracts src/Orchestration src/DataProcessing src/Adapters src/Operations src/Hosting src/CommandLine src/Testing
          templates/Orchestration.Templates)
for project in "${projects[@]}"; do
  dotnet pack "$project" -c Release -o "$out" -nologo -clp:ErrorsOnly -v quiet -p:ContinuousIntegrationBuild=true
done

# The global packages folder keeps a package by id and version: a rebuilt 0.1.0 would not replace a cached 0.1.0, so
# every cached version of these ids goes (a restore fetches what it needs again from the local source).
cache="$(dotnet nuget locals global-packages --list | sed 's/^global-packages: //')"
for package in "$out"/*.nupkg; do
  name="$(basename "$package" .nupkg)"
  id="$(sed -E 's/\.[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$//' <<<"$name")"
  rm -rf "${cache%/}/$(tr '[:upper:]' '[:lower:]' <<<"$id")"
done

echo "pack: $(ls "$out"/*.nupkg | wc -l) packages in $out (add it to a project's nuget.config: see the README)"
