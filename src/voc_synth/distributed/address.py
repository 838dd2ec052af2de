"""Reading a scheduler address (`--scheduler`, `execution.scheduler`) before anything connects.

Two kinds are accepted: `local:N` (start a Dask LocalCluster of N worker processes here) and the
address of a running Dask scheduler (`tcp://HOST:PORT`, `tls://HOST:PORT`, or `HOST:PORT`, read as
tcp). A malformed one is a `ConfigError` that says what is wrong and shows the forms that work,
so a typo fails at once instead of after a long connection timeout.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import ConfigError

#: Schemes `distributed` can connect to from another machine.
REMOTE_SCHEMES = ("tcp", "tls", "ws", "wss", "ucx")
DEFAULT_PORT = 8786

_FORMS = ("use `local:N` to start N workers on this machine (e.g. local:2), or the address of a "
          "running Dask scheduler such as tcp://10.0.0.5:8786 (start one with `dask scheduler`; "
          "see docs/distributed.md)")
_HOST_PORT = re.compile(r"^(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9][A-Za-z0-9.\-_]*)(?::(?P<port>[^/]*))?/?$")


@dataclass(frozen=True)
class SchedulerSpec:
    """A checked scheduler address: `local` with `n_workers`, or a remote `address`."""

    text: str
    local: bool
    n_workers: int = 0
    address: str = ""

    def describe(self) -> str:
        """One line for the run's record and the CLI: where the run's partitions go."""
        if self.local:
            return f"a LocalCluster of {self.n_workers} worker process{'es' if self.n_workers != 1 else ''}"
        return f"the Dask scheduler at {self.address}"


def parse_scheduler(text: str) -> SchedulerSpec:
    """Check `text` and return what it names; raises `ConfigError` naming the problem and the fix."""
    raw = text
    text = (text or "").strip()
    if not text:
        raise ConfigError(f"The scheduler address is empty: {_FORMS}.")
    if text.lower().startswith("local"):
        match = re.fullmatch(r"local(?::(\d+))?", text, flags=re.IGNORECASE)
        if match is None:
            raise ConfigError(f"Scheduler {raw!r}: after 'local:' comes the number of workers, a whole "
                              f"number of at least 1 (e.g. local:2); {_FORMS}.")
        n = int(match.group(1) or 1)
        if n < 1:
            raise ConfigError(f"Scheduler {raw!r}: a LocalCluster needs at least 1 worker (e.g. local:2).")
        return SchedulerSpec(text=text, local=True, n_workers=n)
    scheme, sep, rest = text.partition("://")
    if not sep:
        scheme, rest = "tcp", text
    scheme = scheme.lower()
    if scheme not in REMOTE_SCHEMES:
        raise ConfigError(f"Scheduler {raw!r}: '{scheme}://' is not a Dask protocol "
                          f"({', '.join(s + '://' for s in REMOTE_SCHEMES)}); {_FORMS}.")
    match = _HOST_PORT.match(rest)
    if match is None:
        raise ConfigError(f"Scheduler {raw!r}: '{rest}' is not HOST:PORT; {_FORMS}.")
    host, port = match.group("host"), match.group("port")
    if port is None or port == "":
        port_number = DEFAULT_PORT
    elif port.isdigit() and 0 < int(port) < 65536:
        port_number = int(port)
    else:
        raise ConfigError(f"Scheduler {raw!r}: the port '{port}' is not a number from 1 to 65535 "
                          f"(Dask's default is {DEFAULT_PORT}); {_FORMS}.")
    return SchedulerSpec(text=text, local=False, address=f"{scheme}://{host}:{port_number}")
