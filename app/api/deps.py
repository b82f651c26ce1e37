"""Shared dependencies, as Annotated aliases: the settings and the job manager."""

from typing import Annotated

from fastapi import Depends
from starlette.requests import HTTPConnection

from app.config import Settings
from app.jobs.manager import JobManager


def get_settings(connection: HTTPConnection) -> Settings:
    """The settings the app was created with."""
    settings: Settings = connection.app.state.settings
    return settings


def get_manager(connection: HTTPConnection) -> JobManager:
    """The job manager, made when the app starts (lifespan)."""
    manager: JobManager = connection.app.state.manager
    return manager


SettingsDep = Annotated[Settings, Depends(get_settings)]
JobManagerDep = Annotated[JobManager, Depends(get_manager)]
