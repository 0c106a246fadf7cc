import datetime as dt

from draftsim.model import DraftModel


def test_a_short_run_reports_in_real_men():
    m = DraftModel(seed=3, scale=2000)
    m.run(until=dt.date(2022, 4, 30))
    df = m.national_frame()
    assert len(df) == 10
    assert df["deployed"].iloc[0] > 100_000
    assert (df[["new_contracts", "new_emigrants"]] >= 0).all().all()
