"""GET /healthz: the server answers."""

from fastapi import APIRouter

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def read_health() -> dict[str, str]:
    """200 {"status": "ok"} while the server runs."""
    return {"status": "ok"}
