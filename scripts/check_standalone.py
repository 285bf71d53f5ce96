"""Fail when a tracked file refers to a path outside the repository.

The repository must stand alone: a newcomer clones it with nothing beside it. This
check runs in `make test` and looks at every file git tracks for
- a relative path (`../…`) that climbs above the repository root: in documents
  (Markdown, HTML) read from the file's own folder, as their links are; elsewhere
  from the file's folder or from the root (commands and code run from the root);
- the folders a checkout of this project sometimes has beside it (`shared/`);
- Python that climbs above the project folder (`BASE_DIR.parent`, `os.pardir`).

Usage: python scripts/check_standalone.py [ROOT]; exit status 1 lists each hit as
file:line: text.
"""

import re
import subprocess
import sys
from pathlib import PurePosixPath

# `../x`, `../../x`, `..\x` starting a token (not `/a/../b`, a URL path): the parent steps and what follows.
RELATIVE = re.compile(r"(?<![\w./\\])((?:\.\.[/\\])+)([^\s\"'`)<>\]]*)")
FORBIDDEN = (
    (re.compile(r"\bshared[/\\]seed\b"), "names the shared seed folder beside the checkout"),
    (re.compile(r"\bBASE_DIR\.parent\b"), "climbs above the project folder"),
    (re.compile(r"\bos\.pardir\b"), "climbs above the project folder"),
)
# The check and its own tests quote the patterns they look for.
EXEMPT = {"scripts/check_standalone.py", "tests/unit/test_standalone.py"}
LINKED_DOCUMENTS = {".md", ".html", ".rst"}
BINARY_SUFFIXES = {".mo", ".png", ".jpg", ".jpeg", ".gif", ".ico", ".pdf", ".xlsx", ".docx", ".woff", ".woff2"}


def tracked_files(root):
    output = subprocess.run(["git", "ls-files", "-z"], cwd=root, capture_output=True, check=True).stdout
    return [name for name in output.decode().split("\0") if name]


def escapes(folder, relative):
    """Whether `relative`, read from `folder` (a path inside the repository), leaves the repository."""
    depth = len(PurePosixPath(folder).parts)
    for part in PurePosixPath(relative.replace("\\", "/")).parts:
        if part == "..":
            depth -= 1
            if depth < 0:
                return True
        elif part != ".":
            depth += 1
    return False


def violations_in(name, text):
    """(line number, line, reason) for each reference in `text` (the file `name`) to a path outside."""
    parent = PurePosixPath(name).parent
    folder = "" if parent == PurePosixPath(".") else str(parent)
    starts = [folder] if PurePosixPath(name).suffix.lower() in LINKED_DOCUMENTS else [folder, ""]
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        for pattern, reason in FORBIDDEN:
            if pattern.search(line):
                found.append((number, line.strip(), reason))
        for match in RELATIVE.finditer(line):
            path = match.group(1) + match.group(2)
            if any(escapes(start, path) for start in starts):
                found.append((number, line.strip(), f"{path} leaves the repository"))
    return found


def violations(root="."):
    found = []
    for name in tracked_files(root):
        if PurePosixPath(name).suffix.lower() in BINARY_SUFFIXES or name in EXEMPT:
            continue
        try:
            with open(f"{root}/{name}", encoding="utf-8") as handle:
                text = handle.read()
        except (UnicodeDecodeError, FileNotFoundError):
            continue  # binary, or deleted in the work tree
        found.extend((name, number, line, reason) for number, line, reason in violations_in(name, text))
    return found


def main(argv):
    root = argv[1] if len(argv) > 1 else "."
    found = violations(root)
    for name, number, line, reason in found:
        print(f"{name}:{number}: {reason}: {line[:160]}", file=sys.stderr)
    if found:
        print(f"{len(found)} reference(s) to paths outside the repository; it must stand alone.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
