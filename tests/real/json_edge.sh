#!/bin/sh
# real.json.*: the JSON report stays valid and lands where it was asked to, whatever the command line holds.
#
#   args      arguments that are not text (invalid UTF-8 bytes, control characters) and one of 100000 bytes:
#             valid JSON that heapcheck-report reads, U+FFFD for the bytes, every argument whole
#   symlink   json_path is a symbolic link: refused and said on stderr (a link may have been planted by another
#             user); its target is not written, the link stays a link, no temporary file is left
. "$HC_SRC/common.sh"
case "${1:-}" in
  args)
    long=$(head -c 100000 /dev/zero | tr '\0' x)
    HEAPCHECK_OPTIONS="json_path=$W/r.json" LD_PRELOAD="$HC_LIB" /bin/echo "$(printf 'a\377\376\303b')" \
      "$(printf 'tab\there')" "$long" last >/dev/null 2>"$W/err" || fail "the program failed"
    "$HC_REPORT" show "$W/r.json" >/dev/null 2>"$W/show.err" || fail "heapcheck-report cannot read it: $(cat "$W/show.err")"
    "$HC_PY" - "$W/r.json" <<'PY' || fail "the command in the report is wrong"
import json, sys
cmd = json.load(open(sys.argv[1], encoding="utf-8"))["command"]
assert cmd[1] == "a\ufffd\ufffd\ufffdb", cmd[1]
assert cmd[2] == "tab\there", cmd[2]
assert len(cmd[3]) == 100000 and set(cmd[3]) == {"x"}, len(cmd[3])
assert cmd[4:] == ["last"], cmd[4:]
PY
    ;;
  symlink)
    : >"$W/target.json"
    ln -s target.json "$W/link.json"
    HEAPCHECK_OPTIONS="json_path=$W/link.json" LD_PRELOAD="$HC_LIB" /bin/true 2>"$W/err" || fail "the program failed"
    [ -L "$W/link.json" ] || fail "the link was replaced by a file"
    [ -s "$W/target.json" ] && fail "the report was written through the link"
    grep -F -q "heapcheck: cannot write json_path '$W/link.json': it is a symbolic link" "$W/err" ||
      fail "the refusal is not said: $(cat "$W/err")"
    ls "$W" | grep -q '\.tmp\.' && fail "a temporary file was left: $(ls "$W")"
    ;;
  *) fail "unknown case '${1:-}'" ;;
esac
finish
