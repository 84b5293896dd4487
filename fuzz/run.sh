#!/usr/bin/env bash
# Fuzzes one parser with afl-fuzz through SharpFuzz, then prints the figures and replays every finding.
#   fuzz/run.sh TARGET [SECONDS]      targets: manifest, digest, content-range, range; default 600 seconds
# Needs afl-fuzz (apt-get install -y afl++) and the sharpfuzz tool (installed here if missing).
# Everything it makes goes to fuzz/out/TARGET/ (ignored by git): the instrumented build, seeds, findings.
set -euo pipefail

target=${1:?usage: fuzz/run.sh TARGET [SECONDS]  (manifest, digest, content-range, range)}
seconds=${2:-600}
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/fuzz/out/$target
export PATH=$PATH:$HOME/.dotnet/tools

command -v afl-fuzz > /dev/null || { echo "afl-fuzz is missing: apt-get install -y afl++" >&2; exit 1; }
command -v sharpfuzz > /dev/null || dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0

rm -rf "$out" && mkdir -p "$out"
# A build of its own: instrumenting rewrites the assemblies in place, which must never reach the normal output.
dotnet publish "$root/fuzz/Berth.Fuzz" -c Release -o "$out/bin" --nologo -v quiet
harness=(dotnet "$out/bin/Berth.Fuzz.dll")
"${harness[@]}" assemblies "$target" | while read -r assembly; do
  sharpfuzz "$out/bin/$assembly"
done
"${harness[@]}" seeds "$target" "$out/seeds"
"${harness[@]}" dictionary "$target" "$out/dictionary"
dictionary=()
[ -s "$out/dictionary" ] && dictionary=(-x "$out/dictionary")

echo "fuzzing $target for $seconds s"
# .NET cannot be built with afl's compiler (hence SKIP_BIN_CHECK); the machine's core_pattern and CPU governor
# belong to its owner, so afl-fuzz is told not to insist on them.
AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 \
  afl-fuzz -V "$seconds" -i "$out/seeds" -o "$out/findings" -t 5000 -m none "${dictionary[@]}" \
  -- "${harness[@]}" run "$target" > "$out/afl.log" 2>&1 || { tail -30 "$out/afl.log"; exit 1; }

stats=$out/findings/default/fuzzer_stats
for field in run_time execs_done execs_per_sec corpus_count edges_found bitmap_cvg saved_crashes saved_hangs; do
  printf '%-14s %s\n' "$field" "$(sed -n "s/^$field *: //p" "$stats")"
done

shopt -s nullglob
findings=("$out"/findings/default/crashes/id* "$out"/findings/default/hangs/id*)
if [ ${#findings[@]} -gt 0 ]; then
  echo "findings (replayed without instrumentation):"
  dotnet publish "$root/fuzz/Berth.Fuzz" -c Release -o "$out/plain" --nologo -v quiet
  dotnet "$out/plain/Berth.Fuzz.dll" replay "$target" "${findings[@]}" || true
  exit 1
fi
echo "no findings"
