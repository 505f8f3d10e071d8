#!/bin/sh
# `make k8s-load MODE=basic SEGMENTS=3`: one load test of the stack on a Kubernetes cluster, as an Indexed Job of
# SEGMENTS pods that start together, merged into the whole run's reports (README.md here).
#   1. checks that kubectl reaches a cluster (else exit 2 at once, never a hang);
#   2. renders the run's kustomizations (scripts/k8s/load-job.ts: the mode's swarm arguments, START_AT = now + LEAD_S);
#   3. applies the segments' Job and waits until it has completed or failed;
#   4. applies the merge Job (whatever the segments did: a failed one makes the merge fail, naming it) and waits;
#   5. copies /results/<run>/ to load_test_reports/k8s-<run>/ through a short-lived pod on the volume, prints the
#      merge's console report, and exits with the merge's code: the run's verdict (0 pass, 1 fail, 2 a segment
#      missing or cut short).
set -eu
NS=swarmgate
OUT_ROOT="${STACK_DIR:-.stack}/k8s/load"
REPORTS="${REPORTS_DIR:-load_test_reports}"
KUBECTL="${KUBECTL:-kubectl}"

say() { printf 'k8s-load: %s\n' "$*" >&2; }

if ! command -v "$KUBECTL" >/dev/null 2>&1; then
  say "kubectl is not installed: https://kubernetes.io/docs/tasks/tools/"
  exit 2
fi
# Without a current context kubectl would try http://localhost:8080, which may be anything (the stack's own gateway
# listens there by default): no cluster configured is said as such. A short request timeout otherwise: a cluster
# that is down fails in seconds.
ctx=$("$KUBECTL" config current-context 2>/dev/null || true)
if [ -z "$ctx" ]; then
  say "kubectl has no cluster configured (no current context): start one (minikube start, or kind create cluster)"
  say "and deploy the stack on it first: deploy/k8s/README.md"
  exit 2
fi
if ! reason=$("$KUBECTL" version --request-timeout=5s 2>&1 >/dev/null); then
  say "kubectl cannot reach the cluster of context $ctx: $(printf '%s' "$reason" | tail -n 1)"
  exit 2
fi
if ! "$KUBECTL" get namespace "$NS" --request-timeout=5s >/dev/null 2>&1; then
  say "no namespace $NS on the cluster of context $ctx: deploy the stack first (deploy/k8s/README.md)"
  exit 2
fi

plan=$(npx --no-install tsx scripts/k8s/load-job.ts "$OUT_ROOT") || exit $?
run=$(printf '%s\n' "$plan" | sed -n 's/^run=//p')
dir=$(printf '%s\n' "$plan" | sed -n 's/^dir=//p')
start_at=$(printf '%s\n' "$plan" | sed -n 's/^start_at=//p')
segments=$(printf '%s\n' "$plan" | sed -n 's/^segments=//p')
say "run $run: $segments segments of MODE=${MODE:-basic}, starting at $(date -u -d "@$start_at" +%H:%M:%SZ 2>/dev/null || echo "$start_at")"

# Ended = Complete or Failed; the deadline is the start plus the run and some, so a stuck pod is no hang.
wait_job() {
  job=$1 deadline=$2
  while :; do
    state=$("$KUBECTL" -n "$NS" get job "$job" -o jsonpath='{range .status.conditions[?(@.status=="True")]}{.type} {end}' 2>/dev/null || true)
    case "$state" in
      *Complete*) return 0 ;;
      *Failed*) return 1 ;;
    esac
    if [ "$(date +%s)" -gt "$deadline" ]; then
      say "$job has not ended by its deadline; see: kubectl -n $NS describe job $job"
      return 3
    fi
    sleep 5
  done
}

"$KUBECTL" apply -k "$dir/segments"
# The longest mode is minutes long; DEADLINE_S bounds the wait after the start (default 1 h).
seg_state=0
wait_job "swarm-$run" $((start_at + ${DEADLINE_S:-3600})) || seg_state=$?
[ "$seg_state" -eq 0 ] || say "the segments' Job did not complete (a pod failed or was stopped): the merge says which"
"$KUBECTL" apply -k "$dir/merge"
merge_state=0
wait_job "swarm-merge-$run" $(($(date +%s) + 600)) || merge_state=$?
"$KUBECTL" -n "$NS" logs "job/swarm-merge-$run" || true

# The reports, through a pod that mounts the volume for as long as the copy takes.
mkdir -p "$REPORTS/k8s-$run"
"$KUBECTL" -n "$NS" run "swarm-results-$run" --restart=Never --image="${IMAGE:-swarmgate/swarm:local}" \
  --image-pull-policy=IfNotPresent --command --overrides="{\"spec\":{\"securityContext\":{\"runAsUser\":1000,\"fsGroup\":1000},\"volumes\":[{\"name\":\"results\",\"persistentVolumeClaim\":{\"claimName\":\"swarm-results\"}}],\"containers\":[{\"name\":\"swarm-results-$run\",\"image\":\"${IMAGE:-swarmgate/swarm:local}\",\"command\":[\"sleep\",\"300\"],\"volumeMounts\":[{\"name\":\"results\",\"mountPath\":\"/results\"}]}]}}" \
  -- sleep 300 >/dev/null
"$KUBECTL" -n "$NS" wait --for=condition=Ready "pod/swarm-results-$run" --timeout=120s >/dev/null \
  && "$KUBECTL" -n "$NS" cp "swarm-results-$run:/results/$run" "$REPORTS/k8s-$run" >/dev/null \
  && say "reports: $REPORTS/k8s-$run/ (summary.json, run_*.csv, junit.xml, report.html, segment-*.json)"
"$KUBECTL" -n "$NS" delete pod "swarm-results-$run" --wait=false >/dev/null 2>&1 || true

if [ "$merge_state" -eq 0 ]; then
  say "PASS (run $run)"
  exit 0
fi
code=$("$KUBECTL" -n "$NS" get pods -l "job-name=swarm-merge-$run" \
  -o jsonpath='{.items[0].status.containerStatuses[0].state.terminated.exitCode}' 2>/dev/null || true)
say "FAIL (run $run): swarm merge exited ${code:-?}"
case "$code" in 1 | 2) exit "$code" ;; *) exit 1 ;; esac
