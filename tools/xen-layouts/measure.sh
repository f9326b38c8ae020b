#!/usr/bin/env bash
# Measures the paging ring entry of every Xen release: compiles layout.c against each tag's public
# headers (x86-64) and writes packages/core/test/fixtures/xen-layouts.json, with each tag's commit.
#   tools/xen-layouts/measure.sh XEN_GIT_DIR
set -euo pipefail
xen=$1
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../../packages/core/test/fixtures/xen-layouts.json"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$(dirname "$out")"
{
  echo '{"origin": "sizeof and offsetof of the paging ring entry, compiled with gcc for x86-64 from xen/include/public at each release tag by tools/xen-layouts/measure.sh", "releases": ['
  first=1
  for tag in $(git -C "$xen" tag | grep -E '^RELEASE-4\.[0-9]+\.0$' | sort -V); do
    dir="$work/$tag"
    mkdir -p "$dir"
    git -C "$xen" archive "$tag" xen/include/public | tar -x -C "$dir"
    inc="$dir/xen/include/public"
    minor=${tag#RELEASE-4.}; minor=${minor%.0}
    if [ -f "$inc/vm_event.h" ]; then era=3; elif [ "$minor" = 0 ]; then era=0; elif [ "$minor" = 1 ]; then era=1; else era=2; fi
    gcc -w -D__XEN_TOOLS__ -DERA=$era -iquote "$inc" -o "$dir/layout" "$here/layout.c"
    [ $first = 1 ] || echo ','
    first=0
    printf '{"tag": "%s", "commit": "%s", "header": "%s", "layout": %s}' "$tag" "$(git -C "$xen" rev-parse "$tag^{commit}")" "$([ $era = 3 ] && echo vm_event.h || echo mem_event.h)" "$("$dir/layout")"
  done
  echo ']}'
} > "$out"
echo "wrote $out"
