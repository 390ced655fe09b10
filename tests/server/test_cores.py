"""The workers a service starts: the cores this process may use — its affinity, capped by the cgroup quota read
from (fake) cgroup v2 and v1 files — never the host's core count."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from server import cores
from server.cores import cpu_quota, usable_cores
from server.service import default_workers


def fake(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


V2 = "0::/\n"  # a container's own cgroup namespace: its cgroup is the root of what it sees


@pytest.mark.parametrize(("cpu_max", "quota"), [
    ("max 100000\n", None),  # no limit
    ("200000 100000\n", 2.0),  # docker --cpus=2
    ("150000 100000\n", 1.5),
    ("50000 100000\n", 0.5),
    ("garbage\n", None),  # unreadable: no limit known
    ("100000 0\n", None),
])
def test_cgroup_v2_cpu_max(tmp_path, cpu_max, quota):
    root = fake(tmp_path, {"proc/self/cgroup": V2, "sys/fs/cgroup/cpu.max": cpu_max})
    assert cpu_quota(root) == quota


def test_cgroup_v2_the_tightest_ancestor_wins(tmp_path):
    root = fake(tmp_path, {
        "proc/self/cgroup": "0::/system.slice/app.service\n",
        "sys/fs/cgroup/system.slice/cpu.max": "300000 100000\n",
        "sys/fs/cgroup/system.slice/app.service/cpu.max": "max 100000\n",
        "sys/fs/cgroup/cpu.max": "max 100000\n",
    })
    assert cpu_quota(root) == 3.0


@pytest.mark.parametrize(("quota_us", "period_us", "quota"), [
    ("-1", "100000", None),  # no limit
    ("400000", "100000", 4.0),
    ("250000", "100000", 2.5),
])
def test_cgroup_v1_cfs_quota(tmp_path, quota_us, period_us, quota):
    root = fake(tmp_path, {
        "proc/self/cgroup": "5:memory:/x\n3:cpu,cpuacct:/\n",
        "sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us": quota_us + "\n",
        "sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us": period_us + "\n",
    })
    assert cpu_quota(root) == quota


def test_no_cgroup_files_means_no_quota(tmp_path):
    assert cpu_quota(tmp_path) is None


def test_the_quota_caps_the_affinity_and_rounds_up(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(64)))  # a 64-core host
    root = fake(tmp_path, {"proc/self/cgroup": V2, "sys/fs/cgroup/cpu.max": "150000 100000\n"})
    assert usable_cores(root) == 2  # 1.5 cores' worth of time: two workers, not 64
    (root / "sys/fs/cgroup/cpu.max").write_text("max 100000\n")
    assert usable_cores(root) == 64
    (root / "sys/fs/cgroup/cpu.max").write_text("10000 100000\n")
    assert usable_cores(root) == 1  # a tenth of a core: still one worker
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})  # taskset to two cores under a quota of 8
    (root / "sys/fs/cgroup/cpu.max").write_text("800000 100000\n")
    assert usable_cores(root) == 2


def test_default_workers_counts_usable_cores_not_the_host(monkeypatch):
    monkeypatch.delenv("PLAYGROUND_WORKERS", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2})
    monkeypatch.setattr(cores, "cpu_quota", lambda root=cores.ROOT: None)
    assert default_workers() == 3
    monkeypatch.setenv("PLAYGROUND_WORKERS", "0")
    assert default_workers() == 0
