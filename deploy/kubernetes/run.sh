#!/usr/bin/env bash
# Runs the three steps in order on the current kubectl context and namespace, waiting for each:
#   kubectl create secret generic marginproof-secret --from-file=secret=venue.secret
#   (copy venue.toml and accounts.csv to input/ on the volume), then: bash deploy/kubernetes/run.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
kubectl apply -f "$here/volume.yaml"
kubectl apply -f "$here/plan-job.yaml"
kubectl wait --for=condition=complete --timeout=1h job/marginproof-plan
kubectl apply -f "$here/workers-job.yaml"
kubectl wait --for=condition=complete --timeout=24h job/marginproof-prove
kubectl apply -f "$here/assemble-job.yaml"
kubectl wait --for=condition=complete --timeout=1h job/marginproof-assemble
