"""Make the nbgitpuller link that puts the course into a learner's home folder (and updates it later).

    python deploy/nbgitpuller_link.py --hub https://hub.example.org \\
        --repo https://github.com/ORG/dl-course --open chapters/00_introduction.ipynb

Clicking the link logs the learner in, starts their server if needed, clones the repository into
~/dl-course the first time and merges new commits on every later click (the learner's edits win where
both changed the same lines; see deploy/README.md), then opens the given notebook in JupyterLab.
"""

from __future__ import annotations

import argparse
import sys
from urllib.parse import urlencode

COURSE_DIR = "dl-course"


def pull_query(repo: str, branch: str = "main", targetpath: str = COURSE_DIR, open_path: str | None = None) -> str:
    """The query string nbgitpuller reads (the link's and its API's)."""
    params = {"repo": repo, "branch": branch, "targetpath": targetpath}
    if open_path:
        params["urlpath"] = f"lab/tree/{targetpath}/{open_path}"
    return urlencode(params)


def link(hub: str, repo: str, branch: str = "main", targetpath: str = COURSE_DIR, open_path: str | None = None) -> str:
    """A link for everyone on the hub: /hub/user-redirect/ sends each learner to their own server."""
    return f"{hub.rstrip('/')}/hub/user-redirect/git-pull?{pull_query(repo, branch, targetpath, open_path)}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hub", required=True, help="the hub's address, e.g. https://hub.example.org")
    parser.add_argument("--repo", required=True, help="the course's git repository (https URL)")
    parser.add_argument("--branch", default="main")
    parser.add_argument("--targetpath", default=COURSE_DIR, help=f"folder in each home ({COURSE_DIR})")
    parser.add_argument("--open", dest="open_path", help="a file to open afterwards, relative to the course")
    args = parser.parse_args(argv)
    print(link(args.hub, args.repo, args.branch, args.targetpath, args.open_path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
