"""Upload and download throughput of documents' files through gunicorn, beside a plain file
copy on the same disk, and the web worker's memory (RSS) while a large file streams in.

    python -m bench.files [--backend sqlite --backend postgres] [--mib 100] [--large-mib 500]

For each backend: a store (SQLite with its file directory; PostgreSQL with the files in the
database), a case with a document, then ``--repeat`` uploads of a ``--mib`` MiB file (raw
body, and as ``multipart/form-data``) and downloads of it, best of the repeats, each as MB/s
and as a ratio to copying the same file on the same disk with ``shutil.copyfile`` and an
fsync (the baseline, measured in the same run). Then one ``--large-mib`` upload (raw body),
sampling the RSS of the gunicorn worker every 20 ms: its peak against its RSS before the
upload. Figures are reported, never asserted.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import argument_parser, set_up_bodies, store
from bench.http_path import gunicorn, issue_token

MIB = 1024 * 1024


def _random_file(directory: Path, mib: int) -> Path:
    path = directory / f"random-{mib}.bin"
    with path.open("wb") as out:
        for _ in range(mib):
            out.write(os.urandom(MIB))
    return path


def copy_rate(source: Path, directory: Path) -> float:
    """MB/s of copying ``source`` on the same disk, fsynced (the baseline)."""
    target = directory / "copy.bin"
    started = time.perf_counter()
    shutil.copyfile(source, target)
    with target.open("rb+") as written:
        os.fsync(written.fileno())
    elapsed = time.perf_counter() - started
    target.unlink()
    return source.stat().st_size / MIB / elapsed


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _workers(port: int) -> list[int]:
    """The gunicorn workers serving ``port`` (the processes whose parent is its master)."""
    pids = {int(p) for p in os.listdir("/proc") if p.isdigit()}
    masters, parents = [], {}
    for pid in pids:
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
            parents[pid] = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if f"127.0.0.1:{port}".encode() in cmdline and b"gunicorn" in cmdline:
            masters.append(pid)
    return [pid for pid, parent in parents.items() if parent in masters]


@contextmanager
def sampling(pids: list[int]) -> Iterator[dict[str, int]]:
    """The peak summed RSS (KiB) of ``pids`` while the block runs, sampled every 20 ms."""
    peak = {"kib": sum(_rss_kib(p) for p in pids)}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak["kib"] = max(peak["kib"], sum(_rss_kib(p) for p in pids))
            time.sleep(0.02)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield peak
    finally:
        done.set()
        thread.join()


def _upload(base: str, headers: dict[str, str], dnr: str, path: Path, multipart: bool) -> float:
    url = f"{base}/api/cases/{dnr}/documents/1/files"
    started = time.perf_counter()
    with path.open("rb") as data:
        if multipart:
            answer = requests.post(url, headers=headers, timeout=600,
                                   files={"file": (path.name, data, "application/octet-stream")})
        else:
            answer = requests.post(url, headers={**headers, "Content-Type":
                                                 "application/octet-stream"},
                                   data=data, timeout=600)
    elapsed = time.perf_counter() - started
    assert answer.status_code == 201, (answer.status_code, answer.text[:300])
    return path.stat().st_size / MIB / elapsed


def _download(base: str, headers: dict[str, str], dnr: str, version: int, target: Path) -> float:
    started = time.perf_counter()
    with requests.get(f"{base}/api/cases/{dnr}/documents/1/files/{version}", headers=headers,
                      stream=True, timeout=600) as answer, target.open("wb") as out:
        assert answer.status_code == 200, answer.status_code
        for chunk in answer.iter_content(MIB):
            out.write(chunk)
        os.fsync(out.fileno())
    elapsed = time.perf_counter() - started
    return target.stat().st_size / MIB / elapsed


def run(backend: str, mib: int, large_mib: int, repeat: int, work: Path) -> dict[str, float]:
    """The figures of one backend."""
    sample = _random_file(work, mib)
    baseline = max(copy_rate(sample, work) for _ in range(repeat))
    with store(backend) as url:
        subprocess.run([sys.executable, "-m", "diarium.web.cli", "--database-url", url,
                        "db", "init"], check=True, capture_output=True)
        set_up_bodies(url)
        headers = {"Authorization": f"Bearer {issue_token(url)}"}
        limit = (max(mib, large_mib) + 1) * MIB
        env = {"DIARIUM_DATABASE_URL": url, "DIARIUM_MAX_FILE_BYTES": str(limit),
               "DIARIUM_INPROCESS_PROJECTIONS": "off"}
        with gunicorn("diarium.web.wsgi:app", env, ("--workers", "1", "--threads", "2",
                                                   "--timeout", "600")) as base:
            made = requests.post(f"{base}/api/cases", headers=headers, timeout=60, json={
                "title": "Filer", "responsible_body": "RS"}).json()
            dnr = made["dnr"]
            requests.post(f"{base}/api/cases/{dnr}/documents", headers=headers, timeout=60,
                          json={"direction": "incoming", "date": "2020-01-02",
                                "description": "Stor fil"}).raise_for_status()
            raw, form, down = [], [], []
            version = 0
            for _ in range(repeat):
                sample.write_bytes(os.urandom(16) + sample.read_bytes()[16:])  # new bytes
                raw.append(_upload(base, headers, dnr, sample, multipart=False))
                version += 1
                down.append(_download(base, headers, dnr, version, work / "down.bin"))
                sample.write_bytes(os.urandom(16) + sample.read_bytes()[16:])
                form.append(_upload(base, headers, dnr, sample, multipart=True))
                version += 1
            large = _random_file(work, large_mib)
            port = int(base.rsplit(":", 1)[1])
            workers = _workers(port)
            before = sum(_rss_kib(p) for p in workers)
            with sampling(workers) as peak:
                large_rate = _upload(base, headers, dnr, large, multipart=False)
            large.unlink()
    sample.unlink()
    return {"baseline": baseline, "upload": max(raw), "multipart": max(form),
            "download": max(down), "large": large_rate, "rss_before": before / 1024,
            "rss_peak": peak["kib"] / 1024}


def table(rows: list[tuple[str, dict[str, float]]], mib: int, large_mib: int) -> str:
    lines = [f"| backend | copy on disk MB/s (baseline) | upload {mib} MiB raw | multipart | "
             f"download | upload {large_mib} MiB | worker RSS before → peak |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for backend, f in rows:
        base = f["baseline"]
        lines.append(
            f"| {backend} | {base:.0f} | {f['upload']:.0f} ({f['upload'] / base:.2f}) | "
            f"{f['multipart']:.0f} ({f['multipart'] / base:.2f}) | "
            f"{f['download']:.0f} ({f['download'] / base:.2f}) | {f['large']:.0f} | "
            f"{f['rss_before']:.0f} → {f['rss_peak']:.0f} MiB |")
    return "\n".join(lines)


def main() -> None:
    parser = argument_parser(__doc__ or "", repeat=3)
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgres"])
    parser.add_argument("--mib", type=int, default=100)
    parser.add_argument("--large-mib", type=int, default=500)
    args = parser.parse_args()
    backends = args.backend or (["sqlite", "postgres"] if os.environ.get(
        "DIARIUM_TEST_POSTGRES_URL") else ["sqlite"])
    Path("var").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir="var") as directory:
        rows = [(b, run(b, args.mib, args.large_mib, args.repeat, Path(directory)))
                for b in backends]
    print(table(rows, args.mib, args.large_mib))


if __name__ == "__main__":
    main()
