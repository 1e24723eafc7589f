"""Regenerate the config reference in README.md from the pydantic models (run by `make docs`)."""

import pathlib
import re
import sys

from newsseg.config import reference_markdown

START, END = "<!-- config-reference:start -->", "<!-- config-reference:end -->"


def main() -> int:
    readme = pathlib.Path(__file__).resolve().parent.parent / "README.md"
    text = readme.read_text(encoding="utf-8")
    if START not in text or END not in text:
        print(f"{readme}: markers {START} / {END} not found", file=sys.stderr)
        return 1
    new = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: f"{START}\n{reference_markdown()}{END}",
                 text, flags=re.S)
    readme.write_text(new, encoding="utf-8")
    print(f"updated {readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
