import re
from pathlib import Path

from newsseg.config import reference_markdown

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_config_reference_matches_the_models():
    text = README.read_text(encoding="utf-8")
    match = re.search(r"<!-- config-reference:start -->\n(.*?)<!-- config-reference:end -->", text, re.S)
    assert match, "README lacks the config reference markers"
    assert match.group(1) == reference_markdown(), "README config reference is stale: run `make docs`"


def test_readme_shows_the_two_commands_first():
    text = README.read_text(encoding="utf-8")
    first_code = re.search(r"```(?:bash)?\n(.*?)```", text, re.S).group(1)
    assert "make train" in first_code and "make test" in first_code
