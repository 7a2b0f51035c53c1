#!/usr/bin/env bash
# Shard 4 of 4 of the synthetic vmcores (tests/tools/synthetic_run.sh).
exec bash "$ROOT/tests/tools/synthetic_run.sh" 4 4
