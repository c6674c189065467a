"""Engines: the same forecast on this machine's cores and on a Dask cluster, series partitions,
failures named while the rest finish, and streaming to one Parquet file per partition."""

import warnings

import pandas as pd
import pytest

from workbench.cli import main
from workbench.errors import ParameterError
from workbench.forecast.core import (ForecastNoteWarning, forecast, forecast_to_parquet,
                                     partition_series)
from workbench.forecast.engines import DaskEngine, LocalEngine, make_engine
from workbench.data.sample import load_sample

KEYS = ["category", "region"]


@pytest.fixture(scope="module")
def cells() -> pd.DataFrame:
    """Nine category x region series of 17 months (enough for a year-on-year growth)."""
    s = load_sample("category_region")
    s = s[(s.ds >= "2025-06-01") & s.category.isin(["food", "beauty", "home"])
          & s.region.isin(["North", "East", "South"])]
    return pd.DataFrame({"category": s.category, "region": s.region, "ds": s.ds,
                         "y": s.units}).reset_index(drop=True)


@pytest.fixture(scope="module")
def dask_engine():
    """Two Dask workers as threads of this process (start-up in about a second)."""
    with DaskEngine(n_workers=2, processes=False) as engine:
        yield engine


@pytest.fixture(scope="module")
def local_forecast(cells) -> pd.DataFrame:
    return forecast(cells, horizon=21, keys=KEYS, n_jobs=2, partition_size=2)


def _broken(cells) -> pd.DataFrame:
    """``cells`` plus a series whose dates repeat, which the default model rejects."""
    bad = cells[(cells.category == "home") & (cells.region == "North")].copy()
    bad["region"] = "Nowhere"
    bad.loc[bad.index[-1], "ds"] = bad.ds.iloc[-2]
    return pd.concat([cells, bad], ignore_index=True)


def test_partitions_hold_whole_series_in_sorted_key_order(cells):
    parts, counts = partition_series(cells, KEYS, partition_size=4)
    assert counts == [4, 4, 1]
    labels = [list(p.groupby(KEYS, sort=True).groups) for p in parts]
    flat = [label for part in labels for label in part]
    assert flat == sorted(flat) and len(flat) == 9  # every series once, none split
    assert sum(len(p) for p in parts) == len(cells)
    grouped, _ = partition_series(cells.sort_values(KEYS, kind="stable"), KEYS, partition_size=4)
    for a, b in zip(parts, grouped):  # a frame already grouped by series is split without a copy
        pd.testing.assert_frame_equal(a.sort_values([*KEYS, "ds"]), b.sort_values([*KEYS, "ds"]))


def test_local_and_dask_give_the_same_forecast(cells, dask_engine, local_forecast):
    on_dask = forecast(cells, horizon=21, keys=KEYS, engine=dask_engine, partition_size=2)
    pd.testing.assert_frame_equal(local_forecast, on_dask, check_exact=False, rtol=1e-10)
    assert len(on_dask) == 9 * 21


def test_partitioning_changes_nothing_but_rounding(cells, local_forecast):
    # the pooled event profile is summed per partition: only the order of additions differs
    one_each = forecast(cells, horizon=21, keys=KEYS, n_jobs=1, partition_size=1)
    pd.testing.assert_frame_equal(local_forecast, one_each, check_exact=False, rtol=1e-9)


def test_a_failing_series_is_named_on_dask_and_the_rest_finish(cells, dask_engine):
    with pytest.warns(ForecastNoteWarning, match=r"1 series failed .*region=Nowhere.*dates must increase"):
        fc = forecast(_broken(cells), horizon=7, keys=KEYS, engine=dask_engine, partition_size=3)
    assert [f.key for f in fc.attrs["failures"]] == [{"category": "home", "region": "Nowhere"}]
    assert fc.groupby(KEYS).ngroups == 9


def _fails_on_index_one(index, part, shared):
    if index == 1:
        raise RuntimeError(f"task {index} lost its worker")
    return part * shared


@pytest.mark.parametrize("kind", ["local", "dask"])
def test_a_failed_task_comes_back_as_its_exception(kind, dask_engine):
    engine = LocalEngine(2) if kind == "local" else dask_engine
    results = dict(engine.map(_fails_on_index_one, [1, 2, 3], 10))
    if kind == "local":
        engine.close()
    assert results[0] == 10 and results[2] == 30
    assert isinstance(results[1], RuntimeError) and "task 1" in str(results[1])


class _LosesPartitionOne(LocalEngine):
    """In-process engine whose task for partition 1 dies, as if its worker were lost."""

    def map(self, fn, partitions, shared):
        for i, result in super().map(fn, partitions, shared):
            yield i, RuntimeError("worker lost") if i == 1 and fn.__name__ == "_forecast_partition" else result


def test_a_lost_partition_lists_each_of_its_series_and_the_rest_finish(cells):
    with pytest.warns(ForecastNoteWarning, match=r"4 series failed .*partition 1 failed on the engine"):
        fc = forecast(cells, horizon=7, keys=KEYS, engine=_LosesPartitionOne(1), partition_size=4)
    lost = [tuple(f.key.values()) for f in fc.attrs["failures"]]
    assert len(lost) == 4 and fc.groupby(KEYS).ngroups == 5
    assert not set(lost) & set(fc.groupby(KEYS).groups)


def test_streaming_writes_one_file_per_partition_and_they_add_up(cells, dask_engine, local_forecast, tmp_path):
    with pytest.warns(ForecastNoteWarning, match="Nowhere"):
        run = forecast_to_parquet(_broken(cells), tmp_path / "out", horizon=21, keys=KEYS,
                                  engine=dask_engine, partition_size=2)
    assert [p.name for p in run.files] == [f"part-{i:05d}.parquet" for i in range(5)]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["_failures.csv"] + [p.name for p in run.files]
    assert (run.series, run.rows) == (9, 9 * 21)
    failed = pd.read_csv(tmp_path / "out" / "_failures.csv")
    assert failed[KEYS].values.tolist() == [["home", "Nowhere"]] and "dates must increase" in failed.error[0]
    union = pd.read_parquet(tmp_path / "out").sort_values([*KEYS, "ds"], ignore_index=True)
    # the broken series took part in the pooled profile here, so compare to the same input in memory
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ForecastNoteWarning)
        in_memory = forecast(_broken(cells), horizon=21, keys=KEYS, n_jobs=1, partition_size=2)
    pd.testing.assert_frame_equal(union, in_memory, check_exact=False, rtol=1e-10)
    assert not local_forecast[["yhat"]].equals(in_memory[["yhat"]])  # the prior did change


def test_streaming_refuses_a_directory_with_files(cells, tmp_path):
    (tmp_path / "old.parquet").write_text("x")
    with pytest.raises(ParameterError, match="must be new or empty"):
        forecast_to_parquet(cells, tmp_path, horizon=7, keys=KEYS)


def test_progress_bar_counts_series(cells, capsys):
    forecast(cells, horizon=7, keys=KEYS, n_jobs=1, progress=True)
    err = capsys.readouterr().err
    assert "forecast (auto, local)" in err and "9/9" in err


def test_engine_choices_are_checked():
    with pytest.raises(ParameterError, match="unknown engine 'spark'"):
        make_engine("spark")
    with pytest.raises(ParameterError, match="needs the dask engine"):
        make_engine("local", address="tcp://10.0.0.1:8786")
    with pytest.raises(ParameterError, match="has its own workers"):
        DaskEngine("tcp://10.0.0.1:8786", n_workers=2)


def test_an_unreachable_scheduler_is_named():
    engine = DaskEngine("tcp://127.0.0.1:9", connect_timeout=1)
    with pytest.raises(ParameterError, match=r"cannot connect to a Dask scheduler at tcp://127.0.0.1:9"):
        engine.workers


def test_cli_streams_on_a_dask_local_cluster(cells, tmp_path, capsys):
    """The real thing: two worker processes, data and results crossing process boundaries."""
    cells.to_csv(tmp_path / "cells.csv", index=False)
    code = main(["forecast", "--data", str(tmp_path / "cells.csv"), "--date-col", "ds", "--target", "y",
                 "--keys", "category,region", "--freq", "D", "--horizon", "21", "--engine", "dask",
                 "--n-jobs", "2", "--partition-size", "3", "--out-dir", str(tmp_path / "out"), "--no-progress"])
    assert code == 0
    assert "wrote 189 rows for 9 series to 3 Parquet files" in capsys.readouterr().out
    union = pd.read_parquet(tmp_path / "out").sort_values([*KEYS, "ds"], ignore_index=True)
    expected = forecast(cells, horizon=21, keys=KEYS, n_jobs=1, partition_size=3)
    # dates read from CSV may come back at another resolution than the fixture's
    pd.testing.assert_frame_equal(union, expected, check_exact=False, rtol=1e-10, check_dtype=False)


def test_cli_rejects_an_address_without_the_dask_engine(cells, tmp_path, capsys):
    cells.to_csv(tmp_path / "cells.csv", index=False)
    code = main(["forecast", "--data", str(tmp_path / "cells.csv"), "--date-col", "ds", "--target", "y",
                 "--keys", "category,region", "--freq", "D", "--horizon", "7",
                 "--dask-address", "tcp://10.0.0.1:8786", "--out", str(tmp_path / "fc.csv")])
    assert code == 2 and "--dask-address tcp://10.0.0.1:8786 needs --engine dask" in capsys.readouterr().err
