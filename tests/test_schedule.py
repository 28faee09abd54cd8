"""The nightly deployment carries the schedule and parameters it was asked for."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxmining.errors import ScheduleError
from pipelines.schedule import nightly_deployment


def test_deployment_has_the_cron_schedule_timezone_and_absolute_parameters(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    deployment = nightly_deployment(Path("landing"), Path("store.duckdb"), Path("out"), Path("map.yaml"),
                                    cron="15 3 * * 1-5", timezone="Europe/Brussels")
    assert deployment.name == "nightly"
    assert deployment.flow_name == "nightly"
    [schedule] = deployment.schedules
    assert schedule.schedule.cron == "15 3 * * 1-5"
    assert schedule.schedule.timezone == "Europe/Brussels"
    assert deployment.parameters == {
        "landing": str(tmp_path / "landing"), "db": str(tmp_path / "store.duckdb"),
        "out": str(tmp_path / "out"), "mapping": str(tmp_path / "map.yaml"),
    }


@pytest.mark.parametrize(("setting", "message"), [
    ({"cron": "every night"}, "--cron: 'every night' is not a cron expression such as '30 2 \\* \\* \\*'"),
    ({"timezone": "Mars/Base"}, "--timezone: unknown time zone 'Mars/Base'; use an IANA name"),
])
def test_an_invalid_schedule_is_refused_in_one_line(setting: dict, message: str) -> None:
    with pytest.raises(ScheduleError, match=message) as refused:
        nightly_deployment(Path("l"), Path("d"), Path("o"), **setting)
    assert "\n" not in str(refused.value)


def test_any_flow_parameter_can_be_set_in_the_deployment_and_bad_ones_are_refused_in_one_line() -> None:
    deployment = nightly_deployment(Path("l"), Path("d"), Path("o"), settings=[
        "noise=0.35", "conformance_method=token_replay", "conformance_precision=false", "scenarios=/data/scenarios"])
    assert {k: deployment.parameters[k] for k in ("noise", "conformance_method", "conformance_precision", "scenarios")} == {
        "noise": 0.35, "conformance_method": "token_replay", "conformance_precision": False, "scenarios": "/data/scenarios"}
    for setting, problem in (("nois=0.3", "not NAME=VALUE with NAME one of"), ("noise", "not NAME=VALUE"),
                             ("noise=a lot", "noise")):
        with pytest.raises(ScheduleError, match=problem) as refused:
            nightly_deployment(Path("l"), Path("d"), Path("o"), settings=[setting])
        assert "\n" not in str(refused.value)
