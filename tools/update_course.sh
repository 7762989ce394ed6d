#!/usr/bin/env bash
# `make update`: bring in the course's new and changed files without losing a learner's own work.
#
# A chapter you ran or edited stays as it is, unless the update changes that same file: then the new version
# takes its place and yours is copied first to my_work/ under the same path (for example
# my_work/chapters/02_calculus.ipynb; git ignores my_work/). Files of your own are never touched. Nothing is
# committed, and the update only fast-forwards, so it stops without changing anything if you made commits.
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "make update: $*" >&2; exit 1; }

git rev-parse --is-inside-work-tree >/dev/null 2>&1 ||
    die "this folder is not a git clone of the course, so it cannot be updated; clone the course with git"
git rev-parse --verify --quiet '@{upstream}' >/dev/null ||
    die "the current branch follows no branch of the course; run: git branch --set-upstream-to=origin/main"
git fetch --quiet || die "could not reach the course's repository (git fetch failed)"

old=$(git rev-parse HEAD)
new=$(git rev-parse '@{upstream}')
if git merge-base --is-ancestor "$new" "$old"; then
    echo "The course is up to date."
    exit 0
fi
git merge-base --is-ancestor "$old" "$new" ||
    die "you made commits of your own, so a plain update could overwrite them; nothing was changed. Keep them on top of the new course with: git pull --rebase"

upstream_changed=$(git -c core.quotepath=off diff --name-only "$old" "$new")
# Your work: tracked files you changed (saved or staged) and your own files.
yours=$({ git -c core.quotepath=off diff --name-only HEAD; git -c core.quotepath=off ls-files --others --exclude-standard; } | sort -u)
stamp=$(date +%Y-%m-%d_%H%M%S)

copy_name() {  # my_work/<path>, or my_work/<path with a time stamp> when that copy exists already
    local dest="my_work/$1" base
    if [ -e "$dest" ]; then
        base=$(basename "$1")
        case "$base" in
            ?*.*) dest="my_work/${1%.*}.$stamp.${1##*.}" ;;
            *) dest="my_work/$1.$stamp" ;;
        esac
    fi
    printf '%s\n' "$dest"
}

saved=""
while IFS= read -r path; do
    [ -n "$path" ] && grep -qxF -- "$path" <<<"$upstream_changed" || continue
    if [ -e "$path" ]; then
        dest=$(copy_name "$path")
        mkdir -p "$(dirname "$dest")"
        cp -p -- "$path" "$dest"
        saved+="  $path -> $dest"$'\n'
    fi
    if git cat-file -e "HEAD:$path" 2>/dev/null; then
        git checkout --quiet HEAD -- "$path"
    else
        rm -f -- "$path"
    fi
done <<<"$yours"

git merge --ff-only --quiet "$new" ||
    die "git could not fast-forward; your copies of the files the update changes are in my_work/"

echo "Updated the course (${old:0:7} -> ${new:0:7})."
added=$(git diff --name-only --diff-filter=A "$old" "$new")
changed=$(git diff --name-only --diff-filter=MR "$old" "$new")
[ -z "$added" ] || { echo "New:"; sed 's/^/  /' <<<"$added"; }
[ -z "$changed" ] || { echo "Changed:"; sed 's/^/  /' <<<"$changed"; }
if [ -n "$saved" ]; then
    echo "You had edited files that the update changed. The new versions are in place; yours are saved here:"
    printf '%s' "$saved"
fi
echo "Your other edits are as you left them. If requirements changed, the next 'make start' installs them."
