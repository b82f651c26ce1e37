"""The browser suite's own rule: a page test never passes by skipping."""

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

BROWSER_CONFTEST = Path(__file__).resolve().parent / "browser" / "conftest.py"


def test_a_page_test_that_skips_fails(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONPATH", str(BROWSER_CONFTEST.parents[2]))  # it imports tests.conftest
    pytester.makeini("[pytest]\nmarkers = browser: drives the page\n")
    pytester.makeconftest(BROWSER_CONFTEST.read_text())
    pytester.makepyfile(
        """
        import pytest

        def test_skips():
            pytest.skip("no page today")

        @pytest.mark.skipif(True, reason="never here")
        def test_skipped_by_a_marker():
            pass

        @pytest.mark.xfail(reason="expected to fail")
        def test_expected_to_fail():
            assert False

        def test_runs():
            pass
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", timeout=120)
    # A skipif marker skips in setup: that setup now fails, an error.
    result.assert_outcomes(passed=1, failed=2, errors=1)
    result.stdout.fnmatch_lines(["*a page test may not skip*no page today*"])
