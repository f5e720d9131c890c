"""Rules profiles: extends, schema validation with readable errors naming file and key."""
from __future__ import annotations

import pytest

from qa.config import ConfigError, bundled_profiles, load_config, validate_file


@pytest.mark.parametrize("name", sorted(bundled_profiles()))
def test_every_bundled_profile_is_valid(name):
    assert validate_file(bundled_profiles()[name]) == []
    assert load_config(name).name


def test_extends_merges_parent_options():
    cfg = load_config("social-story")
    assert cfg.family_options("resolution")["aspect_ratio"] == "9:16"
    assert cfg.family_options("format")["max_file_size_mb"] == 30  # own value
    assert "JPEG" in cfg.family_options("format")["formats"]


def test_unknown_option_names_file_key_and_choices(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("extends: web-hero\nchecks:\n  resolution:\n    min_widht: 100\n")
    errors = validate_file(bad)
    assert len(errors) == 1
    assert str(bad) in errors[0] and "checks.resolution.min_widht" in errors[0] and "min_width" in errors[0]
    with pytest.raises(ConfigError):
        load_config(bad)


def test_wrong_types_unknown_family_and_top_level_key(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("fail_on: sometimes\nfoo: 1\nchecks:\n  colour: {}\n  format:\n    max_file_size_mb: lots\n")
    text = "\n".join(validate_file(bad))
    assert "fail_on" in text and "foo" in text and "checks.colour" in text
    assert "checks.format.max_file_size_mb: expected" in text


def test_invalid_yaml_reports_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("checks:\n  format: [unclosed\n")
    errors = validate_file(bad)
    assert errors and "invalid YAML" in errors[0] and f"{bad}:" in errors[0]


def test_extends_cycle_is_reported(tmp_path):
    (tmp_path / "a.yaml").write_text("extends: b.yaml\n")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\n")
    assert "cycle" in "\n".join(validate_file(tmp_path / "a.yaml"))


def test_relative_paths_resolve_against_the_file_that_names_them(tmp_path):
    sub = tmp_path / "campaign"
    sub.mkdir()
    (sub / "c.yaml").write_text("extends: social-square\nchecks:\n  style:\n    references: refs\n")
    cfg = load_config(sub / "c.yaml")
    assert cfg.family_options("style")["references"] == str((sub / "refs").resolve())
