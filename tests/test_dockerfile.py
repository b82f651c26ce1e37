"""The Docker image keeps its runs in a volume (docs/api.md, Runs that last), as the README says."""

from tests.conftest import ROOT


def test_the_image_keeps_its_jobs_in_the_data_volume():
    lines = [line.strip() for line in (ROOT / "Dockerfile").read_text().splitlines()]
    assert "VOLUME /data" in lines
    assert any(line.startswith("GRADLIVE_DATA_DIR=/data") for line in lines)
