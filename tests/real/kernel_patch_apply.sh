#!/usr/bin/env bash
# The companion kernel patches apply to the kernel source they name
# (tests/kernel/apply.sh; needs Debian's linux-source-6.1).
exec bash "$ROOT/tests/kernel/apply.sh"
