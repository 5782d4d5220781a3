"""What ``kg serve`` is started with: address, limits, and what it may do."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_PORT = 7878
HOST = "127.0.0.1"


@dataclass
class ServerConfig:
    path: Path
    port: int = DEFAULT_PORT
    allow_update: bool = False
    #: seconds one query (or update) may run
    timeout: float = 30.0
    max_result_bytes: int = 50 * 1024 * 1024
    max_request_bytes: int = 1024 * 1024
    workers: int = 2
    host: str = HOST
    prefixes: dict[str, str] = field(default_factory=dict)
    #: allow SERVICE patterns and LOAD (the server then makes outbound requests)
    allow_service: bool = False
    #: origins whose pages may call the endpoint (CORS); "*" for any; none by default
    cors_origins: tuple[str, ...] = ()
    #: more names the Host header may carry (besides the bound address and localhost)
    allowed_hosts: tuple[str, ...] = ()
    #: answers kept per store generation (0: none)
    cache_entries: int = 512
