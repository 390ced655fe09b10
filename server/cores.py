"""How many cores this process may use: the CPUs it may run on, capped by its cgroup's CPU quota.

``os.cpu_count()`` counts the host's cores. A container started with ``--cpus=2`` on a 64-core host sees 64
there, but the kernel lets it run for only 2 cores' worth of time each period: 64 workers would share 2
cores, each chunk a slice of a second, and every deadline would be missed. Two limits count:

- the affinity mask (``taskset``, ``docker --cpuset-cpus``): ``os.sched_getaffinity(0)``;
- the CFS quota: cgroup v2's ``cpu.max`` ("max 100000": none; "200000 100000": 2 cores) on the process's
  cgroup and each of its ancestors (the tightest wins), or cgroup v1's ``cpu.cfs_quota_us`` /
  ``cpu.cfs_period_us`` (-1: none). A fractional quota is rounded up (1.5 cores: 2 workers), as the JVM and
  Go round theirs: a worker that gets half a core still trains.

``root`` is the file system's root, so the tests read fake cgroup files from a temporary folder.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

ROOT = Path("/")


def usable_cores(root: Path = ROOT) -> int:
    """The cores this process may use (at least 1)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    quota = cpu_quota(root)
    return max(1, min(cores, math.ceil(quota)) if quota is not None else cores)


def cpu_quota(root: Path = ROOT) -> float | None:
    """Cores' worth of CPU time the cgroup quota allows, the tightest along the process's cgroup path; None
    when there is no quota (or no cgroup file system to read)."""
    quotas = [q for q in (*_v2_quotas(root), *_v1_quotas(root)) if q is not None]
    return min(quotas, default=None)


def _cgroups(root: Path) -> dict[str, str]:
    """The process's cgroup paths by controller ("" for cgroup v2's unified hierarchy), from /proc/self/cgroup."""
    try:
        lines = (root / "proc/self/cgroup").read_text().splitlines()
    except OSError:
        return {}
    paths = {}
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) == 3:
            for controller in parts[1].split(","):
                paths[controller] = parts[2]
    return paths


def _ancestors(mount: Path, path: str) -> list[Path]:
    """The cgroup's folder under ``mount`` and each parent up to the mount itself."""
    folder = mount / path.strip("/")
    return [folder, *[p for p in folder.parents if p == mount or mount in p.parents]]


def _v2_quotas(root: Path) -> list[float | None]:
    mount = root / "sys/fs/cgroup"
    path = _cgroups(root).get("", "/")
    return [_v2_quota(folder / "cpu.max") for folder in _ancestors(mount, path)]


def _v2_quota(file: Path) -> float | None:
    """'200000 100000' → 2.0; 'max 100000', a missing or unreadable file → None."""
    try:
        quota, period = file.read_text().split()[:2]
        return int(quota) / int(period) if quota != "max" and int(period) > 0 else None
    except (OSError, ValueError):
        return None


def _v1_quotas(root: Path) -> list[float | None]:
    path = _cgroups(root).get("cpu")
    if path is None:
        return []
    mounts = [m for m in (root / "sys/fs/cgroup/cpu", root / "sys/fs/cgroup/cpu,cpuacct") if m.is_dir()]
    # inside a container the mount is the container's own cgroup; on a host, the path below it is
    return [_v1_quota(folder) for mount in mounts for folder in dict.fromkeys([mount / path.strip("/"), mount])]


def _v1_quota(folder: Path) -> float | None:
    """cpu.cfs_quota_us / cpu.cfs_period_us; -1 (no quota), missing or unreadable files → None."""
    try:
        quota = int((folder / "cpu.cfs_quota_us").read_text())
        period = int((folder / "cpu.cfs_period_us").read_text())
    except (OSError, ValueError):
        return None
    return quota / period if quota > 0 and period > 0 else None
