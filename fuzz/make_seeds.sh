#!/usr/bin/env bash
# Rebuilds the fixture bundle in seeds/small/ and every seed derived from it or from a demo bundle,
# with the release CLI. Run from the repository root after a format or circuit change:
#   cargo build --release -p marginproof-cli && bash fuzz/make_seeds.sh
set -euo pipefail
bin=${MARGINPROOF_BIN:-target/release/marginproof}   # any build of the CLI: the formats are the same
seeds=fuzz/seeds
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Length-prefixed parts (4-byte little-endian length, then the bytes), as marginproof_fuzz::split reads.
parts() {
  python3 - "$@" <<'PY'
import struct, sys
out = sys.argv[1]
with open(out, "wb") as f:
    for path in sys.argv[2:]:
        data = open(path, "rb").read()
        f.write(struct.pack("<I", len(data)) + data)
PY
}

small=$seeds/small
"$bin" prove --config "$small/venue.toml" --accounts "$small/accounts.csv" --out "$work/small" \
  --batch-size 2 > /dev/null
rm -rf "$small/public" && cp -r "$work/small/public" "$small/public"
"$bin" inclusion --bundle "$work/small" --account acct-000002 --out "$small/incl.json"
cp "$small/public/manifest.json" "$seeds/manifest_json/small.json"
cp "$small/incl.json" "$seeds/inclusion_json/small.json"
cp "$small/public/batches/batch-000000.proof" "$seeds/proof_bytes/batch0.proof"
parts "$seeds/verify_bundle/small.bin" "$small/public/manifest.json" "$small/public/distinct-keys.bin" "$small"/public/batches/*.proof
parts "$seeds/verify_inclusion_whole/small.bin" "$small/public/manifest.json" "$small/incl.json"

"$bin" demo --dir "$work/demo" > /dev/null
id=$(sed -n 2p "$work/demo/accounts.csv" | cut -d, -f1)
"$bin" inclusion --bundle "$work/demo/bundle" --account "$id" --out "$work/demo-incl.json"
cp "$work/demo/bundle/public/manifest.json" "$seeds/manifest_json/demo.json"
cp "$work/demo/venue.toml" "$seeds/config_toml/demo.toml"
parts "$seeds/verify_inclusion_whole/demo.bin" "$work/demo/bundle/public/manifest.json" "$work/demo-incl.json"
# The reserves file (SPEC §13): a generated venue with test wallets, proven, its message signed.
"$bin" generate --accounts 8 --assets 3 --markets 1 --out "$work/reserves" > /dev/null
"$bin" prove --config "$work/reserves/venue.toml" --accounts "$work/reserves/accounts.csv" \
  --out "$work/reserves/bundle" --batch-size 4 > /dev/null
"$bin" sign-reserves "$work/reserves/bundle/public" --keys "$work/reserves/reserve-keys.json" \
  --out "$seeds/reserves_json/signed.json" 2> /dev/null
cp "$work/reserves/bundle/public/manifest.json" "$seeds/reserves/manifest.json"
echo "seeds rebuilt"
