#!/bin/sh
# real.git.CONFIG: /usr/bin/git on a repository made in the test's directory: init, add, several
# commits (edit, rename, delete), log --stat, diff, branch, a merge with a conflict and one without,
# tag, blame, grep, gc (which runs pack-objects, repack, prune... as children: all preloaded), fsck.
# Every command's exit status goes to stdout. Dates and identities are fixed, so the commit ids of the
# plain run and the checked run must be equal.
. "$HC_SRC/common.sh"
command -v git >/dev/null || { echo "SKIP: git not installed"; exit 77; }
scenario() {
  mkdir -p "$RUN/home" "$RUN/repo" && cd "$RUN/repo" || return 99
  HOME=$RUN/home XDG_CONFIG_HOME=$RUN/home GIT_CONFIG_NOSYSTEM=1 LC_ALL=C TZ=UTC
  GIT_AUTHOR_NAME="A U Thor" GIT_AUTHOR_EMAIL=author@example.com
  GIT_COMMITTER_NAME="C O Mitter" GIT_COMMITTER_EMAIL=committer@example.com
  export HOME XDG_CONFIG_HOME GIT_CONFIG_NOSYSTEM LC_ALL TZ GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL \
         GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL
  unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_EXEC_PATH GIT_TRACE
  t=1700000000
  g() {
    t=$((t + 3600))
    GIT_AUTHOR_DATE="@$t +0000" GIT_COMMITTER_DATE="@$t +0000" \
      $HC_PRE git -c init.defaultBranch=main -c core.pager=cat -c gc.auto=0 -c maintenance.auto=false \
                  -c color.ui=false -c advice.detachedHead=false "$@"
    echo "[git $1: exit $?]"
  }
  g init -q .
  mkdir src doc
  i=0; while [ $i -lt 400 ]; do echo "line $i of the first file"; i=$((i + 1)); done >a.txt
  printf '#include <stdio.h>\nint main(void) { puts("hi"); return 0; }\n' >src/main.c
  printf 'Docs\n====\n\nSome text.\n' >doc/README
  g add .
  g commit -q -m "first commit"
  n=1
  while [ $n -le 6 ]; do
    i=0; while [ $i -lt $((n * 50)) ]; do echo "commit $n adds line $i"; i=$((i + 1)); done >>a.txt
    sed -i "s/^line $((n * 7)) of/LINE $((n * 7)) OF/" a.txt
    echo "/* change $n */" >>src/main.c
    [ $n -eq 3 ] && g mv doc/README doc/README.md
    [ $n -eq 5 ] && g rm -q -f src/main.c && printf 'int helper(int x) { return x * %d; }\n' $n >src/helper.c
    g add -A
    g commit -q -m "commit $n" -m "Body of commit $n."
    n=$((n + 1))
  done
  g log --stat --format='%H %an %ad%n  %s'
  g diff HEAD~4 HEAD --stat
  g diff HEAD~2 HEAD
  g branch feature
  g checkout -q feature
  echo "feature work" >>doc/README.md
  printf 'feature\n' >feature.txt
  g add -A && g commit -q -m "feature"
  g checkout -q main
  echo "main work" >main.txt
  g add main.txt && g commit -q -m "main"
  g merge --no-edit feature
  g branch conflict HEAD~1
  g checkout -q conflict
  echo "conflicting line" >>doc/README.md
  g commit -q -am "conflicting"
  g checkout -q main
  g merge --no-edit conflict
  g status --short
  echo "resolved" >doc/README.md
  g add doc/README.md && g commit -q --no-edit
  g tag -a v1.0 -m "version 1.0"
  g log --oneline --graph --decorate --all
  g blame -s src/helper.c
  g grep -c "adds line"
  g show --stat v1.0
  g gc -q --prune=now
  g fsck --no-progress --strict
  g count-objects -v
  g rev-parse HEAD HEAD^2 v1.0
  g log --format=%s -3
}
compare_run "${1:-default}"
check_reports --min 40 --need git --need "git pack-objects"
finish
