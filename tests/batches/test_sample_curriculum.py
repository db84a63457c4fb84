"""The shipped demo curriculum parses (YAML, and the same as JSON) and has the promised shape."""

from __future__ import annotations

import json

import yaml

from shared.curriculum.service import SAMPLE_CURRICULUM, load_file

FULL = SAMPLE_CURRICULUM.with_name("sample_curriculum_full.yaml")


def test_full_sample_is_several_grades_of_3_to_4_subjects_of_8_to_12_chapters(tmp_path):
    data = load_file(FULL)
    assert len(data.grades) >= 4
    for grade in data.grades:
        assert 3 <= len(grade.subjects) <= 4
        for subject in grade.subjects:
            assert 8 <= len(subject.chapters) <= 12, (grade.grade, subject.name)
    as_json = tmp_path / "full.json"
    as_json.write_text(json.dumps(yaml.safe_load(FULL.read_text())))
    assert load_file(as_json) == data
