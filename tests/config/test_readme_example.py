"""README's "Watch real providers": its ten-line file applies, and prints the cost the README shows."""

from __future__ import annotations

import re
from pathlib import Path

README = (Path(__file__).parents[2] / "README.md").read_text()
SECTION = README[README.index("## Watch real providers") :].split("\n## ", 1)[0]


def test_the_example_file_is_ten_lines(apply_file, keys) -> None:
    example = re.search(r"```yaml\n(.*?)```", SECTION, re.S).group(1)
    assert len(example.splitlines()) == 10


def test_the_example_prints_the_cost_the_readme_shows(apply_file, keys) -> None:
    example = re.search(r"```yaml\n(.*?)```", SECTION, re.S).group(1)
    shown = re.search(r"```\n(Probe cost per month.*?)```", SECTION, re.S).group(1)
    printed = apply_file(example, "--dry-run")
    assert shown in printed
