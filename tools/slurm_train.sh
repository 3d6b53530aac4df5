#!/usr/bin/env bash
# Usage: [GPUS=8] [GPUS_PER_NODE=8] tools/slurm_train.sh PARTITION JOB CONFIG WORK_DIR [train.py args]
#
# Pre-emption and requeue (docs/training.md):
# - srun asks Slurm for SIGUSR1 SIGNAL_SECS seconds (default 120) before the
#   time limit (--signal=USR1@SIGNAL_SECS). mmssl's PreemptionHook (also on
#   SIGTERM) saves a checkpoint after the current iteration and every rank
#   exits with PREEMPT_EXIT_CODE (75).
# - On that exit code the job is requeued: inside a batch job (sbatch, which
#   sets SLURM_JOB_ID) with `scontrol requeue`, so the whole batch script runs
#   again (submit it with `sbatch --requeue`); started from a login node, srun
#   is simply run again, at most MAX_REQUEUES times (default 100).
# - Each start finds WORK_DIR/last_checkpoint and adds --resume (AUTO_RESUME=0
#   turns that off).
set -euo pipefail
PARTITION=$1
JOB_NAME=$2
CONFIG=$3
WORK_DIR=$4
GPUS=${GPUS:-8}
GPUS_PER_NODE=${GPUS_PER_NODE:-8}
CPUS_PER_TASK=${CPUS_PER_TASK:-5}
SRUN_ARGS=${SRUN_ARGS:-""}
source "$(dirname "$0")/python_env.sh"
SIGNAL_SECS=${SIGNAL_SECS:-120}
PREEMPT_EXIT_CODE=${PREEMPT_EXIT_CODE:-75}
MAX_REQUEUES=${MAX_REQUEUES:-100}
AUTO_RESUME=${AUTO_RESUME:-1}
export MASTER_PORT=${MASTER_PORT:-$((12000 + RANDOM % 20000))}

resume_args() {
    # --resume once WORK_DIR holds a checkpoint, unless the user gave it
    local arg
    for arg in "${@:5}"; do
        [[ "$arg" == --resume* ]] && return 0
    done
    if [[ "$AUTO_RESUME" == 1 && -f "$WORK_DIR/last_checkpoint" ]]; then
        echo "--resume"
    fi
}

requeues=0
while true; do
    RESUME=$(resume_args "$@")
    status=0
    PYTHONPATH="$(dirname "$0")/..${PYTHONPATH:+:$PYTHONPATH}" \
    srun -p "$PARTITION" --job-name="$JOB_NAME" --gres=gpu:"$GPUS_PER_NODE" \
        --ntasks="$GPUS" --ntasks-per-node="$GPUS_PER_NODE" \
        --cpus-per-task="$CPUS_PER_TASK" --kill-on-bad-exit=1 \
        --signal=USR1@"$SIGNAL_SECS" $SRUN_ARGS \
        "$PYTHON" -u "$(dirname "$0")/train.py" "$CONFIG" --work-dir="$WORK_DIR" \
        --launcher=slurm $RESUME "${@:5}" || status=$?
    if [[ "$status" != "$PREEMPT_EXIT_CODE" ]]; then
        exit "$status"
    fi
    if [[ -n "${SLURM_JOB_ID:-}" ]]; then
        echo "slurm_train.sh: pre-empted, requeueing job $SLURM_JOB_ID" >&2
        scontrol requeue "$SLURM_JOB_ID"
        exit 0
    fi
    requeues=$((requeues + 1))
    if (( requeues > MAX_REQUEUES )); then
        echo "slurm_train.sh: pre-empted $requeues times, giving up" >&2
        exit "$status"
    fi
    echo "slurm_train.sh: pre-empted, starting again ($requeues/$MAX_REQUEUES)" >&2
done
