"""The benchmark deletes only its own databases: a file named by TRAINER_BENCH_DATABASE_URL
elsewhere may be a real registry (one was deleted this way)."""

import pytest

from tests.bench import data


def test_a_database_outside_bench_data_is_refused_and_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "DATA", tmp_path / "bench" / "data")
    registry = tmp_path / "registry.db"
    registry.write_bytes(b"a clerk's records")
    with pytest.raises(SystemExit, match="outside bench/data"):
        data._empty(f"sqlite:///{registry}")
    assert registry.read_bytes() == b"a clerk's records"


def test_the_benchmarks_own_database_is_emptied(tmp_path, monkeypatch):
    own = tmp_path / "bench" / "data"
    own.mkdir(parents=True)
    monkeypatch.setattr(data, "DATA", own)
    for name in ("full.db", "full.db-wal"):
        (own / name).write_bytes(b"old build")
    data._empty(f"sqlite:///{own / 'full.db'}")
    assert not (own / "full.db").exists() and not (own / "full.db-wal").exists()
