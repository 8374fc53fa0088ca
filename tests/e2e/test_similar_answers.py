"""
test_similar_answers.py: whoever answers a complaint sees what the Pemda already answered to
complaints like it (the same category, similar words), to start from: the answers as published,
the titles masked as in public lists, archived, merged and other categories' complaints left out,
only for those who may answer and only while the answer is due.
"""
import html
import re
import time

from harness import TENANT, check_sigap, unique

T = "/t/%s" % TENANT


def file(srv, key, text, code="adminduk"):
    r = srv.client().post_form("/open311/v2/requests.json", {
        "jurisdiction_id": TENANT, "api_key": key, "service_code": code, "lat": "-8.5837",
        "long": "116.1165", "description": text})
    assert r.status == 200, (r.status, r.text[:300])
    return int(r.json()[0]["service_request_id"])


def section(text):
    m = re.search(r'<h3 id="cpl-similar-h">.*?</ul>', text, re.S)
    return html.unescape(m.group(0)) if m else ""


def test_earlier_answers_offered_to_whoever_answers(env):
    db = env.new_db()
    srv = env.start_server(db)
    key = check_sigap(["apikey", "create", "--tenant", TENANT, "--name", unique("sim"), "--role", "warga"],
                      db=db).stdout.split()[0]
    tag = unique("s")
    a = file(srv, key, "KTP-el belum dicetak sudah tiga bulan, hubungi 081234567890 %s" % tag)
    b = file(srv, key, "KTP-el saya belum dicetak sudah dua bulan di kantor kecamatan %s" % tag)
    c = file(srv, key, "Antrean akta kelahiran terlalu panjang setiap pagi di loket")
    d = file(srv, key, "KTP-el belum dicetak sudah tiga bulan, pajak daerah %s" % tag)
    e = file(srv, key, "KTP-el belum dicetak sudah tiga bulan juga %s" % tag)
    now = int(time.time())
    # all with DISDUKCAPIL, waiting for its answer (the coordinator's step is not what is tested)
    db.sql("UPDATE complaints SET status = 'disposisi', unit = 'DISDUKCAPIL', category = 'adminduk', answer_due = %d "
           "WHERE id IN (%d, %d, %d, %d, %d)" % (now + 86400 * 5, a, b, c, d, e))
    # the OPD answers the first through its page
    p = srv.client()
    p.login(TENANT, "petugas")
    page = p.get("%s/pengaduan/%d" % (T, a)).expect(200)
    assert 'id="cpl-similar-h"' not in page.text  # nothing answered yet to offer
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    p.post_form("%s/pengaduan/%d/aksi" % (T, a), {"_csrf": page.csrf(), "aksi": "jawab", "version": version,
                                                 "text": "KTP-el sudah dicetak.\nSilakan ambil di loket 3."}).expect(303)
    # answered too, but not to offer: words unlike, another category, archived as spam
    db.sql("UPDATE complaints SET answer = 'Jawaban tentang antrean akta', answered_at = %d WHERE id = %d" % (now, c))
    db.sql("UPDATE complaints SET category = 'pajak', answer = 'Jawaban tentang pajak', answered_at = %d WHERE id = %d"
           % (now, d))
    db.sql("UPDATE complaints SET status = 'arsip', answer = 'Jawaban yang diarsipkan', answered_at = %d WHERE id = %d"
           % (now, e))

    page = p.get("%s/pengaduan/%d" % (T, b)).expect(200)
    sec = section(page.text)
    assert "Jawaban atas pengaduan serupa" in sec, page.text[-3000:]
    assert "KTP-el sudah dicetak.\nSilakan ambil di loket 3." in sec, sec
    assert "antrean akta" not in sec and "pajak" not in sec and "diarsipkan" not in sec, sec
    # the earlier complaint named by number and linked, its title masked as in public lists
    number = db.sql("SELECT number FROM complaints WHERE id = %d" % a)[0][0]
    assert number in sec and 'href="%s/pengaduan/%d"' % (T, a) in page.text
    assert "081234567890" not in sec, sec
    assert re.search(r"kemiripan \d+%", sec), sec
    # the button that fills the answer works with the script only: hidden without it
    assert re.search(r'<button type="button" class="link cpl-use" data-from="cpl-similar-%d" data-to="a-text"[^>]*hidden>' % a,
                     page.text)
    assert "/static/complaints.js" in page.text
    # the coordinator may answer too, and sees it; the reporter and the public do not
    k = srv.client()
    k.login(TENANT, "koordinator")
    assert "KTP-el sudah dicetak." in section(k.get("%s/pengaduan/%d" % (T, b)).expect(200).text)
    assert 'id="cpl-similar-h"' not in srv.client().get("%s/pengaduan/%d" % (T, b)).expect(200).text
    en = p.get("%s/pengaduan/%d" % (T, b), headers={"Accept-Language": "en"}).expect(200)
    assert "Answers to similar complaints" in en.text and "Use as the basis of the answer" in en.text
    # once answered, nothing is offered
    page = p.get("%s/pengaduan/%d" % (T, b)).expect(200)
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    p.post_form("%s/pengaduan/%d/aksi" % (T, b), {"_csrf": page.csrf(), "aksi": "jawab", "version": version,
                                                 "text": "Sudah dicetak, silakan ambil."}).expect(303)
    assert 'id="cpl-similar-h"' not in p.get("%s/pengaduan/%d" % (T, b)).expect(200).text
