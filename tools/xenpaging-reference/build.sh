#!/usr/bin/env bash
# Builds driver.c against xenpaging's policy from a Xen git directory at a tag:
#   tools/xenpaging-reference/build.sh XEN_GIT_DIR [TAG]   (default RELEASE-4.2.0) → prints the binary's path
set -euo pipefail
xen=$1
tag=${2:-RELEASE-4.2.0}
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
git -C "$xen" show "$tag:tools/xenpaging/policy_default.c" > "$out/policy_default.c"
git -C "$xen" show "$tag:tools/libxc/xc_bitops.h" > "$out/xc_bitops.h"
cp "$here/policy.h" "$here/driver.c" "$out/"
gcc -O1 -w -o "$out/xenpaging-policy" "$out/driver.c" "$out/policy_default.c"
echo "$out/xenpaging-policy"
