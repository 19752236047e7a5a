#!/usr/bin/env bash
# own_kernel_minimal.sh: syswalk on a kernel built from Debian's linux-source-6.1 with
# kernel/linux-configs/minimal.config (scripts/build-linux.sh minimal; built once per machine,
# about 5 minutes on two cores). See tests/lib/own_kernel.sh for what is asserted.
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/../lib/own_kernel.sh"
tmpdir
own_kernel_test minimal no no
