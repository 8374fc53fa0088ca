"""
test_model.py: `sigap model` through the real binary: training from a TSV
file, prediction, and retraining from a tenant's own settled complaints
(`--tenant`), which the coordinator's corrections feed; and a running
server taking a retrained model on SIGHUP (systemctl reload), with a broken
or removed file, and while complaints are routed.
"""
import os
import shutil
import signal
import threading
import time

from harness import REPO, TENANT, backends, check_sigap, run_sigap, unique, wait_for


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
    # the file is not where serve looks: it says where to put it and how to reload
    assert "once it is <models-dir>/52.71.model" in p.stderr and "systemctl reload sigap" in p.stderr, p.stderr
    # a tenant without settled complaints: a clear error, no model file
    out2 = os.path.join(env.tmp, unique("t") + ".model")
    p = run_sigap(["model", "train", "--tenant", "52", "--output", out2], db=db)
    assert p.returncode != 0 and p.stderr.strip(), p.stderr
    assert not os.path.exists(out2)


# ------------------------------------------------ a retrained model without a restart
# Two small training files that route the same words the opposite way: model A
# sends street lights to "pju", model B to "sampah" (both demo categories of 52.71).
_LIGHTS = ["lampu jalan mati", "lampu penerangan jalan padam sejak kemarin", "lampu jalan di gang rusak",
           "pju mati di depan masjid", "lampu jalan berkedip lalu padam", "tiang lampu jalan tidak menyala"]
_RUBBISH = ["sampah menumpuk di tps", "sampah belum diangkut tiga hari", "tumpukan sampah di pasar bau",
            "tps penuh sampah berserakan", "sampah dibuang di selokan", "truk sampah tidak datang"]


def _train(env, path, lights_label, rubbish_label):
    tsv = os.path.join(env.tmp, unique("rows") + ".tsv")
    with open(tsv, "w") as f:
        f.write("label\ttext\n")
        for t in _LIGHTS:
            f.write("%s\t%s\n" % (lights_label, t))
        for t in _RUBBISH:
            f.write("%s\t%s\n" % (rubbish_label, t))
    return check_sigap(["model", "train", "--input", tsv, "--output", path])


def _file(env, srv, db, key, n):
    """Files a complaint about a street light through Open311; returns the router's proposal."""
    c = srv.client()
    r = c.post_form("/open311/v2/requests.json", {
        "jurisdiction_id": TENANT, "api_key": key, "service_code": "jalan",
        "lat": "-8.58%02d" % (n % 100), "long": "116.10%02d" % (n % 100),
        "description": "Lampu jalan di gang %d mati sejak minggu lalu, gelap sekali malam hari" % n,
        "first_name": "Warga", "last_name": "Uji"}).expect(200)
    cid = r.json()[0]["service_request_id"]
    return db.sql("SELECT route_category FROM complaints WHERE id = %s" % int(cid))[0][0]


def _sighup_and_wait(srv, what):
    before = srv.log_text().count("routing models reloaded")
    srv.proc.send_signal(signal.SIGHUP)
    assert wait_for(lambda: srv.log_text().count("routing models reloaded") > before), srv.log_text()[-2000:]
    line = [l for l in srv.log_text().splitlines() if "routing models reloaded" in l][-1]
    assert what in line, line
    return srv.log_text()


@backends("sqlite")
def test_sighup_reloads_a_retrained_model(env):
    """systemctl reload (SIGHUP) puts a retrained model in service without a restart; a broken
    file keeps the old model and the log says why; a removed file means no proposal."""
    models = os.path.join(env.tmp, unique("models"))
    os.mkdir(models)
    path = os.path.join(models, TENANT + ".model")
    p = _train(env, path, "pju", "sampah")
    # the operator is told how a running server takes it
    assert "systemctl reload sigap" in p.stderr and "kill -HUP" in p.stderr, p.stderr
    assert not [f for f in os.listdir(models) if f != TENANT + ".model"], os.listdir(models)
    db = env.new_db()
    key = check_sigap(["apikey", "create", "--tenant", TENANT, "--name", unique("reload")], db=db).stdout.strip()
    srv = env.start_server(db=db, args=["--models-dir", models])
    assert "loaded 1 routing model(s)" in srv.log_text(), srv.log_text()[-2000:]
    assert _file(env, srv, db, key, 1) == "pju"

    # retrained (the same words now mean rubbish): in service after SIGHUP, no restart
    _train(env, path, "sampah", "pju")
    pid = srv.proc.pid
    _sighup_and_wait(srv, "1 model(s); changed: %s (replaced)" % TENANT)
    assert srv.proc.pid == pid and srv.alive
    assert _file(env, srv, db, key, 2) == "sampah"
    # a SIGHUP with nothing new (log rotation) changes nothing
    _sighup_and_wait(srv, "1 model(s); no Pemda changed")
    assert _file(env, srv, db, key, 3) == "sampah"

    # a broken file (a copy cut short): the old model stays, the log names the file and the reason
    with open(path, "r+b") as f:
        f.truncate(os.path.getsize(path) // 2)
    log = _sighup_and_wait(srv, "1 model(s); no Pemda changed; some files could not be loaded (see above)")
    warn = [l for l in log.splitlines() if "routing model not reloaded" in l]
    assert warn and path in warn[-1] and "length mismatch" in warn[-1] \
        and "the previous model stays in service" in warn[-1], warn
    assert _file(env, srv, db, key, 4) == "sampah"

    # the file removed: the tenant has no model, its complaints wait for the coordinator
    os.remove(path)
    _sighup_and_wait(srv, "0 model(s); changed: %s (removed)" % TENANT)
    assert _file(env, srv, db, key, 5) == ""
    # and a model put back is taken again
    _train(env, path, "pju", "sampah")
    _sighup_and_wait(srv, "1 model(s); changed: %s (added)" % TENANT)
    assert _file(env, srv, db, key, 6) == "pju"
    assert srv.stop() < 20


@backends("sqlite")
def test_reload_while_complaints_are_routed(env):
    """Complaints routed on every worker thread while SIGHUPs swap the models under them: every
    request answers, each proposal is one of the two models' (or none while the file is gone),
    and the server stops cleanly (under the ASan build: no report)."""
    models = os.path.join(env.tmp, unique("models"))
    os.mkdir(models)
    path = os.path.join(models, TENANT + ".model")
    a, b = os.path.join(env.tmp, unique("a") + ".model"), os.path.join(env.tmp, unique("b") + ".model")
    _train(env, a, "pju", "sampah")
    _train(env, b, "sampah", "pju")
    shutil.copyfile(a, path)
    db = env.new_db()
    key = check_sigap(["apikey", "create", "--tenant", TENANT, "--name", unique("load")], db=db).stdout.strip()
    srv = env.start_server(db=db, args=["--models-dir", models, "--threads", "4", "--complaint-limit-apikey", "0",
                                        "--complaint-limit-address", "0"])
    stop, seen, errors = threading.Event(), [], []

    def filer(k):
        n = k * 1000
        while not stop.is_set() or n < k * 1000 + 5:
            n += 1
            try:
                seen.append(_file(env, srv, db, key, n))
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(repr(e))
                return

    threads = [threading.Thread(target=filer, args=(k,)) for k in range(1, 5)]
    for t in threads:
        t.start()
    for i in range(30):
        if i % 6 == 5:
            os.remove(path)
        else:
            tmp = path + ".tmp"
            shutil.copyfile(b if i % 2 else a, tmp)
            os.replace(tmp, path)
        srv.proc.send_signal(signal.SIGHUP)
        time.sleep(0.05)
    stop.set()
    for t in threads:
        t.join(60)
    assert not errors, errors[:3]
    assert len(seen) >= 20 and set(seen) <= {"pju", "sampah", ""}, (len(seen), set(seen))
    assert srv.alive
    assert wait_for(lambda: srv.log_text().count("routing models reloaded") >= 2), srv.log_text()[-2000:]
    assert srv.stop() < 20
    log = srv.log_text()
    assert not any(m in log for m in ("ERROR: AddressSanitizer", "runtime error:", "ERROR: LeakSanitizer",
                                      "ThreadSanitizer")), log[-3000:]
