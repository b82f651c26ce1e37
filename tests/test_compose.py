"""compose.yaml brings up the distributed mode: a broker, two replicas behind one port,
and two workers, all on the same GRADLIVE_BROKER_URL."""

import re

import yaml

from tests.conftest import ROOT


def services() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]


def test_compose_runs_a_broker_two_replicas_behind_a_proxy_and_two_workers():
    found = services()
    broker = found["broker"]
    assert broker["image"].startswith(("valkey/valkey:", "redis:"))
    assert "--appendonly" in broker["command"]  # the jobs outlive a restart of the broker
    assert "ports" not in broker  # reached by the replicas and workers only
    replicas = [s for name, s in found.items() if name.startswith("server-")]
    worker = found["worker"]
    assert len(replicas) == 2
    assert worker["command"] == ["gradlive", "worker"] and worker["deploy"]["replicas"] == 2
    for service in [*replicas, worker]:
        assert service["environment"]["GRADLIVE_BROKER_URL"] == "redis://broker:6379/0"
        assert "ports" not in service
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    upstreams = re.search(r"reverse_proxy ([^{]+)\{", caddyfile)
    assert upstreams and upstreams.group(1).split() == ["server-1:8000", "server-2:8000"]
    assert found["proxy"]["ports"] == ["8000:8000"]
