"""
test_model.py: `sigap model` through the real binary: training from a TSV
file, prediction, and retraining from a tenant's own settled complaints
(`--tenant`), which the coordinator's corrections feed.
"""
import os

from harness import REPO, backends, check_sigap, run_sigap, unique


@backends("sqlite")
def test_train_predict_and_tenant_history(env):
    model = os.path.join(env.tmp, unique("m") + ".model")
    tsv = os.path.join(REPO, "data", "demo", "complaints_52.71.tsv")
    p = check_sigap(["model", "train", "--input", tsv, "--output", model])
    assert "trained on" in p.stderr + p.stdout, p.stderr
    p = check_sigap(["model", "predict", "--model", model],
                    input="lampu jalan di depan masjid mati sudah seminggu\nsampah menumpuk di TPS belum diangkut\n")
    lines = [l.split("\t") for l in p.stdout.splitlines()]
    assert [l[0] for l in lines] == ["pju", "sampah"], p.stdout
    assert all(0.0 <= float(l[1]) <= 1.0 for l in lines), p.stdout
    # the tenant's own history: the demo's settled complaints
    db = env.new_db()
    out = os.path.join(env.tmp, unique("t") + ".model")
    p = check_sigap(["model", "train", "--tenant", "52.71", "--output", out], db=db)
    assert "trained on" in p.stderr + p.stdout and os.path.getsize(out) > 0, p.stderr
    # a tenant without settled complaints: a clear error, no model file
    out2 = os.path.join(env.tmp, unique("t") + ".model")
    p = run_sigap(["model", "train", "--tenant", "52", "--output", out2], db=db)
    assert p.returncode != 0 and p.stderr.strip(), p.stderr
    assert not os.path.exists(out2)
