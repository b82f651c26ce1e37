"""The engine stands alone: importing it pulls in no web framework."""

import subprocess
import sys


def test_importing_the_engine_loads_no_web_framework():
    code = (
        "import sys; import app.nn; "
        "from app.nn import activations, datasets, gradcheck, grid, model, optimizers, trainer; "
        "web = {'fastapi', 'starlette', 'uvicorn', 'jinja2', 'pydantic', 'plotly', 'app.jobs', "
        "'app.api'}; print(sorted(web & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
